// sluice-approve: approve and merge the data PRs whose gate is open (label or approval, no hold,
// checks green, only data, inside the publish window), with the sha guard, then start publishing.
#include <iostream>

#include <fmt/format.h>

#include "actions_io/actions_io.h"
#include "approve/command_line.h"
#include "approve/report.h"
#include "core/cli.h"
#include "core/env.h"
#include "pipeline/tool_run.h"

using namespace sluice;

int main(int argc, char** argv) {
  pipeline::ToolRun tool("sluice-approve", std::cerr);
  CLI::App app{"Approve and merge eligible data PRs: on a sluice/ branch, opened by sluice's identity, carrying\n"
               "sluice:auto-approve (auto pipelines), a due time label (sluice:publish-at-HH:MM, sluice:publish-now)\n"
               "or a reviewer's approval; never with sluice:hold (it beats every label), never while paused\n"
               "(SLUICE_PAUSED); every check green, sluice/validate set by sluice; only the pipeline's data files,\n"
               "plain text; inside the publish window (manifest publish.window, in its time zone). Merges with the\n"
               "head sha guard, then starts the publish workflow. Every PR not merged is reported with its reasons.\n"
               "PRs labelled sluice:rollup are first folded into one PR on sluice/rollup that publishes together.\n"
               "Runbooks: runbooks/approval-refused.md, runbooks/pausing-and-resuming.md."};
  app.name(tool.name());
  CommonOptions common;
  SetUpCommandLine(app, common,
                   "sluice-approve                         # scheduled pass: every open sluice PR\n"
                   "  sluice-approve --dry-run --now 2026-12-07T09:05:00-08:00   # what would merge at 09:05 LA time\n"
                   "  sluice-approve --pr 42 --approve-token-env SLUICE_APPROVER_TOKEN");
  approve::CommandLine cli;
  approve::AddApproveOptions(app, cli);
  if (auto code = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *code;

  Environment env = Environment::Process();
  approve::ApproveRun run = approve::RunFromCommandLine(cli, env);
  actions::ActionsIo io(env, std::cout);
  io.MaskRegisteredSecrets();
  int exit_code = run.report.ok() ? approve::ExitCodeFor(*run.report, cli) : run.report.status().exit_code();
  if (!run.report.ok()) {
    tool.Error(run.report.status());
  } else {
    Status published = approve::PublishToActions(*run.report, io);
    std::cout << (common.json ? approve::ReportJson(*run.report) + "\n" : approve::ReportText(*run.report));
    for (const auto& pull : run.report->pulls) {
      if (!pull.error.ok()) tool.Error(pull.error.WithContext(fmt::format("#{}", pull.number)));
    }
    tool.Warning(published);
  }
  return tool.Finish(approve::RunRecordFor(run, exit_code, tool.started()), env, common);
}
