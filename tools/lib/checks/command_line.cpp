#include "checks/command_line.h"

#include <filesystem>

#include <fmt/format.h>

#include "checks/report.h"
#include "json/json.h"
#include "pipeline/explain.h"
#include "pipeline/manifest.h"

namespace sluice::checks {
namespace {

namespace fs = std::filesystem;

bool IsAdHoc(const CommandLine& cli) {
  return !cli.schema.empty() || !cli.checks_file.empty() || !cli.inline_checks.empty();
}

// --checks FILE (an array of checks, or an object with "checks" as in a manifest) and each
// --check JSON, in that order. `documents` keeps the parsed JSON alive.
Result<std::vector<CheckConfig>> AdHocChecks(const CommandLine& cli, std::vector<rapidjson::Document>& documents) {
  std::vector<CheckConfig> configs;
  documents.reserve(1 + cli.inline_checks.size());
  if (!cli.checks_file.empty()) {
    auto parsed = json::ParseFile(cli.checks_file);
    if (!parsed.ok()) return parsed.status().WithContext("--checks");
    documents.push_back(std::move(parsed).value());
    const rapidjson::Value* list = &documents.back();
    std::string prefix;
    if (list->IsObject() && list->HasMember("checks")) {
      list = &(*list)["checks"];
      prefix = "/checks";
    }
    if (!list->IsArray()) {
      return ConfigError(fmt::format("{}: {}: expected an array of checks (or {{\"checks\": [...]}}, as in a manifest)",
                                     cli.checks_file, prefix.empty() ? "(root)" : prefix));
    }
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      configs.push_back(CheckConfig{&(*list)[i], cli.checks_file, fmt::format("{}/{}", prefix, i), true});
    }
  }
  for (std::size_t i = 0; i < cli.inline_checks.size(); ++i) {
    std::string origin = fmt::format("--check #{}", i + 1);
    auto parsed = json::Parse(cli.inline_checks[i], origin);
    if (!parsed.ok()) return parsed.status();
    documents.push_back(std::move(parsed).value());
    configs.push_back(CheckConfig{&documents.back(), origin, "", true});
  }
  return configs;
}

Result<ValidationReport> RunAdHoc(const CommandLine& cli) {
  AdHocValidation request;
  request.data = cli.target;
  request.schema = cli.schema;
  auto format = pipeline::FormatFromFlag(cli.format, request.data);
  if (!format.ok()) return format.status();
  request.format = *format;
  if (!cli.previous_file.empty()) request.previous = fs::path(cli.previous_file);
  std::vector<rapidjson::Document> documents;
  auto checks = AdHocChecks(cli, documents);
  if (!checks.ok()) return checks.status();
  request.checks = std::move(checks).value();
  request.key = cli.key;
  request.allow = cli.allow;
  if (cli.max_depth > 0) request.max_depth = cli.max_depth;
  if (cli.records) {
    auto pattern = json::ParsePointerPattern(*cli.records);
    if (!pattern.ok()) return UsageError(fmt::format("--records '{}': {}", *cli.records, pattern.status().message()));
    request.records = std::move(pattern).value();
  }
  return ValidateFile(request);
}

}  // namespace

void AddValidateOptions(CLI::App& app, CommandLine& cli) {
  app.add_option("target", cli.target, "Pipeline manifest (relative to the workspace), or with --schema a data file")
      ->required();
  app.add_option("--schema", cli.schema, "Ad hoc: validate the data file against this JSON Schema");
  app.add_option("--previous-file", cli.previous_file, "Ad hoc: the previous version of the data, as a file");
  app.add_option("--checks", cli.checks_file,
                 "Ad hoc: run these checks (a JSON array in the manifest's check syntax, docs/checks.md) against "
                 "--previous-file");
  app.add_option("--check", cli.inline_checks,
                 "Ad hoc: one check as JSON, e.g. '{\"type\":\"row_count_change\",\"max_percent\":10}'; repeatable");
  app.add_option("--key", cli.key, "Ad hoc: the record key, for value_change and unique (comma-separated)")->delimiter(',');
  app.add_option("--format", cli.format, "Ad hoc: json, ndjson or csv (default: from the extension)");
  app.add_option("--records", cli.records,
                 "Ad hoc: where the records are inside a JSON document, a JSON pointer that may hold named wildcards "
                 "(/data/time_series/{series}/VALUES; docs/checks.md)");
  app.add_option("--workspace", cli.workspace, "Data repository root (default: $GITHUB_WORKSPACE, else the current directory)");
  app.add_option("--previous", cli.previous_revision,
                 "Git revision holding the previous version of each output (default HEAD: the base the data branch is built on)")
      ->capture_default_str();
  app.add_option("--allow", cli.allow,
                 "Accept this check's failure for this run only (a known correction); repeatable. Ids are in the report");
  app.add_option("--output", cli.outputs, "Validate only this output (source name); repeatable");
  app.add_flag("--no-schema", cli.no_schema, "Skip the JSON Schema check (data-quality checks only)");
  app.add_option("--max-depth", cli.max_depth,
                 "How deep objects and arrays may nest in a record (default: each source's max_depth, else 512); "
                 "deeper is exit 2 with its line and column")
      ->check(CLI::Range(1, 100000));
  app.add_flag("--self-test", cli.self_test,
               "Check the checks: samples in tests/<pipeline>/<output>/pass must pass, stubs in fail/ (merged onto "
               "the last good data) must fail");
  app.add_flag("--explain", cli.explain,
               "Print the pipeline's page in Markdown (purpose, sources, checks in plain words, owners, review, "
               "publishing, SLA, notifications, runbooks) and validate nothing");
}

