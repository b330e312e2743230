// sluice-validate's options, and running them.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "checks/engine.h"
#include "checks/self_test.h"
#include "core/env.h"
#include "pipeline/run_record.h"

namespace sluice::checks {

struct CommandLine {
  std::string target;  // a manifest (pipelines/<name>.json), or with --schema a data file
  std::string schema;  // ad hoc
  std::string previous_file;  // ad hoc: the previous version as a file
  std::string checks_file;    // ad hoc: checks in the manifest's syntax
  std::vector<std::string> inline_checks;  // ad hoc: --check '{"type": ...}'
  std::vector<std::string> key;            // ad hoc: the record key
  std::string format;  // ad hoc
  std::optional<std::string> records;  // ad hoc: where the records are inside a JSON document
  std::string workspace;
  std::string previous_revision = "HEAD";
  std::vector<std::string> allow;
  std::vector<std::string> outputs;
  bool no_schema = false;
  std::size_t max_depth = 0;  // 0: each source's max_depth, else json::kDefaultMaxDepth
  bool self_test = false;
  bool explain = false;  // print the pipeline's page (pipeline/explain.h) instead of validating
};

void AddValidateOptions(CLI::App& app, CommandLine& cli);

struct ValidateRun {
  std::string pipeline;
  Result<ValidationReport> report;
};

// Loads the manifest (or sets up the ad hoc run) and validates.
ValidateRun RunFromCommandLine(const CommandLine& cli, const Environment& env);

// --self-test: the pipeline's pass/ and fail/ samples (checks/self_test.h).
Result<SelfTestReport> SelfTestFromCommandLine(const CommandLine& cli, const Environment& env);

// --explain: the pipeline's page in Markdown (pipeline/explain.h).
Result<std::string> ExplainFromCommandLine(const CommandLine& cli, const Environment& env);

// 0 when nothing failed at error severity, 1 when something did.
int ExitCodeFor(const ValidationReport& report);

pipeline::RunRecord RunRecordFor(const ValidateRun& run, int exit_code, std::chrono::system_clock::time_point started);

}  // namespace sluice::checks
