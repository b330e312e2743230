// Whether a scheduled run of a pipeline is due (manifest "schedule"). GitHub's cron is UTC and
// shifts against local time twice a year, so the caller workflow runs on a frequent UTC cron and
// this decides, in the pipeline's own time zone: a run is due when a slot (a local time on a
// listed day that is not a skip date) has come and has not run yet, within catch_up_minutes of
// it. Each slot runs once: the slot taken is remembered in a state file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/local_time.h"
#include "core/status.h"
#include "pipeline/manifest.h"

namespace sluice::pipeline {

struct ScheduleDecision {
  bool due = false;
  std::optional<Time> slot;  // the slot this run takes (due), or the one it skips
  std::string slot_text;     // "Mon 7 Dec 07:05 America/Los_Angeles"
  std::string next_text;     // the next slot after now, same form
  std::string reason;        // one sentence for the terminal, the summary and the run record
};

// `last_run`: the newest slot already run (from the state file), if any.
Result<ScheduleDecision> DecideSchedule(const Schedule& schedule, Time now, std::optional<Time> last_run);

// The state file: {"last_slot": "2026-12-07T15:05:00Z"}. A missing file is no slot yet; a damaged
// one is an InputError naming it.
Result<std::optional<Time>> ReadLastSlot(const std::filesystem::path& file);
Status WriteLastSlot(const std::filesystem::path& file, Time slot);

}  // namespace sluice::pipeline
