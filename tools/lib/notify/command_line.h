// sluice-notify's options, and running them: a run's notice
// (`sluice-notify pipelines/<name>.json`, reading $SLUICE_RUN_LOG) or the SLA watch
// (`sluice-notify --watch pipelines/*.json`).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/env.h"
#include "notify/notifier.h"
#include "notify/oncall.h"
#include "notify/watch.h"
#include "pipeline/run_record.h"

namespace sluice::notify {

struct CommandLine {
  std::vector<std::string> manifests;
  std::string workspace;
  std::string run_log;       // default $SLUICE_RUN_LOG
  std::string state;         // the thread state file
  std::string now;           // ISO-8601; tests and replays
  std::string run_id;        // default $GITHUB_RUN_ID
  std::string job_status;    // ${{ job.status }}
  std::string runbooks_url;  // where runbooks/<class>.md live
  std::string github_token_env = "GITHUB_TOKEN";  // the incident issue's token (notify.incident_issue)
  int min_interval_ms = 1100;
  std::string at;            // --who-is-on-call: the moment asked about (default --now, else now)
  bool watch = false;
  bool dry_run = false;
  bool who_is_on_call = false;
};

void AddNotifyOptions(CLI::App& app, CommandLine& cli);

struct NotifyReport {
  bool dry_run = false;
  bool watch = false;
  std::vector<Notice> notices;
  std::vector<Freshness> freshness;  // the watch: every pipeline checked
  std::vector<Status> problems;      // the watch: pipelines that could not be checked
  std::vector<std::pair<std::string, OnCallAnswer>> on_call;  // --who-is-on-call: by pipeline
  SlackCounters counters;

  // The first failure: a problem, else a notice that could not be sent.
  Status status() const;
  // What GitHub refused or failed about an incident issue: a warning (the Slack post went out).
  std::vector<Status> warnings() const;
  // status()'s exit code; else a warning's (2 for a missing permission or token, 3 for GitHub
  // failing after retries: DESIGN.md); else 1 when the watch found late data; else 0.
  int exit_code() const;
  int late() const;
};

struct NotifyRun {
  std::string pipeline;  // the manifest's name; "" for the watch
  Result<NotifyReport> report;
  std::chrono::system_clock::time_point now;
};

NotifyRun RunFromCommandLine(const CommandLine& cli, const Environment& env);

pipeline::RunRecord RunRecordFor(const NotifyRun& run, int exit_code, std::chrono::system_clock::time_point started);

}  // namespace sluice::notify
