// The run log as sluice-notify reads it: $SLUICE_RUN_LOG, one JSON object a line
// (schemas/run-record.schema.json), written by every tool of the run in the order they ran.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace sluice::notify {

// A finding of a failed check as the run record carries it.
struct Finding {
  std::string check;
  std::string file;
  std::uint64_t line = 0;
  std::string message;
};

struct StepRecord {
  std::string tool;      // "sluice-fetch"
  std::string pipeline;  // "" for a run over every pipeline (sluice-approve)
  std::string status;    // success, no, failure, skipped, unchanged
  int exit_code = 0;
  std::string started_at;
  std::string finished_at;
  std::int64_t duration_ms = 0;
  std::string message;
  std::string severity;  // as the tool recorded it; "" when it did not (notify/outcome.h decides then)
  std::string target;    // sluice-publish: "production" or "staging"; "" for an ad-hoc --to (or an older record)
  std::map<std::string, std::int64_t> counts;
  std::map<std::string, std::string> links;
  std::vector<Finding> findings;  // sluice-validate's first findings (schemas/run-record.schema.json)

  std::int64_t Count(const std::string& name) const;
};

// Every record of the log in order. A line that is not a JSON object with a string "tool" is
// an InputError naming the file and the line: a damaged log must not read as a quiet run.
Result<std::vector<StepRecord>> ReadRunLog(const std::filesystem::path& path);

// The records of `pipeline`, and those of tools that ran for every pipeline (pipeline ""),
// without sluice-notify's own.
std::vector<StepRecord> StepsOf(const std::vector<StepRecord>& records, const std::string& pipeline);

}  // namespace sluice::notify
