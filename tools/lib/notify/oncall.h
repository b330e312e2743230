// Who is on call at a moment (manifest "oncall"): a holiday's rotation, else business hours, else
// the shift holding the moment, else off-hours; all in the set-up's own time zone, so a 09:00
// handoff stays 09:00 across daylight-saving changes. The answer says why, for the failure post
// and for `sluice-notify --who-is-on-call`.
#pragma once

#include <string>
#include <vector>

#include "core/local_time.h"
#include "core/status.h"
#include "pipeline/manifest.h"

namespace sluice::notify {

struct OnCallAnswer {
  std::vector<pipeline::Owner> people;
  // "off-hours: on call this week (Mon 30 Nov 09:00 to Mon 7 Dec 09:00)"; "business hours (mon-fri
  // 09:00-17:00)"; "holiday 2026-12-25: turn 2 of the holiday rotation".
  std::string why;
  std::string at;          // the moment asked about, local: "Sun 6 Dec 23:00 America/Los_Angeles"
  bool fallback = false;   // nobody in the set-up covers the moment: owners.primary answers
  bool business_hours = false;  // the moment is in the set-up's business hours (a holiday is not)
};

// The manifest's on-call set-up at `at`. Without one, or when nobody in it covers the moment,
// the primary owner, with why saying so. ConfigError only for a time zone this machine lacks.
Result<OnCallAnswer> WhoIsOnCall(const pipeline::Manifest& manifest, Time at);

// "@ana (<@U0ANA>)", "@ana" without a Slack id: for terminals and runbooks.
std::string PersonText(const pipeline::Owner& person);

}  // namespace sluice::notify
