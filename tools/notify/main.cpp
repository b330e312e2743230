// sluice-notify: tell the team in Slack what a run did (routed by event, owners mentioned, the
// runbook linked), or, with --watch, which pipelines' production data is older than its SLA.
#include <iostream>

#include "actions_io/actions_io.h"
#include "core/cli.h"
#include "core/env.h"
#include "notify/command_line.h"
#include "notify/metrics.h"
#include "notify/report.h"
#include "pipeline/tool_run.h"

using namespace sluice;

int main(int argc, char** argv) {
  pipeline::ToolRun tool("sluice-notify", std::cerr);
  CLI::App app{"Announce a run in Slack from its run records ($SLUICE_RUN_LOG) and the manifest's notify routes:\n"
               "failures to the incident channel with the owners mentioned (the secondary owner too after\n"
               "consecutive failures) and the runbook page of the failure class; network errors after retries\n"
               "and runs skipped on purpose to a quieter channel; published data and data PRs to the data channel.\n"
               "With SLACK_BOT_TOKEN: one top post per run, a reply per step in its thread, a reaction for the\n"
               "outcome, and the same error within an hour replies in its first thread (--state keeps threads).\n"
               "Without it: the route's incoming webhook (webhook_env). A post Slack refuses is a failure (exit 3).\n"
               "--watch: notify the owners of each pipeline whose production data (_sluice/status.json written by\n"
               "sluice-publish) is older than sla.max_age_hours. Environment: SLACK_BOT_TOKEN, the webhook\n"
               "variables the routes name, SLACK_API_URL (default https://slack.com/api), SLUICE_RUNBOOKS_URL.\n"
               "With notify.incident_issue in the manifest, a failure also opens one GitHub issue per incident\n"
               "(label sluice:incident; GITHUB_TOKEN with issues: write, GITHUB_REPOSITORY, GITHUB_API_URL): a repeat\n"
               "comments on it, the next run that does its job closes it, the Slack post links it. What GitHub\n"
               "refuses is a warning: the Slack post goes out, the exit code is 2 (permission) or 3 (GitHub failed).\n"
               "Runbooks: runbooks/incident-response.md, runbooks/sla-missed.md."};
  app.name(tool.name());
  CommonOptions common;
  SetUpCommandLine(app, common,
                   "sluice-notify pipelines/cases.json --state .sluice/notify-state.json --job-status failure\n"
                   "  sluice-notify pipelines/cases.json --dry-run                  # print the payloads, send nothing\n"
                   "  sluice-notify --watch pipelines/cases.json pipelines/deaths.json --state .sluice/notify-state.json");
  notify::CommandLine cli;
  notify::AddNotifyOptions(app, cli);
  if (auto code = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *code;

  Environment env = Environment::Process();
  notify::NotifyRun run = notify::RunFromCommandLine(cli, env);
  actions::ActionsIo io(env, std::cout);
  io.MaskRegisteredSecrets();
  int exit_code = run.report.ok() ? run.report->exit_code() : run.report.status().exit_code();
  if (!run.report.ok()) {
    tool.Error(run.report.status());
  } else {
    std::cout << (common.json ? notify::ReportJson(*run.report) + "\n" : notify::ReportText(*run.report));
    tool.Error(run.report->status());
    for (const Status& warning : run.report->warnings()) tool.Warning(warning);  // the incident issue's
    tool.Warning(notify::PublishToActions(*run.report, io));
  }
  if (!common.metrics_file.empty()) tool.Warning(notify::WriteRunLogMetrics(common.metrics_file, cli.run_log, env));
  return tool.Finish(notify::RunRecordFor(run, exit_code, tool.started()), env, common);
}
