// sluice-pr: a pipeline's changed files as one commit on sluice/<pipeline>, and one data PR
// per pipeline, updated in place.
#include <iostream>

#include "actions_io/actions_io.h"
#include "core/cli.h"
#include "core/env.h"
#include "pipeline/tool_run.h"
#include "pr/command_line.h"
#include "pr/report.h"

using namespace sluice;

int main(int argc, char** argv) {
  pipeline::ToolRun tool("sluice-pr", std::cerr);
  CLI::App app{"Commit a pipeline's changed outputs as ONE commit on branch sluice/<pipeline>, rebuilt on the base\n"
               "branch's head, and open or update its data PR (labels by review policy, owners as reviewers, the\n"
               "sluice/validate status). Unchanged data writes nothing. Refuses (exit 4) paths outside the declared\n"
               "outputs, symlinks, and a branch carrying a commit sluice did not make.\n"
               "Needs $GITHUB_REPOSITORY and $GITHUB_TOKEN (contents: write, pull-requests: write), or --local."};
  app.name(tool.name());
  CommonOptions common;
  SetUpCommandLine(app, common,
                   "sluice-pr pipelines/cases.json --validation-report validate.json --diff-markdown diff.md\n"
                   "  sluice-pr --pipeline cases --base main data/cases.csv data/extra/\n"
                   "  sluice-pr pipelines/cases.json --local      # commit to the local branch, print the PR");
  pr::CommandLine cli;
  pr::AddPrOptions(app, cli);
  if (auto code = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *code;

  Environment env = Environment::Process();
  pr::PrRun run = pr::RunFromCommandLine(cli, env);
  actions::ActionsIo io(env, std::cout);
  io.MaskRegisteredSecrets();
  const int exit_code = run.report.status().exit_code();
  if (!run.report.ok()) {
    tool.Error(run.report.status());
    tool.Warning(pr::PublishFailure(run.pipeline, run.report.status(), io));
  } else {
    Status published = pr::PublishToActions(*run.report, io);
    std::cout << (common.json ? pr::ReportJson(*run.report) + "\n" : pr::ReportText(*run.report));
    tool.Warning(published);
  }
  return tool.Finish(pr::RunRecordFor(run, exit_code, tool.started()), env, common);
}
