#include "checks/command_line.h"

#include <filesystem>

#include <fmt/format.h>

#include "pipeline/manifest.h"

namespace sluice::checks {
namespace {

namespace fs = std::filesystem;

Result<ValidationReport> RunAdHoc(const CommandLine& cli) {
  AdHocValidation request;
  request.data = cli.target;
  request.schema = cli.schema;
  auto format = pipeline::FormatFromFlag(cli.format, request.data);
  if (!format.ok()) return format.status();
  request.format = *format;
  if (!cli.previous_file.empty()) request.previous = fs::path(cli.previous_file);
  return ValidateFile(request);
}

}  // namespace

void AddValidateOptions(CLI::App& app, CommandLine& cli) {
  app.add_option("target", cli.target, "Pipeline manifest (relative to the workspace), or with --schema a data file")
      ->required();
  app.add_option("--schema", cli.schema, "Ad hoc: validate the data file against this JSON Schema");
  app.add_option("--previous-file", cli.previous_file, "Ad hoc: the previous version of the data, as a file");
  app.add_option("--format", cli.format, "Ad hoc: json, ndjson or csv (default: from the extension)");
  app.add_option("--workspace", cli.workspace, "Data repository root (default: $GITHUB_WORKSPACE, else the current directory)");
  app.add_option("--previous", cli.previous_revision,
                 "Git revision holding the previous version of each output (default HEAD: the base the data branch is built on)")
      ->capture_default_str();
  app.add_option("--allow", cli.allow,
                 "Accept this check's failure for this run only (a known correction); repeatable. Ids are in the report");
  app.add_option("--output", cli.outputs, "Validate only this output (source name); repeatable");
  app.add_flag("--no-schema", cli.no_schema, "Skip the JSON Schema check (data-quality checks only)");
  app.add_flag("--self-test", cli.self_test,
               "Check the checks: samples in tests/<pipeline>/<output>/pass must pass, stubs in fail/ (merged onto "
               "the last good data) must fail");
}

namespace {

ValidateOptions OptionsFrom(const CommandLine& cli, const Environment& env) {
  ValidateOptions options;
  options.workspace = fs::absolute(cli.workspace.empty() ? env.GetOr("GITHUB_WORKSPACE", ".") : cli.workspace);
  options.previous_revision = cli.previous_revision;
  options.allow = cli.allow;
  options.only_outputs = cli.outputs;
  options.schema = !cli.no_schema;
  return options;
}

}  // namespace

Result<SelfTestReport> SelfTestFromCommandLine(const CommandLine& cli, const Environment& env) {
  if (!cli.schema.empty()) return UsageError("--self-test needs a pipeline manifest, not --schema");
  ValidateOptions options = OptionsFrom(cli, env);
  auto manifest = pipeline::LoadManifest(cli.target, options.workspace, env);
  if (!manifest.ok()) return manifest.status();
  return RunSelfTest(*manifest, options);
}

ValidateRun RunFromCommandLine(const CommandLine& cli, const Environment& env) {
  if (!cli.schema.empty()) return ValidateRun{"", RunAdHoc(cli)};
  ValidateOptions options = OptionsFrom(cli, env);
  auto manifest = pipeline::LoadManifest(cli.target, options.workspace, env);
  if (!manifest.ok()) return ValidateRun{"", manifest.status()};
  for (const auto& name : cli.outputs) {
    if (manifest->FindSource(name) == nullptr) {
      return ValidateRun{manifest->name, UsageError(fmt::format("--output {}: the pipeline has no such source", name))};
    }
  }
  return ValidateRun{manifest->name, ValidatePipeline(*manifest, options)};
}

int ExitCodeFor(const ValidationReport& report) { return report.errors() > 0 ? kExitNo : kExitOk; }

pipeline::RunRecord RunRecordFor(const ValidateRun& run, int exit_code, std::chrono::system_clock::time_point started) {
  pipeline::RunRecord record =
      pipeline::NewRunRecord("sluice-validate", run.pipeline, run.report.status(), exit_code, started);
  if (!run.report.ok()) return record;
  const ValidationReport& report = *run.report;
  record.status = report.errors() > 0 ? "no" : "success";
  record.message = report.errors() > 0    ? fmt::format("{} check(s) failed", report.errors())
                   : report.warnings() > 0 ? fmt::format("passed with {} warning(s)", report.warnings())
                                           : "every check passed";
  std::int64_t records = 0;
  for (const auto& o : report.outputs) records += static_cast<std::int64_t>(o.records);
  record.counts = {{"outputs", static_cast<std::int64_t>(report.outputs.size())},
                   {"records", records},
                   {"errors", report.errors()},
                   {"warnings", report.warnings()},
                   {"passed", report.passed()}};
  return record;
}

}  // namespace sluice::checks
