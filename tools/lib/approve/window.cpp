#include "approve/window.h"

#include <algorithm>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

namespace sluice::approve {
namespace {

using namespace std::chrono;

Result<const date::time_zone*> Zone(const std::string& name) { return LocateZone(name, "publish.window.timezone"); }

bool DayListed(const pipeline::PublishWindow& window, date::local_days day) {
  if (window.days.empty()) return true;
  return std::find(window.days.begin(), window.days.end(), DayName(day)) != window.days.end();
}

std::string DaysText(const pipeline::PublishWindow& window) {
  if (window.days.empty()) return "every day";
  std::string text;
  for (const auto& day : window.days) text += (text.empty() ? "" : ", ") + day;
  return text;
}

}  // namespace

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
  state.next_text = fmt::format("next {} {} on {}", date::format("%H:%M", local_next), window.timezone,
                                date::format("%a %e %b", local_next));
  for (std::size_t at = state.next_text.find("  "); at != std::string::npos; at = state.next_text.find("  ")) {
    state.next_text.erase(at, 1);  // %e pads a one-digit day with a space
  }
  state.description = fmt::format("opens {} {} ({}) for {} minutes", window.time, window.timezone, DaysText(window),
                                   window.open_minutes);
  return state;
}

}  // namespace sluice::approve
