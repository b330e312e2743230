// sluice-pr's options, and running them: the manifest form (`sluice-pr pipelines/x.json`) and
// the ad-hoc form (`sluice-pr --pipeline NAME PATH...`), against GitHub or --local.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/env.h"
#include "pipeline/run_record.h"
#include "pr/report.h"

namespace sluice::pr {

struct CommandLine {
  std::vector<std::string> targets;  // a manifest and optionally some of its outputs; with --pipeline, PATHs
  std::string pipeline;              // ad hoc
  std::string base;
  std::string workspace;
  std::string repository;  // owner/name
  std::string token_env = "GITHUB_TOKEN";
  std::string validation_report;
  std::string validation_markdown;
  std::string diff_markdown;
  int rate_limit_wait = 600;  // seconds
  bool local = false;
};

void AddPrOptions(CLI::App& app, CommandLine& cli);

struct PrRun {
  std::string pipeline;
  Result<PrReport> report;
};

PrRun RunFromCommandLine(const CommandLine& cli, const Environment& env);

pipeline::RunRecord RunRecordFor(const PrRun& run, int exit_code, std::chrono::system_clock::time_point started);

}  // namespace sluice::pr