namespace {

ValidateOptions OptionsFrom(const CommandLine& cli, const Environment& env) {
  ValidateOptions options;
  options.workspace = fs::absolute(cli.workspace.empty() ? env.GetOr("GITHUB_WORKSPACE", ".") : cli.workspace);
  options.previous_revision = cli.previous_revision;
  options.allow = cli.allow;
  options.only_outputs = cli.outputs;
  options.schema = !cli.no_schema;
  if (cli.max_depth > 0) options.max_depth = cli.max_depth;
  return options;
}

}  // namespace

Result<SelfTestReport> SelfTestFromCommandLine(const CommandLine& cli, const Environment& env) {
  if (IsAdHoc(cli)) return UsageError("--self-test needs a pipeline manifest, not --schema or --checks");
  ValidateOptions options = OptionsFrom(cli, env);
  auto manifest = pipeline::LoadManifest(cli.target, options.workspace, env);
  if (!manifest.ok()) return manifest.status();
  return RunSelfTest(*manifest, options);
}

Result<std::string> ExplainFromCommandLine(const CommandLine& cli, const Environment& env) {
  if (IsAdHoc(cli)) return UsageError("--explain needs a pipeline manifest, not --schema or --checks");
  ValidateOptions options = OptionsFrom(cli, env);
  auto manifest = pipeline::LoadManifest(cli.target, options.workspace, env);
  if (!manifest.ok()) return manifest.status();
  return pipeline::ExplainPipeline(*manifest);
}

ValidateRun RunFromCommandLine(const CommandLine& cli, const Environment& env) {
  if (IsAdHoc(cli)) return ValidateRun{"", RunAdHoc(cli)};
  if (!cli.previous_file.empty() || !cli.key.empty()) {
    return ValidateRun{"", UsageError("--previous-file and --key are for ad hoc use, with --schema or --checks; "
                                      "a manifest's previous version comes from git (--previous REV)")};
  }
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
  record.message = Verdict(report);
  std::int64_t records = 0;
  // Errors of the checks against the previous edition: sluice-notify tells "a threshold was
  // breached" (runbooks/threshold-breached.md) from "the data is malformed" by this count.
  std::int64_t threshold_errors = 0;
  for (const auto& o : report.outputs) {
    records += static_cast<std::int64_t>(o.records);
    for (const auto& c : o.checks) {
      bool threshold = c.type == "row_count_change" || c.type == "value_change" || c.type == "anomaly";
      threshold_errors += threshold && !c.passed && !c.overridden && c.severity == Severity::kError;
    }
  }
  // The first findings of failed checks, errors before warnings, for the incident issue.
  for (Severity wanted : {Severity::kError, Severity::kWarn}) {
    for (const auto& o : report.outputs) {
      for (const auto& c : o.checks) {
        if (c.passed || c.skipped || c.severity != wanted) continue;
        for (const auto& example : c.examples) {
          if (record.findings.size() == pipeline::kMaxRunFindings) break;
          record.findings.push_back({c.id, o.path, example.line, example.message});
        }
        if (c.examples.empty() && record.findings.size() < pipeline::kMaxRunFindings) {
          record.findings.push_back({c.id, o.path, 0, c.summary});
        }
      }
    }
  }
  record.counts = {{"outputs", static_cast<std::int64_t>(report.outputs.size())},
                   {"records", records},
                   {"errors", report.errors()},
                   {"warnings", report.warnings()},
                   {"passed", report.passed()},
                   {"threshold_errors", threshold_errors}};
  return record;
}

}  // namespace sluice::checks
