// sluice-validate: the checks that decide whether a data PR may ship by itself, needs a
// person, or must not be opened.
#include <chrono>
#include <iostream>

#include "actions_io/actions_io.h"
#include "checks/command_line.h"
#include "checks/report.h"
#include "core/cli.h"
#include "core/env.h"
#include "core/secrets.h"
#include "pipeline/run_record.h"

using namespace sluice;

int main(int argc, char** argv) {
  auto started = std::chrono::system_clock::now();
  CLI::App app{"Validate a pipeline's outputs: JSON Schema and data-quality checks (counts, changes against the\n"
               "previous version in git, nulls, ranges, patterns, duplicates, completeness, reconciliation,\n"
               "anomalies, freshness). Exit 1 when a check of severity error fails; warnings alone exit 0."};
  app.name("sluice-validate");
  CommonOptions common;
  SetUpCommandLine(app, common, "sluice-validate pipelines/cases.json   |   sluice-validate --schema s.json data.csv");
  checks::CommandLine cli;
  checks::AddValidateOptions(app, cli);
  if (auto code = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *code;

  Environment env = Environment::Process();
  if (cli.self_test) {
    auto self_test = checks::SelfTestFromCommandLine(cli, env);
    if (!self_test.ok()) {
      std::cerr << "sluice-validate: " << Mask(self_test.status().message()) << "\n";
      return self_test.status().exit_code();
    }
    actions::ActionsIo io(env, std::cout);
    std::cout << checks::SelfTestText(*self_test);
    Status summarised = io.AppendSummary(checks::SelfTestMarkdown(*self_test));
    if (!summarised.ok()) std::cerr << "sluice-validate: warning: " << Mask(summarised.message()) << "\n";
    return self_test->broken() == 0 ? kExitOk : kExitNo;
  }
  checks::ValidateRun run = checks::RunFromCommandLine(cli, env);
  actions::ActionsIo io(env, std::cout);
  io.MaskRegisteredSecrets();
  int exit_code = run.report.ok() ? checks::ExitCodeFor(*run.report) : run.report.status().exit_code();
  if (!run.report.ok()) {
    std::cerr << "sluice-validate: " << Mask(run.report.status().message()) << "\n";
  } else {
    Status published = checks::PublishToActions(*run.report, io);
    std::cout << (common.json ? checks::ReportJson(*run.report) + "\n" : checks::ReportText(*run.report));
    if (!published.ok()) std::cerr << "sluice-validate: warning: " << Mask(published.message()) << "\n";
  }
  Status logged = pipeline::AppendRunRecord(checks::RunRecordFor(run, exit_code, started), env);
  if (!logged.ok()) std::cerr << "sluice-validate: warning: " << Mask(logged.message()) << "\n";
  return exit_code;
}
