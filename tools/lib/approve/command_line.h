// sluice-approve's options, and running them: on a schedule (every open sluice PR) or on a
// pull_request labeled/unlabeled event (that PR only), as of the clock or of --now.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "approve/gate.h"
#include "core/env.h"
#include "pipeline/run_record.h"

namespace sluice::approve {

struct CommandLine {
  std::string workspace;
  std::string repository;  // owner/name (default $GITHUB_REPOSITORY)
  std::string token_env = "GITHUB_TOKEN";
  std::string approve_token_env;  // a second identity that approves
  std::string identity;           // default $SLUICE_IDENTITY, else github-actions[bot]
  std::string now;                // ISO-8601; default the clock
  std::string merge_method = "squash";
  std::string publish_workflow = "sluice-publish.yml";
  std::vector<std::string> required_checks;
  std::vector<std::string> binary_extensions;
  int pull = 0;
  bool dry_run = false;
  bool paused = false;
  bool require = false;  // exit 1 when nothing was merged
};

void AddApproveOptions(CLI::App& app, CommandLine& cli);

struct ApproveRun {
  Result<GateReport> report;
};

ApproveRun RunFromCommandLine(const CommandLine& cli, const Environment& env);
int ExitCodeFor(const GateReport& report, const CommandLine& cli);

// "2026-12-07T17:30:00Z" or with an offset ("2026-12-07T09:30:00-08:00"); UsageError otherwise.
Result<Time> ParseInstant(const std::string& text);

pipeline::RunRecord RunRecordFor(const ApproveRun& run, int exit_code, std::chrono::system_clock::time_point started);

}  // namespace sluice::approve
