// Local time of an IANA time zone, through Howard Hinnant's date/tz (libstdc++ 12 has no chrono
// time zones): what publish windows and schedules are written in, never UTC arithmetic, so that
// 09:00 stays 09:00 on both sides of a daylight-saving change.
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include <date/tz.h>

#include "core/status.h"

namespace sluice {

using Time = std::chrono::system_clock::time_point;

// The zone of an IANA name; ConfigError naming `what` (the manifest field) otherwise.
Result<const date::time_zone*> LocateZone(const std::string& name, const std::string& what);

// The moment local `day` + hh:mm happens in `zone`. A local time that does not exist that day
// (the hour skipped when clocks go forward) is the moment the gap ends; one that happens twice
// (clocks go back), its first occurrence.
Time AtLocal(const date::time_zone* zone, date::local_days day, int hour, int minute);

// The local day `at` falls on in `zone`.
date::local_days LocalDay(const date::time_zone* zone, Time at);

// "HH:MM" to hours and minutes; ConfigError otherwise.
Result<std::pair<int, int>> ParseClock(const std::string& text);

// "Mon 7 Dec 09:00 America/Los_Angeles": a moment in a zone, for messages.
Result<std::string> LocalText(Time at, const std::string& timezone);

// "mon".."sun" of a local day.
const char* DayName(date::local_days day);

}  // namespace sluice
