// sluice-fetch: pull a pipeline's sources into the workspace, atomically.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "actions_io/actions_io.h"
#include "core/cli.h"
#include "core/env.h"
#include "core/secrets.h"
#include "fetch/fetcher.h"
#include "fetch/command_line.h"
#include "fetch/progress.h"
#include "fetch/report.h"
#include "pipeline/manifest.h"
#include "pipeline/run_record.h"

namespace fs = std::filesystem;
using namespace sluice;

int main(int argc, char** argv) {
  auto started = std::chrono::system_clock::now();
  CLI::App app{"Fetch a pipeline's sources (HTTP(S), file, command) with retries, limits and atomic writes.\n"
               "Every source is attempted; a failed one leaves its previous file untouched."};
  app.name("sluice-fetch");
  CommonOptions common;
  SetUpCommandLine(app, common, "sluice-fetch pipelines/cases.json   |   sluice-fetch --url https://x/y.csv --out y.csv");
  fetch::CommandLine cli;
  fetch::AddFetchOptions(app, cli);
  if (auto code = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *code;

  Environment env = Environment::Process();
  auto plan = fetch::PlanFromCommandLine(cli, env);
  if (!plan.ok()) {
    std::cerr << "sluice-fetch: " << Mask(plan.status().message()) << "\n";
    return plan.status().exit_code();
  }
  fetch::ProgressLine progress(std::cerr, ::isatty(STDERR_FILENO) != 0 && !common.json);
  plan->options.on_progress = [&progress](const std::string& name, const http::Progress& p) { progress.Update(name, p); };

  fetch::FetchReport report = fetch::FetchSources(plan->targets, plan->options);
  progress.Finish();
  Status status = report.status();

  actions::ActionsIo io(env, std::cout);
  Status published = fetch::PublishToActions(report, plan->pipeline, io);
  if (common.json) {
    std::cout << fetch::ReportJson(report, plan->pipeline) << "\n";
  } else {
    std::cout << fetch::ReportText(report);
  }
  if (!status.ok()) std::cerr << "sluice-fetch: " << Mask(status.message()) << "\n";
  if (!published.ok()) std::cerr << "sluice-fetch: warning: " << Mask(published.message()) << "\n";

  Status logged = pipeline::AppendRunRecord(fetch::RunRecordFor(report, plan->pipeline, status, started), env);
  if (!logged.ok()) std::cerr << "sluice-fetch: warning: " << Mask(logged.message()) << "\n";
  return status.exit_code();
}
