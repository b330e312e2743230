#include "approve/window.h"

#include <algorithm>
#include <array>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

namespace sluice::approve {
namespace {

using namespace std::chrono;

constexpr std::array<const char*, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

Result<const date::time_zone*> Zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception& e) {
    return ConfigError(fmt::format("publish.window.timezone '{}' is not a time zone this machine knows ({}); "
                                   "use an IANA name such as America/Los_Angeles",
                                   name, e.what()));
  }
}

// The moment local `day` + hh:mm happens in `zone`.
Time AtLocal(const date::time_zone* zone, date::local_days day, int hour, int minute) {
  date::local_seconds local = day + hours(hour) + minutes(minute);
  auto info = zone->get_info(local);
  switch (info.result) {
    case date::local_info::unique: return date::zoned_time<seconds>(zone, local).get_sys_time();
    // Skipped (spring forward): the moment the clocks jumped, when the gap ends.
    case date::local_info::nonexistent: return info.first.end;
    // Repeated (fall back): the first of the two.
    default: return date::zoned_time<seconds>(zone, local, date::choose::earliest).get_sys_time();
  }
}

bool DayListed(const pipeline::PublishWindow& window, date::local_days day) {
  if (window.days.empty()) return true;
  const char* name = kDayNames[date::weekday(day).c_encoding()];
  return std::find(window.days.begin(), window.days.end(), name) != window.days.end();
}

std::string DaysText(const pipeline::PublishWindow& window) {
  if (window.days.empty()) return "every day";
  std::string text;
  for (const auto& day : window.days) text += (text.empty() ? "" : ", ") + day;
  return text;
}

// %e pads a one-digit day with a space: "Mon  7 Dec" would read as a typo.
std::string Squeeze(std::string text) {
  for (std::size_t at = text.find("  "); at != std::string::npos; at = text.find("  ")) text.erase(at, 1);
  return text;
}

}  // namespace

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
  auto zone = Zone(timezone);
  if (!zone.ok()) return zone.status();
  auto local = date::zoned_time<seconds>(*zone, date::floor<seconds>(at)).get_local_time();
  return Squeeze(date::format("%a %e %b %H:%M ", local) + timezone);
}

Result<Time> NextLocalTime(Time from, const std::string& timezone, int hour, int minute) {
  auto zone = Zone(timezone);
  if (!zone.ok()) return zone.status();
  auto local_now = date::zoned_time<seconds>(*zone, date::floor<seconds>(from)).get_local_time();
  date::local_days today = date::floor<date::days>(local_now);
  for (int offset = -1; offset <= 2; ++offset) {
    Time candidate = AtLocal(*zone, today + date::days(offset), hour, minute);
    if (candidate >= from) return candidate;
  }
  return InternalError("no local time found within two days");  // unreachable with real zones
}

Result<WindowState> CheckWindow(const pipeline::PublishWindow& window, Time now) {
  auto zone = Zone(window.timezone);
  if (!zone.ok()) return zone.status();
  auto clock = ParseClock(window.time);
  if (!clock.ok()) return clock.status().WithContext("publish.window.time");
  auto [hour, minute] = *clock;
  const auto length = minutes(window.open_minutes);
  WindowState state;
  auto local_now = date::zoned_time<seconds>(*zone, date::floor<seconds>(now)).get_local_time();
  date::local_days today = date::floor<date::days>(local_now);
  // An opening from the last day or two may still be open (a window past midnight).
  for (int offset = -2; offset <= 0; ++offset) {
    date::local_days day = today + date::days(offset);
    if (!DayListed(window, day)) continue;
    Time opens = AtLocal(*zone, day, hour, minute);
    if (opens <= now && now < opens + length) {
      state.open = true;
      state.opened = opens;
    }
  }
  for (int offset = 0; offset <= 8; ++offset) {
    date::local_days day = today + date::days(offset);
    if (!DayListed(window, day)) continue;
    Time opens = AtLocal(*zone, day, hour, minute);
    if (opens > now) {
      state.next_open = opens;
      break;
    }
  }
  // "next 09:00 America/Los_Angeles on Mon 7 Dec"
  auto local_next = date::zoned_time<seconds>(*zone, date::floor<seconds>(state.next_open)).get_local_time();
  state.next_text = Squeeze(fmt::format("next {} {} on {}", date::format("%H:%M", local_next), window.timezone,
                                        date::format("%a %e %b", local_next)));
  state.description = fmt::format("opens {} {} ({}) for {} minutes", window.time, window.timezone, DaysText(window),
                                   window.open_minutes);
  return state;
}

}  // namespace sluice::approve
