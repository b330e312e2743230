#include "pr/command_line.h"

#include <filesystem>
#include <regex>

#include <fmt/format.h>

#include "core/fs.h"
#include "json/json.h"
#include "pipeline/manifest.h"
#include "pr/data_pr.h"

namespace sluice::pr {
namespace {

namespace fs = std::filesystem;

Result<std::string> ReadOptional(const std::string& file, const std::string& flag) {
  if (file.empty()) return std::string();
  auto text = ReadFile(file);
  if (!text.ok()) return text.status().WithContext(flag);
  return text;
}

// The manifest's "labels" overrides (schemas/pipeline.schema.json).
void ApplyLabelNames(const pipeline::Manifest& manifest, ReviewPolicy& policy) {
  if (!manifest.document) return;
  const rapidjson::Value* labels = json::Member(*manifest.document, "labels");
  if (labels == nullptr || !labels->IsObject()) return;
  policy.auto_approve_label = json::StringOr(*labels, "auto_approve", policy.auto_approve_label);
  policy.needs_review_label = json::StringOr(*labels, "needs_review", policy.needs_review_label);
  policy.hold_label = json::StringOr(*labels, "hold", policy.hold_label);
}

Status FromManifest(const CommandLine& cli, const Environment& env, DataPrRequest& request) {
  auto manifest = pipeline::LoadManifest(cli.targets[0], request.workspace, env);
  if (!manifest.ok()) return manifest.status();
  std::vector<std::string> outputs;
  for (const auto& source : manifest->sources) outputs.push_back(source.output);
  std::vector<std::string> requested(cli.targets.begin() + 1, cli.targets.end());
  auto targets = CollectDeclared(request.workspace, outputs, requested);
  if (!targets.ok()) return targets.status();
  request.targets = std::move(*targets);
  request.pipeline = manifest->name;
  request.inputs.description = manifest->description;
  request.inputs.staging = manifest->staging_target;
  request.inputs.staging_url = manifest->staging_url;
  request.inputs.runbook = manifest->runbook;
  request.policy.review = manifest->review;
  for (const auto& owner : {manifest->primary_owner, manifest->secondary_owner}) {
    if (owner && !owner->github.empty()) request.policy.owners.push_back(owner->github);
  }
  ApplyLabelNames(*manifest, request.policy);
  return Status::Ok();
}

Status AdHoc(const CommandLine& cli, DataPrRequest& request) {
  static const std::regex kName("[a-z0-9][a-z0-9-]{0,99}");
  if (!std::regex_match(cli.pipeline, kName)) {
    return UsageError(fmt::format("--pipeline '{}': use lower-case letters, digits and dashes (it names the branch "
                                  "sluice/<pipeline>)", cli.pipeline));
  }
  auto targets = CollectNamed(request.workspace, cli.targets);
  if (!targets.ok()) return targets.status();
  request.targets = std::move(*targets);
  request.pipeline = cli.pipeline;
  return Status::Ok();
}

Status ReadReports(const CommandLine& cli, PrInputs& inputs) {
  if (!cli.validation_report.empty()) {
    auto summary = ReadValidationReport(cli.validation_report);
    if (!summary.ok()) return summary.status().WithContext("--validation-report");
    inputs.validation = std::move(*summary);
  }
  auto validation = ReadOptional(cli.validation_markdown, "--validation-markdown");
  if (!validation.ok()) return validation.status();
  inputs.validation_markdown = std::move(*validation);
  auto diff = ReadOptional(cli.diff_markdown, "--diff-markdown");
  if (!diff.ok()) return diff.status();
  inputs.diff_markdown = std::move(*diff);
  return Status::Ok();
}

Result<PrReport> Run(const CommandLine& cli, const Environment& env, std::string& pipeline_name) {
  DataPrRequest request;
  fs::path workspace = fs::absolute(cli.workspace.empty() ? env.GetOr("GITHUB_WORKSPACE", ".") : cli.workspace);
  request.workspace = workspace.lexically_normal();
  if (!request.workspace.has_filename()) request.workspace = request.workspace.parent_path();  // "/repo/" -> "/repo"
  request.base = cli.base;
  SLUICE_RETURN_IF_ERROR(cli.pipeline.empty() ? FromManifest(cli, env, request) : AdHoc(cli, request));
  pipeline_name = request.pipeline;
  request.inputs.pipeline = request.pipeline;
  request.inputs.run_url = pipeline::RunUrl(env);
  SLUICE_RETURN_IF_ERROR(ReadReports(cli, request.inputs));
  if (cli.local) return CommitLocally(request);
  auto config = github::ApiConfigFromEnv(env, cli.repository, cli.token_env);
  if (!config.ok()) return config.status();
  config->rate_limit_budget = std::chrono::seconds(cli.rate_limit_wait);
  return OpenDataPr(request, std::move(*config));
}

}  // namespace

void AddPrOptions(CLI::App& app, CommandLine& cli) {
  app.add_option("target", cli.targets, "A pipeline manifest, optionally followed by some of its outputs; with "
                                        "--pipeline, the files and folders to commit")
      ->required();
  app.add_option("--pipeline", cli.pipeline, "Ad hoc: the pipeline name (branch sluice/<name>); the targets are then "
                                             "files or folders of the workspace");
  app.add_option("--base", cli.base, "Branch the data branch is built on (default: the repository's default branch; "
                                     "with --local, the checked-out branch)");
  app.add_option("--workspace", cli.workspace, "The checkout's root (default: $GITHUB_WORKSPACE, else the current directory)");
  app.add_option("--repo", cli.repository, "owner/name (default: $GITHUB_REPOSITORY)");
  app.add_option("--token-env", cli.token_env, "Environment variable holding the GitHub token")->capture_default_str();
  app.add_option("--validation-report", cli.validation_report, "sluice-validate --json output: sets the sluice/validate "
                                                               "status and decides auto-approval");
  app.add_option("--validation-markdown", cli.validation_markdown, "Markdown of the validation for the PR body");
  app.add_option("--diff-markdown", cli.diff_markdown, "sluice-diff --markdown output for the PR body");
  app.add_option("--rate-limit-wait", cli.rate_limit_wait, "Most seconds to wait for GitHub's rate limits over the run")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--local", cli.local, "Commit onto the local branch sluice/<name> with libgit2 and print the PR that "
                                     "would be opened; no GitHub, no token");
}

