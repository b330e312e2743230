// sluice-fetch's options, and turning them (with the manifest) into a plan of targets.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/env.h"
#include "core/status.h"
#include "actions_io/actions_io.h"
#include "fetch/fetcher.h"
#include "pipeline/run_record.h"
#include "pipeline/schedule.h"

namespace sluice::fetch {

struct CommandLine {
  std::string manifest;  // pipelines/<name>.json
  std::vector<std::string> only_sources;
  std::string url;  // ad-hoc
  std::string out;
  std::string format;
  std::vector<std::string> headers;  // "Name: value", ${VAR} expanded
  std::string workspace;
  std::string state_file;
  bool no_state = false;
  std::string max_bytes;  // "500M"
  std::optional<int> timeout_seconds;
  std::optional<int> attempts;
  int retry_budget_seconds = 300;
  int parallel = 8;
  bool when_due = false;      // fetch only when the manifest's schedule says this run is due
  std::string schedule_state;  // the slot last run (default .sluice/state/<pipeline>.schedule.json)
  std::string now;             // the moment to decide at (ISO-8601 with offset), for tests and dry runs
};

void AddFetchOptions(CLI::App& app, CommandLine& cli);

struct FetchPlan {
  std::string pipeline;  // "" for ad-hoc
  std::vector<FetchTarget> targets;
  FetchOptions options;
  // With --when-due: whether this run is due (pipeline/schedule.h). A due slot is recorded as
  // run before anything is fetched, so each slot runs once, however many cron ticks fall in it.
  std::optional<pipeline::ScheduleDecision> schedule;
};

// A run that was not due: said on the terminal and in the step summary, due=false (and
// changed=false) for the steps after, and a "skipped" run record that sluice-notify announces.
Status PublishSkipped(const FetchPlan& plan, actions::ActionsIo& io);
std::string SkippedReport(const FetchPlan& plan, bool json);
pipeline::RunRecord SkippedRunRecord(const FetchPlan& plan, std::chrono::system_clock::time_point started);

Result<FetchPlan> PlanFromCommandLine(const CommandLine& cli, const Environment& env);

// "1048576", "512K", "100M", "2G" (binary units) -> bytes.
Result<std::uint64_t> ParseByteSize(const std::string& text);

pipeline::RunRecord RunRecordFor(const FetchReport& report, const std::string& pipeline, const Status& status,
                                 std::chrono::system_clock::time_point started);

}  // namespace sluice::fetch
