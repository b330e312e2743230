// sluice-validate: the checks that decide whether a data PR may ship by itself, needs a
// person, or must not be opened.
#include <iostream>

#include "actions_io/actions_io.h"
#include "checks/command_line.h"
#include "checks/report.h"
#include "core/cli.h"
#include "core/env.h"
#include "pipeline/tool_run.h"

using namespace sluice;

int main(int argc, char** argv) {
  pipeline::ToolRun tool("sluice-validate", std::cerr);
  CLI::App app{"Validate a pipeline's outputs: JSON Schema and data-quality checks (counts, changes against the\n"
               "previous version in git, nulls, ranges, patterns, duplicates, completeness, reconciliation,\n"
               "anomalies, freshness). Exit 1 when a check of severity error fails; warnings alone exit 0."};
  app.name(tool.name());
  CommonOptions common;
  SetUpCommandLine(app, common, "sluice-validate pipelines/cases.json   |   sluice-validate --schema s.json --checks checks.json --previous-file old.csv data.csv");
  checks::CommandLine cli;
  checks::AddValidateOptions(app, cli);
  if (auto code = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *code;

  Environment env = Environment::Process();
  if (cli.explain) {
    auto page = checks::ExplainFromCommandLine(cli, env);
    if (!page.ok()) return tool.Error(page.status());
    std::cout << *page;
    return kExitOk;
  }
  if (cli.self_test) {
    auto self_test = checks::SelfTestFromCommandLine(cli, env);
    if (!self_test.ok()) return tool.Error(self_test.status());
    actions::ActionsIo io(env, std::cout);
    std::cout << checks::SelfTestText(*self_test);
    tool.Warning(io.AppendSummary(checks::SelfTestMarkdown(*self_test)));
    return self_test->broken() == 0 ? kExitOk : kExitNo;
  }
  checks::ValidateRun run = checks::RunFromCommandLine(cli, env);
  actions::ActionsIo io(env, std::cout);
  io.MaskRegisteredSecrets();
  int exit_code = run.report.ok() ? checks::ExitCodeFor(*run.report) : run.report.status().exit_code();
  if (!run.report.ok()) {
    tool.Error(run.report.status());
  } else {
    Status published = checks::PublishToActions(*run.report, io);
    std::cout << (common.json ? checks::ReportJson(*run.report) + "\n" : checks::ReportText(*run.report));
    tool.Warning(published);
  }
  return tool.Finish(checks::RunRecordFor(run, exit_code, tool.started()), env, common);
}
