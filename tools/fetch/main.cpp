// sluice-fetch: pull a pipeline's sources into the workspace, atomically.
#include <unistd.h>

#include <iostream>

#include "actions_io/actions_io.h"
#include "core/cli.h"
#include "core/env.h"
#include "fetch/fetcher.h"
#include "fetch/command_line.h"
#include "fetch/progress.h"
#include "fetch/report.h"
#include "pipeline/tool_run.h"

using namespace sluice;

int main(int argc, char** argv) {
  pipeline::ToolRun tool("sluice-fetch", std::cerr);
  CLI::App app{"Fetch a pipeline's sources (HTTP(S), file, command) with retries, limits and atomic writes.\n"
               "Every source is attempted; a failed one leaves its previous file untouched."};
  app.name(tool.name());
  CommonOptions common;
  SetUpCommandLine(app, common, "sluice-fetch pipelines/cases.json   |   sluice-fetch --url https://x/y.csv --out y.csv");
  fetch::CommandLine cli;
  fetch::AddFetchOptions(app, cli);
  if (auto code = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *code;

  Environment env = Environment::Process();
  auto plan = fetch::PlanFromCommandLine(cli, env);
  if (!plan.ok()) return tool.FailEarly(plan.status(), cli.manifest, env, common);
  if (plan->schedule && !plan->schedule->due) {
    actions::ActionsIo io(env, std::cout);
    std::cout << fetch::SkippedReport(*plan, common.json);
    tool.Warning(fetch::PublishSkipped(*plan, io));
    return tool.Finish(fetch::SkippedRunRecord(*plan, tool.started()), env, common);
  }
  fetch::ProgressLine progress(std::cerr, ::isatty(STDERR_FILENO) != 0 && !common.json);
  plan->options.on_progress = [&progress](const std::string& name, const http::Progress& p) { progress.Update(name, p); };

  fetch::FetchReport report = fetch::FetchSources(plan->targets, plan->options);
  progress.Finish();
  Status status = report.status();

  actions::ActionsIo io(env, std::cout);
  Status published = fetch::PublishToActions(report, plan->pipeline, io);
  if (plan->schedule) {
    std::cout << plan->pipeline << ": " << plan->schedule->reason << "\n";
    if (published.ok()) published = io.SetOutput("due", "true");
  }
  if (common.json) {
    std::cout << fetch::ReportJson(report, plan->pipeline) << "\n";
  } else {
    std::cout << fetch::ReportText(report);
  }
  tool.Error(status);
  tool.Warning(published);
  return tool.Finish(fetch::RunRecordFor(report, plan->pipeline, status, tool.started()), env, common);
}
