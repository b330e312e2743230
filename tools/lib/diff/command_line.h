// sluice-diff's options, and running them: a pipeline's outputs against a git revision, or two
// files named on the command line.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/env.h"
#include "diff/diff.h"
#include "pipeline/run_record.h"

namespace sluice::diff {

struct CommandLine {
  std::vector<std::string> targets;  // a manifest, or OLD NEW
  std::string against = "HEAD";
  std::string workspace;
  std::vector<std::string> key;     // overrides the manifest's
  std::vector<std::string> ignore;  // added to the sources' volatile fields
  std::size_t max_depth = 0;        // 0: each source's max_depth, else json::kDefaultMaxDepth
  std::vector<std::string> outputs;
  std::string format;  // ad hoc
  std::optional<std::string> records;  // ad hoc: where the records are inside a JSON document
  std::string trend_field;
  std::size_t trend_history = 10;
  std::string markdown_file;
  bool exit_code = false;
};

void AddDiffOptions(CLI::App& app, CommandLine& cli);

struct DiffRun {
  std::string pipeline;
  Result<DiffReport> report;
};

DiffRun RunFromCommandLine(const CommandLine& cli, const Environment& env);

// 1 when something changed and --exit-code was given (as `git diff --exit-code`), else 0.
int ExitCodeFor(const DiffReport& report, const CommandLine& cli);

pipeline::RunRecord RunRecordFor(const DiffRun& run, int exit_code, std::chrono::system_clock::time_point started);

}  // namespace sluice::diff
