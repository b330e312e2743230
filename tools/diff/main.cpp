// sluice-diff: what changed in the data, for the reviewers (Markdown for the PR body) and for
// the chain (changed=true|false).
#include <iostream>

#include "actions_io/actions_io.h"
#include "core/cli.h"
#include "core/env.h"
#include "core/fs.h"
#include "core/secrets.h"
#include "diff/command_line.h"
#include "diff/report.h"
#include "pipeline/tool_run.h"

using namespace sluice;

int main(int argc, char** argv) {
  pipeline::ToolRun tool("sluice-diff", std::cerr);
  CLI::App app{"Show what changed in a pipeline's outputs against their committed version (or between two files):\n"
               "rows added, removed and changed by key, cell deltas, schema drift, duplicate keys; order-only and\n"
               "volatile-field changes do not count. Writes Markdown for the PR body and changed=true|false."};
  app.name(tool.name());
  CommonOptions common;
  SetUpCommandLine(app, common, "sluice-diff pipelines/cases.json   |   sluice-diff --key date,county old.csv new.csv");
  diff::CommandLine cli;
  diff::AddDiffOptions(app, cli);
  if (auto code = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *code;

  Environment env = Environment::Process();
  diff::DiffRun run = diff::RunFromCommandLine(cli, env);
  actions::ActionsIo io(env, std::cout);
  io.MaskRegisteredSecrets();
  int exit_code = run.report.ok() ? diff::ExitCodeFor(*run.report, cli) : run.report.status().exit_code();
  Status written;  // the --markdown file
  if (!run.report.ok()) {
    tool.Error(run.report.status());
  } else {
    std::string markdown = diff::ReportMarkdown(*run.report);
    if (!cli.markdown_file.empty()) {
      written = WriteFileAtomically(cli.markdown_file, markdown).WithContext("--markdown " + cli.markdown_file);
    }
    if (!written.ok()) exit_code = tool.Error(written);
    Status published = diff::PublishToActions(*run.report, io, markdown, cli.markdown_file);
    std::cout << (common.json ? diff::ReportJson(*run.report) + "\n" : diff::ReportText(*run.report));
    tool.Warning(published);
  }
  pipeline::RunRecord record = diff::RunRecordFor(run, exit_code, tool.started());
  if (!written.ok()) {  // the diff worked, but the PR body it was asked for is missing
    record.status = "failure";
    record.message = Mask(written.message());
  }
  return tool.Finish(record, env, common);
}
