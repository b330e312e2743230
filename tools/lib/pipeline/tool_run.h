// How every tool's run ends for the person at the terminal and for the run log: failures and
// warnings on stderr, masked and named after the tool ("sluice-diff: ..."), and the run record
// appended to $SLUICE_RUN_LOG. The main owns the stream; this only formats what goes on it.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

#include "core/cli.h"
#include "core/env.h"
#include "core/status.h"
#include "pipeline/run_record.h"

namespace sluice::pipeline {

class ToolRun {
 public:
  // Starts the clock for the run record's started_at.
  ToolRun(std::string name, std::ostream& err);

  const std::string& name() const { return name_; }
  std::chrono::system_clock::time_point started() const { return started_; }

  // "<tool>: <message>" when `status` failed, nothing when it did not; returns its exit code.
  int Error(const Status& status);
  // "<tool>: warning: <message>" when `status` failed: for what must not change the exit code
  // (a summary that could not be written, a run log that could not be appended to).
  void Warning(const Status& status);

  // Appends the record (AppendRunRecord) and, with --metrics-file, writes its metrics
  // (WriteRunMetrics), warning when either cannot be done, and returns the record's exit code:
  // the one main returns.
  int Finish(const RunRecord& record, const Environment& env, const CommonOptions& common = {});

  // A run that failed before its work began (a manifest that does not parse, a missing
  // credential): the error on stderr, and a failure record in the run log like any other, named
  // after the manifest's file (pipelines/<name>.json), so that notify attaches it to its pipeline.
  int FailEarly(const Status& status, const std::string& manifest_path, const Environment& env,
                const CommonOptions& common = {});

 private:
  std::string name_;
  std::ostream& err_;
  std::chrono::system_clock::time_point started_;
};

}  // namespace sluice::pipeline
