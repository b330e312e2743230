#include "approve/gate.h"

#include <functional>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "approve/gather.h"
#include "json/json.h"
#include "pipeline/manifest.h"

namespace sluice::approve {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRunbook = "runbooks/approval-refused.md";

std::string Body(const std::function<void(rapidjson::Writer<rapidjson::StringBuffer>&)>& fill) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  fill(w);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void Field(rapidjson::Writer<rapidjson::StringBuffer>& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

// The policy of the pipeline behind branch sluice/<name>, from pipelines/<name>.json.
Result<GatePolicy> PolicyFor(const std::string& pipeline, const GateOptions& options, const Environment& env) {
  fs::path file = options.workspace / "pipelines" / (pipeline + ".json");
  if (!fs::exists(file)) {
    return ConfigError(fmt::format("no pipeline manifest pipelines/{}.json in the checkout, so no gate to apply", pipeline));
  }
  auto manifest = pipeline::LoadManifest(file, options.workspace, env);
  if (!manifest.ok()) return manifest.status();
  GatePolicy policy;
  policy.identity = options.identity;
  policy.review = manifest->review;
  policy.window = manifest->window;
  policy.paused = options.paused;
  policy.required_checks = options.required_checks;
  for (const auto& source : manifest->sources) policy.outputs.push_back(fs::path(source.output).lexically_normal().generic_string());
  if (const rapidjson::Value* labels = json::Member(*manifest->document, "labels")) {
    policy.labels.auto_approve = json::StringOr(*labels, "auto_approve", policy.labels.auto_approve);
    policy.labels.hold = json::StringOr(*labels, "hold", policy.labels.hold);
    policy.labels.needs_review = json::StringOr(*labels, "needs_review", policy.labels.needs_review);
  }
  return policy;
}

std::string ReviewText(const PullOutcome& outcome, const GateOptions& options) {
  std::string text = fmt::format("Approved by sluice-approve: {}; every check on {} is green; it changes only the "
                                 "pipeline's data outputs; {}.",
                                 outcome.decision.trigger, outcome.head_sha.substr(0, 7),
                                 outcome.decision.window.empty() ? "no publish window is set" : outcome.decision.window);
  if (!options.run_url.empty()) text += "\n\nRun: " + options.run_url;
  return text;
}

Result<github::Reply> Review(github::Api& api, const PullOutcome& outcome, const char* event, const std::string& text) {
  std::string body = Body([&](auto& w) {
    Field(w, "commit_id", outcome.head_sha);
    Field(w, "event", event);
    Field(w, "body", text);
  });
  return api.Call("POST", api.RepoPath(fmt::format("/pulls/{}/reviews", outcome.number)), body, {422});
}

Status Approve(github::Api& approver, PullOutcome& outcome, const GateOptions& options) {
  auto reply = Review(approver, outcome, "APPROVE", ReviewText(outcome, options));
  if (!reply.ok()) return reply.status();
  if (reply->status == 422 && !options.separate_approver) {
    // GitHub lets nobody approve their own PR, and sluice opened it with this token: the review
    // that records why goes in as a comment, and the merge decides whether a review was needed.
    auto comment = Review(approver, outcome, "COMMENT",
                          ReviewText(outcome, options) +
                              "\n\n(Recorded as a comment: GitHub does not let a PR's author approve it. Where branch "
                              "protection requires an approving review, give sluice-approve --approve-token-env.)");
    if (!comment.ok()) return comment.status();
    outcome.notes.push_back("approval recorded as a review comment: the merging token opened the PR (use "
                            "--approve-token-env for an approving review)");
    return Status::Ok();
  }
  if (reply->status == 422) {
    std::string message = json::StringOr(reply->json, "message");
    if (const rapidjson::Value* errors = json::Member(reply->json, "errors"); errors != nullptr && errors->IsArray()) {
      for (const auto& e : errors->GetArray()) message += e.IsString() ? std::string("; ") + e.GetString() : "";
    }
    return ConfigError(fmt::format(
        "GitHub refused the approval of #{} ({}). The token that opened the PR cannot approve it: give "
        "sluice-approve a second identity with --approve-token-env NAME (a GitHub App or a bot account with write "
        "access), or let a person approve. See {}",
        outcome.number, message, kRunbook));
  }
  return Status::Ok();
}

Status Merge(github::Api& api, PullOutcome& outcome, const GateOptions& options) {
  std::string body = Body([&](auto& w) {
    Field(w, "sha", outcome.head_sha);
    Field(w, "merge_method", options.merge_method);
    Field(w, "commit_title", fmt::format("sluice: publish {} (#{})", outcome.pipeline, outcome.number));
  });
  auto reply = api.Call("PUT", api.RepoPath(fmt::format("/pulls/{}/merge", outcome.number)), body, {405, 409});
  if (!reply.ok()) return reply.status();
  std::string message = json::StringOr(reply->json, "message");
  if (reply->status == 409) {
    std::string comment = fmt::format(
        "sluice-approve did not merge: the head moved after it was checked (GitHub: \"{}\"). Nothing was merged; "
        "the new head must pass the gate again at the next pass.",
        message);
    auto said = api.Call("POST", api.RepoPath(fmt::format("/issues/{}/comments", outcome.number)),
                         Body([&](auto& w) { Field(w, "body", comment); }));
    (void)said;  // the refusal itself is what the run reports
    return UnsafeError(fmt::format("#{}: the head moved between the check and the merge ({}); nothing merged",
                                   outcome.number, message));
  }
  if (reply->status == 405) {
    outcome.decision.merge = false;
    if (message.find("approving review") != std::string::npos || message.find("review is required") != std::string::npos) {
      return ConfigError(fmt::format(
          "#{}: branch protection requires an approving review (GitHub: \"{}\"), which the token that opened the PR "
          "cannot give: set --approve-token-env to a second identity with write access, or have a person approve. "
          "See {}",
          outcome.number, message, kRunbook));
    }
    outcome.decision.reasons.push_back(
        message.find("merge queue") != std::string::npos
            ? "the base branch requires a merge queue (GitHub: \"" + message + "\"); sluice-approve does not enqueue yet"
            : "GitHub will not merge it: \"" + message + "\" (branch protection or a conflict; see " + kRunbook + ")");
    return Status::Ok();
  }
  outcome.merged = true;
  outcome.merge_sha = json::StringOr(reply->json, "sha");
  return Status::Ok();
}

Status Dispatch(github::Api& api, PullOutcome& outcome, const std::string& base, const GateOptions& options) {
  if (options.publish_workflow.empty()) return Status::Ok();
  std::string body = Body([&](auto& w) {
    Field(w, "ref", base);
    w.Key("inputs");
    w.StartObject();
    Field(w, "pipeline", outcome.pipeline);
    w.EndObject();
  });
  auto reply = api.Call("POST", api.RepoPath("/actions/workflows/" + options.publish_workflow + "/dispatches"), body);
  if (!reply.ok()) return reply.status().WithContext("merged, but starting the publish workflow failed");
  outcome.dispatched = options.publish_workflow;
  return Status::Ok();
}

PullOutcome Evaluate(github::Api& api, github::Api& approver, const rapidjson::Value& pull, const GateOptions& options,
                     const Environment& env) {
  PullOutcome outcome;
  outcome.number = json::Member(pull, "number") != nullptr ? pull["number"].GetInt() : 0;
  outcome.url = json::StringOr(pull, "html_url");
  const rapidjson::Value* head = json::Member(pull, "head");
  std::string branch = head != nullptr ? json::StringOr(*head, "ref") : "";
  outcome.pipeline = branch.rfind("sluice/", 0) == 0 ? branch.substr(7) : branch;
  auto policy = PolicyFor(outcome.pipeline, options, env);
  if (!policy.ok()) {
    outcome.decision.reasons.push_back(policy.status().message());
    return outcome;
  }
  auto facts = GatherFacts(api, pull, options.binary_extensions);
  if (!facts.ok()) {
    outcome.error = facts.status();
    return outcome;
  }
  outcome.head_sha = facts->head_sha;
  outcome.decision = approve::Evaluate(*facts, *policy, options.now);
  if (!outcome.decision.merge || options.dry_run) return outcome;
  outcome.error = Approve(approver, outcome, options);
  if (outcome.error.ok()) outcome.error = Merge(api, outcome, options);
  const rapidjson::Value* base = json::Member(pull, "base");
  if (outcome.error.ok() && outcome.merged) outcome.error = Dispatch(api, outcome, base ? json::StringOr(*base, "ref") : "main", options);
  return outcome;
}

}  // namespace

int GateReport::merged() const {
  int n = 0;
  for (const auto& pull : pulls) n += pull.merged;
  return n;
}

int GateReport::exit_code() const {
  int code = kExitOk;
  for (const auto& pull : pulls) {
    if (pull.error.ok()) continue;
    int c = pull.error.exit_code();
    // The most urgent first: a moved head (4), then GitHub failing (3), then configuration (2).
    if (c == kExitUnsafe || (c == kExitExternal && code != kExitUnsafe) || code == kExitOk) code = c;
  }
  return code;
}

Result<GateReport> RunGate(github::Api& api, github::Api& approver, const GateOptions& options, const Environment& env) {
  GateReport report;
  report.dry_run = options.dry_run;
  std::vector<rapidjson::Document> pulls;
  if (options.only_pull > 0) {
    auto pull = Pull(api, options.only_pull);
    if (!pull.ok()) return pull.status();
    const rapidjson::Value* head = json::Member(*pull, "head");
    bool open = json::StringOr(*pull, "state") == "open";
    if (open && head != nullptr && json::StringOr(*head, "ref").rfind("sluice/", 0) == 0) pulls.push_back(std::move(pull).value());
  } else {
    auto open = OpenSluicePulls(api);
    if (!open.ok()) return open.status();
    pulls = std::move(open).value();
  }
  for (const auto& pull : pulls) report.pulls.push_back(Evaluate(api, approver, pull, options, env));
  return report;
}

}  // namespace sluice::approve