PrRun RunFromCommandLine(const CommandLine& cli, const Environment& env) {
  PrRun run{"", InternalError("not run")};
  run.report = Run(cli, env, run.pipeline);
  return run;
}

pipeline::RunRecord RunRecordFor(const PrRun& run, int exit_code, std::chrono::system_clock::time_point started) {
  pipeline::RunRecord record = pipeline::NewRunRecord("sluice-pr", run.pipeline, run.report.status(), exit_code, started);
  if (!run.report.ok()) return record;
  const PrReport& report = *run.report;
  record.status = report.changed() ? "success" : "unchanged";
  record.message = report.changed() ? fmt::format("{} on {}{}", OutcomeName(report.outcome), report.branch,
                                                  report.pr_url.empty() ? "" : ": " + report.pr_url)
                                    : "no change to commit";
  record.counts = {{"files_changed", static_cast<std::int64_t>(report.changes.size())},
                   {"added", static_cast<std::int64_t>(report.Count(ChangeKind::kAdd))},
                   {"modified", static_cast<std::int64_t>(report.Count(ChangeKind::kModify))},
                   {"deleted", static_cast<std::int64_t>(report.Count(ChangeKind::kDelete))},
                   {"unchanged", static_cast<std::int64_t>(report.unchanged)},
                   {"requests", report.requests},
                   {"writes", report.writes}};
  if (!report.pr_url.empty()) record.links["pr"] = report.pr_url;
  return record;
}

}  // namespace sluice::pr
