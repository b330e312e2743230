#include "core/local_time.h"

#include <array>
#include <cstdio>

#include <date/date.h>
#include <fmt/format.h>

namespace sluice {
namespace {

using namespace std::chrono;

constexpr std::array<const char*, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

// %e pads a one-digit day with a space: "Mon  7 Dec" would read as a typo.
std::string Squeeze(std::string text) {
  for (std::size_t at = text.find("  "); at != std::string::npos; at = text.find("  ")) text.erase(at, 1);
  return text;
}

}  // namespace

Result<const date::time_zone*> LocateZone(const std::string& name, const std::string& what) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception& e) {
    return ConfigError(fmt::format("{} '{}' is not a time zone this machine knows ({}); use an IANA name such as "
                                   "America/Los_Angeles",
                                   what, name, e.what()));
  }
}

Time AtLocal(const date::time_zone* zone, date::local_days day, int hour, int minute) {
  date::local_seconds local = day + hours(hour) + minutes(minute);
  auto info = zone->get_info(local);
  switch (info.result) {
    case date::local_info::unique: return date::zoned_time<seconds>(zone, local).get_sys_time();
    case date::local_info::nonexistent: return info.first.end;
    default: return date::zoned_time<seconds>(zone, local, date::choose::earliest).get_sys_time();
  }
}

date::local_days LocalDay(const date::time_zone* zone, Time at) {
  return date::floor<date::days>(date::zoned_time<seconds>(zone, date::floor<seconds>(at)).get_local_time());
}

Result<std::pair<int, int>> ParseClock(const std::string& text) {
  int hour = -1;
  int minute = -1;
  if (text.size() != 5 || text[2] != ':' || std::sscanf(text.c_str(), "%2d:%2d", &hour, &minute) != 2 || hour < 0 ||
      hour > 23 || minute < 0 || minute > 59) {
    return ConfigError(fmt::format("'{}' is not a time of day HH:MM (24-hour clock)", text));
  }
  return std::pair{hour, minute};
}

Result<std::string> LocalText(Time at, const std::string& timezone) {
  auto zone = LocateZone(timezone, "time zone");
  if (!zone.ok()) return zone.status();
  auto local = date::zoned_time<seconds>(*zone, date::floor<seconds>(at)).get_local_time();
  return Squeeze(date::format("%a %e %b %H:%M ", local) + timezone);
}

const char* DayName(date::local_days day) { return kDayNames[date::weekday(day).c_encoding()]; }

}  // namespace sluice
