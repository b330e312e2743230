// The run record: one JSON line per tool run appended to $SLUICE_RUN_LOG
// (schemas/run-record.schema.json). sluice-notify and metrics read it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"

namespace sluice::pipeline {

// A finding of a failed check, for the incident issue: which check, where, what.
struct RunFinding {
  std::string check;     // the check's id
  std::string file;      // the data file, relative to the workspace
  std::uint64_t line = 0;  // 0 when not tied to a line
  std::string message;
};
// How many findings a record carries: the first few, for a responder; the report has them all.
inline constexpr std::size_t kMaxRunFindings = 5;

struct RunRecord {
  std::string tool;      // "sluice-fetch"
  std::string pipeline;  // manifest name, "" for ad-hoc runs
  std::string status;    // "success", "no", "failure", "skipped", "unchanged"
  int exit_code = 0;
  std::chrono::system_clock::time_point started_at;
  std::chrono::system_clock::time_point finished_at;
  std::string message;                         // masked before writing
  std::map<std::string, std::int64_t> counts;  // e.g. sources, bytes, retries
  std::map<std::string, std::string> links;    // e.g. pr, summary; run is added from GITHUB_* vars
  // For a failure: "production" (bad or stale data may be live) or "upstream" (the chain stopped
  // before production); "" when the tool cannot tell, or did its job. Written only when set.
  std::string severity;
  // sluice-publish with a manifest: the target it wrote to (or tried): "production" or "staging".
  // sluice-notify closes a production incident only after a publish to production. Written only when set.
  std::string target;
  std::vector<RunFinding> findings;  // at most kMaxRunFindings; written only when set
};

// A record with what every tool fills the same way: the tool, the pipeline, the exit code, the
// start, and now as the finish. A run whose `outcome` failed gets status "failure" and the
// failure's sentence as its message; one that did its job gets "success" and no message, for
// the tool to refine ("no", "unchanged") and to add its counts. `exit_code` is the process's,
// which for a run that did its job may still be nonzero (1 for "no").
RunRecord NewRunRecord(std::string tool, std::string pipeline, const Status& outcome, int exit_code,
                       std::chrono::system_clock::time_point started);

// The Actions run page ($GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID, and
// the attempt after the first), or "" outside Actions. The record's `run` link.
std::string RunUrl(const Environment& env);

// Serialises the record as one line of JSON (no trailing newline), with secrets masked.
std::string RunRecordJson(const RunRecord& record, const Environment& env);

// Appends the record to $SLUICE_RUN_LOG when it is set (one write with O_APPEND, so lines
// from concurrent steps never interleave); does nothing when it is not.
Status AppendRunRecord(const RunRecord& record, const Environment& env);

}  // namespace sluice::pipeline
