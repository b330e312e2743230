// How far a figure may move between two editions: the limits row_count_change and value_change
// share. A running total is "not down more than 1%, not up more than 25%", so each limit is one
// direction's (a fall's or a rise's), and comes at two levels, as the covid19.ca.gov review bot
// had them: a warning at the usual extreme, an error past it.
//
// The options are {max|warn}[_{decrease|increase}]_{percent|absolute}: "max_percent" limits
// both directions, "max_decrease_percent" only falls, overriding "max_percent" for them. A
// warning level must lie below the error level of the same direction and unit.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/status.h"

namespace sluice::checks {

// One direction's limit in one unit, and the option it came from (for messages).
struct Limit {
  std::optional<double> value;
  std::string option;
};

// The limits of one level: how far a figure may fall and rise, in percent and in its units.
struct ChangeLevel {
  Limit fall_percent, rise_percent, fall_absolute, rise_absolute;
  bool any() const;
};

struct ChangeLimits {
  ChangeLevel error;  // max_*: the check's own severity
  ChangeLevel warn;   // warn_*: breaking only these makes the check a warning
  bool per_day = false;  // multiply every limit by the days since the previous edition
  bool any() const { return error.any() || warn.any(); }
};

// The options ReadChangeLimits reads; `absolute` adds the *_absolute ones.
std::vector<std::string> ChangeLimitOptions(bool absolute);

// The limits of spec's entry, each a non-negative number; a warning level at or above the
// error level of its direction is a ConfigProblem at the warning's pointer.
Result<ChangeLimits> ReadChangeLimits(const CheckSpec& spec, bool absolute);

// What `before` → `after` breaks at `level` with every limit multiplied by `days`, worded for
// people ("+66.7%, limit 25%", "-2.0%, limit -1%"); empty when nothing.
std::vector<std::string> LimitBreaches(const ChangeLevel& level, double before, double after, double days);

// The level's limits for summaries: "±25%", "-1% to +25%", "-1%" (falls only), "+25%" (rises
// only), one entry per unit, each followed by " over {days} days" when days > 1.
std::vector<std::string> LimitTexts(const ChangeLevel& level, double days);

// The whole days between the previous edition's commit and `now`, at least 1; 1 when its
// time is unknown (a --previous-file rather than git history) or limits are not per_day.
double DaysBetweenEditions(bool per_day, std::optional<std::chrono::system_clock::time_point> previous,
                           std::chrono::system_clock::time_point now);

}  // namespace sluice::checks
