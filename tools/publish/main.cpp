// sluice-publish: merged data to storage; changed files only, verified, the manifest last.
#include <unistd.h>

#include <iostream>

#include "actions_io/actions_io.h"
#include "core/cli.h"
#include "core/env.h"
#include "pipeline/tool_run.h"
#include "publish/command_line.h"
#include "publish/report.h"

using namespace sluice;

int main(int argc, char** argv) {
  pipeline::ToolRun tool("sluice-publish", std::cerr);
  CLI::App app{"Publish what was merged to storage: the files of a commit (--ref, default HEAD; never the working\n"
               "tree), or ad hoc a directory (--from). Only files whose sha256 differs from the target's\n"
               "_sluice/manifest.json are uploaded; each is confirmed (read back and compared; on Azure a file put\n"
               "in blocks by its committed block list); the manifest is written last,\n"
               "so readers never see a half-updated set; then _sluice/status.json. One publisher at a time per\n"
               "target (a conditional write of the manifest): a second one stops with exit 4. Publishing an older\n"
               "--ref rolls back. Outside CI, --target production is a dry run unless --yes.\n"
                "Targets: file:///dir; az://account/container/prefix (AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN,\n"
                "or AZURE_STORAGE_CONNECTION_STRING; AZURE_STORAGE_BLOB_ENDPOINT for an emulator such as Azurite);\n"
                "s3://bucket/prefix (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL_S3);\n"
                "gs://bucket/prefix (GOOGLE_HMAC_ACCESS_KEY_ID, GOOGLE_HMAC_SECRET). Up to --parallel uploads at once."};
  app.name(tool.name());
  CommonOptions common;
  SetUpCommandLine(app, common,
                   "sluice-publish pipelines/cases.json --target staging\n"
                   "  sluice-publish pipelines/cases.json --target production --ref HEAD~1 --yes   # roll back\n"
                   "  sluice-publish --from out/ --to file:///srv/www/data --dry-run\n"
                   "  AZURE_STORAGE_KEY=... sluice-publish --ref main --to az://myaccount/data/covid data/ --parallel 16\n"
                   "  sluice-publish --ref main --to file:///srv/www/data data/");
  publish::CommandLine cli;
  publish::AddPublishOptions(app, cli);
  if (auto code = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *code;

  Environment env = Environment::Process();
  publish::UploadProgressLine progress(std::cerr, ::isatty(STDERR_FILENO) != 0 && !common.json);
  publish::PublishRun run =
      publish::RunFromCommandLine(cli, env, [&progress](std::size_t done, std::size_t total) { progress.Update(done, total); });
  progress.Finish();
  actions::ActionsIo io(env, std::cout);
  io.MaskRegisteredSecrets();
  const int exit_code = run.report.status().exit_code();
  if (!run.report.ok()) {
    tool.Error(run.report.status());
    tool.Warning(publish::PublishFailure(run, run.report.status(), io));
  } else {
    Status published = publish::PublishToActions(run, io);
    std::cout << (common.json ? publish::ReportJson(run) + "\n" : publish::ReportText(run));
    tool.Warning(published);
  }
  return tool.Finish(publish::RunRecordFor(run, exit_code, tool.started()), env, common);
}
