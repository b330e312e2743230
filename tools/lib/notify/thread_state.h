// What the next run must know about the last ones, in a small JSON file the workflow caches
// (--state): the thread of each run, the thread of each recent error (the same error within an
// hour replies there), and each pipeline's consecutive failures (escalation). It holds channel
// ids, message timestamps, fingerprints and the incident issue's number and page: never a token
// or a message text.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace sluice::notify {

using Time = std::chrono::system_clock::time_point;

// How long the same error keeps replying in its first thread (DESIGN.md, covid19 lessons).
inline constexpr std::chrono::hours kGroupingWindow{1};

struct RunThread {
  std::string pipeline;
  std::string run;      // GITHUB_RUN_ID[-attempt], or --run-id
  std::string channel;  // as Slack answered it (an id)
  std::string ts;       // the top post's
  int steps_posted = 0;
  Time at;
};

struct ErrorThread {
  std::string fingerprint;  // ErrorFingerprint: pipeline, class, message
  std::string channel;
  std::string ts;
  Time first_at;  // the top post's time: later runs within kGroupingWindow reply to it
  int repeats = 0;
};

struct PipelineHistory {
  int consecutive_failures = 0;
  std::string last_counted_run;  // a run is counted once, however often notify runs in it
  // The open incident (consecutive_failures > 0): since when, its first thread, and whether the
  // secondary owner was told after owners.escalate_after_hours (once per incident).
  std::optional<Time> failing_since;
  std::string incident_channel;
  std::string incident_ts;
  bool escalated = false;
  // The incident's GitHub issue (notify.incident_issue): its number and page, and the run that
  // last wrote to it (notify may run twice in a run; the issue hears of a run once).
  int incident_issue = 0;
  std::string incident_issue_url;
  std::string incident_issue_run;
};

struct ThreadState {
  std::vector<RunThread> runs;
  std::vector<ErrorThread> errors;
  std::map<std::string, PipelineHistory> pipelines;

  RunThread* FindRun(const std::string& pipeline, const std::string& run);
  // The thread of `fingerprint` whose first post is less than an hour before `now`.
  ErrorThread* FindError(const std::string& fingerprint, Time now);
  // Forgets run threads older than a week and error threads past the grouping window.
  void Prune(Time now);
};

// A missing file is an empty state (the first run, or an expired cache); a malformed one is an
// InputError naming the file (delete it to start over).
Result<ThreadState> LoadThreadState(const std::filesystem::path& path);
// Written atomically (temporary file + rename): a cancelled job never leaves half a file.
Status SaveThreadState(const std::filesystem::path& path, const ThreadState& state);

}  // namespace sluice::notify
