// The publish window of a pipeline (manifest publish.window): it opens at a local time on the
// listed days, in the pipeline's own time zone, and stays open for open_minutes. Local time is
// resolved through the IANA database (Howard Hinnant's date/tz), never by UTC arithmetic, so
// the window opens at 09:00 local on both sides of a daylight-saving change.
#pragma once

#include <chrono>
#include <string>

#include "core/local_time.h"
#include "core/status.h"
#include "pipeline/manifest.h"

namespace sluice::approve {

using sluice::Time;
using sluice::LocalText;
using sluice::ParseClock;

struct WindowState {
  bool open = false;
  Time opened;     // when open: the opening it is inside
  Time next_open;  // the next opening after `now` (when open: the one after this)
  // For people: "09:00–12:00 America/Los_Angeles, every day" and, when closed,
  // "next 09:00 America/Los_Angeles on Mon 7 Dec".
  std::string description;
  std::string next_text;
};

// Where `now` stands against `window`. ConfigError for an unknown time zone or a bad time.
Result<WindowState> CheckWindow(const pipeline::PublishWindow& window, Time now);

// The first moment at or after `from` when the local clock of `timezone` reads hh:mm (on any
// day). A local time that does not exist that day (the hour skipped when clocks go forward)
// is taken as the first moment after the gap; one that occurs twice, as its first occurrence.
Result<Time> NextLocalTime(Time from, const std::string& timezone, int hour, int minute);

}  // namespace sluice::approve
