#include "approve/command_line.h"

#include <filesystem>

#include <fmt/format.h>

#include "actions_io/actions_io.h"
#include "core/clock.h"
#include "git/repository.h"
#include "json/json.h"

namespace sluice::approve {
namespace {

namespace fs = std::filesystem;

bool Truthy(const std::string& value) { return value == "1" || value == "true" || value == "yes" || value == "on"; }

// The events whose payload names one PR: the gate then judges that PR only.
bool PullEvent(const std::string& name) {
  return name == "pull_request" || name == "pull_request_target" || name == "pull_request_review";
}

// The PR a pull_request event names, or 0 for any other event (schedule, dispatch).
Result<int> EventPull(const Environment& env) {
  if (!PullEvent(env.GetOr("GITHUB_EVENT_NAME", ""))) return 0;
  std::ostringstream sink;
  actions::ActionsIo io(env, sink);
  auto payload = io.EventPayload();
  if (!payload.ok()) return payload.status();
  if (!*payload) return 0;
  const rapidjson::Value* pull = json::Member(**payload, "pull_request");
  const rapidjson::Value* number = pull != nullptr ? json::Member(*pull, "number") : nullptr;
  if (number == nullptr || !number->IsInt()) return InputError("the pull_request event payload names no PR number");
  return number->GetInt();
}

// On a PR's events actions/checkout checks out the PR's merge preview (GITHUB_SHA), whose
// pipelines/*.json the PR itself may have changed: a PR could carry its own gate policy. The
// gate reads policy from the base branch only, so a checkout of the PR's merge preview or head
// is refused (the reusable workflow checks out the base branch).
Status CheckPolicySource(const Environment& env, const fs::path& workspace) {
  if (!PullEvent(env.GetOr("GITHUB_EVENT_NAME", ""))) return Status::Ok();
  std::vector<std::pair<std::string, std::string>> theirs;  // (sha, what it is)
  if (std::string merge = env.GetOr("GITHUB_SHA", ""); !merge.empty()) theirs.emplace_back(merge, "merge preview");
  std::ostringstream sink;
  actions::ActionsIo io(env, sink);
  auto payload = io.EventPayload();
  if (payload.ok() && *payload) {
    const rapidjson::Value* pull = json::Member(**payload, "pull_request");
    const rapidjson::Value* head = pull != nullptr ? json::Member(*pull, "head") : nullptr;
    if (head != nullptr && !json::StringOr(*head, "sha").empty()) theirs.emplace_back(json::StringOr(*head, "sha"), "head");
  }
  if (theirs.empty()) return Status::Ok();
  auto repo = git::Repository::Discover(workspace);
  auto checked_out = repo.ok() ? repo->ResolveCommit("HEAD") : Result<std::string>(repo.status());
  if (!checked_out.ok()) {
    return UnsafeError(fmt::format("on a {} event the gate's policy must come from the base branch, but which commit "
                                   "{} holds cannot be told ({}); check out the base branch",
                                   env.GetOr("GITHUB_EVENT_NAME", ""), workspace.string(),
                                   checked_out.status().message()));
  }
  for (const auto& [sha, what] : theirs) {
    if (sha != *checked_out) continue;
    return UnsafeError(fmt::format(
        "the checkout {} is the PR's own {} ({}), whose pipelines/*.json the PR may have changed: sluice-approve reads "
        "the gate's policy from the base branch only. Check out the base branch (actions/checkout with ref: "
        "${{{{ github.event.pull_request.base.ref }}}}), as the reusable sluice-approve workflow does",
        workspace.string(), what, sha.substr(0, 12)));
  }
  return Status::Ok();
}

}  // namespace

Result<Time> ParseInstant(const std::string& text) {
  auto when = ParseTimestamp(text);
  if (!when.ok()) return UsageError("--now " + when.status().message());
  return *when;
}

void AddApproveOptions(CLI::App& app, CommandLine& cli) {
  app.add_option("--workspace", cli.workspace, "The data repository's checkout, holding pipelines/<name>.json (default $GITHUB_WORKSPACE, else .)");
  app.add_option("--repository", cli.repository, "owner/name (default $GITHUB_REPOSITORY)");
  app.add_option("--token-env", cli.token_env, "Variable holding the token that merges")->capture_default_str();
  app.add_option("--approve-token-env", cli.approve_token_env,
                 "Variable holding a second identity's token that approves (where the author cannot approve its own PR)");
  app.add_option("--identity", cli.identity,
                 "Login that opens sluice PRs and sets sluice/validate (default $SLUICE_IDENTITY, else github-actions[bot])");
  app.add_option("--now", cli.now,
                 "Evaluate as of this time (ISO-8601 with offset): dry runs, tests, runbooks (default $SLUICE_NOW, else "
                 "the clock)");
  app.add_option("--pr", cli.pull, "Evaluate this PR only (default: the pull_request event's, else every open sluice PR)");
  app.add_option("--merge-method", cli.merge_method, "squash, merge or rebase")
      ->check(CLI::IsMember({"squash", "merge", "rebase"}))
      ->capture_default_str();
  app.add_option("--publish-workflow", cli.publish_workflow,
                 "Workflow file started after a merge (workflow_dispatch); '' for none")
      ->capture_default_str();
  app.add_option("--require-check", cli.required_checks, "A check that must be present and green on the head; repeatable");
  app.add_option("--binary-ext", cli.binary_extensions, "An extension whose files may hold any bytes (e.g. parquet); repeatable");
  app.add_flag("--dry-run", cli.dry_run, "Evaluate and report; approve, merge and dispatch nothing");
  app.add_flag("--paused", cli.paused, "Treat automation as paused (as SLUICE_PAUSED=true does)");
  app.add_flag("--require", cli.require, "Exit 1 when nothing was merged");
}

ApproveRun RunFromCommandLine(const CommandLine& cli, const Environment& env) {
  auto config = github::ApiConfigFromEnv(env, cli.repository, cli.token_env);
  if (!config.ok()) return {config.status()};
  github::ApiConfig approve_config = *config;
  if (!cli.approve_token_env.empty()) {
    auto second = github::ApiConfigFromEnv(env, cli.repository, cli.approve_token_env);
    if (!second.ok()) return {second.status().WithContext("--approve-token-env")};
    approve_config = *second;
  }
  GateOptions options;
  options.workspace = fs::absolute(cli.workspace.empty() ? env.GetOr("GITHUB_WORKSPACE", ".") : cli.workspace);
  const std::string now_text = !cli.now.empty() ? cli.now : env.GetOr("SLUICE_NOW", "");
  if (now_text.empty()) {
    options.now = std::chrono::system_clock::now();
  } else {
    auto now = ParseInstant(now_text);
    if (!now.ok()) return {now.status()};
    options.now = *now;
  }
  options.dry_run = cli.dry_run;
  options.paused = cli.paused || Truthy(env.GetOr("SLUICE_PAUSED", ""));
  options.identity = !cli.identity.empty() ? cli.identity : env.GetOr("SLUICE_IDENTITY", "github-actions[bot]");
  options.merge_method = cli.merge_method;
  options.publish_workflow = cli.publish_workflow;
  options.required_checks = cli.required_checks;
  options.binary_extensions = cli.binary_extensions;
  if (cli.pull > 0) {
    options.only_pull = cli.pull;
  } else {
    auto event = EventPull(env);
    if (!event.ok()) return {event.status()};
    options.only_pull = *event;
  }
  if (Status source = CheckPolicySource(env, options.workspace); !source.ok()) return {source};
  options.run_url = pipeline::RunUrl(env);
  options.separate_approver = !cli.approve_token_env.empty();
  github::Api api(*config);
  github::Api approver(approve_config);
  return {RunGate(api, cli.approve_token_env.empty() ? api : approver, options, env)};
}

int ExitCodeFor(const GateReport& report, const CommandLine& cli) {
  int code = report.exit_code();
  if (code == kExitOk && cli.require && report.merged() == 0) return kExitNo;
  return code;
}

pipeline::RunRecord RunRecordFor(const ApproveRun& run, int exit_code, std::chrono::system_clock::time_point started) {
  pipeline::RunRecord record = pipeline::NewRunRecord("sluice-approve", "", run.report.status(), exit_code, started);
  if (!run.report.ok()) return record;
  const GateReport& report = *run.report;
  // What sluice-notify announces as skipped on purpose: held, paused, outside the window.
  int held = 0, paused = 0, outside_window = 0;
  for (const auto& pull : report.pulls) {
    for (const auto& reason : pull.decision.reasons) {
      held += reason.rfind("held by label", 0) == 0;
      paused += reason.rfind("automation is paused", 0) == 0;
      outside_window += reason.rfind("outside the window", 0) == 0;
    }
  }
  record.status = exit_code == kExitOk ? "success" : exit_code == kExitNo ? "no" : "failure";
  record.message = fmt::format("{} of {} PR(s) merged{}", report.merged(), report.pulls.size(), report.dry_run ? " (dry run)" : "");
  record.counts = {{"pulls", static_cast<std::int64_t>(report.pulls.size())}, {"merged", report.merged()}, {"held", held},
                   {"paused", paused}, {"outside_window", outside_window}};
  return record;
}

}  // namespace sluice::approve
