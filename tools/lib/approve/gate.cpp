#include "approve/gate.h"

#include <algorithm>
#include <functional>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "approve/gather.h"
#include "approve/policy.h"
#include "approve/queued.h"
#include "approve/rollup.h"
#include "github/branches.h"
#include "github/git_data.h"
#include "github/names.h"
#include "github/graphql.h"
#include "github/pulls.h"
#include "json/json.h"
#include "json/writer.h"
#include "pipeline/manifest.h"

namespace sluice::approve {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRunbook = "runbooks/approval-refused.md";
constexpr int kBaseModifiedRetries = 3;  // waits of 1, 2 and 4 seconds

// The policies behind a PR's branch: sluice/<name> has its pipeline's; the rollup, each of its
// members' pipelines', every one with the outputs of them all (it may change any of them).
Result<std::vector<GatePolicy>> PoliciesFor(github::Api& api, const std::string& pipeline, const std::string& head_sha,
                                           const GateOptions& options, const Environment& env,
                                           std::vector<std::string>& members) {
  members = {pipeline};
  if ("sluice/" + pipeline == kRollupBranch) {
    auto head = github::ReadCommit(api, head_sha);
    if (!head.ok()) return head.status();
    members.clear();
    for (const RollupMember& member : RollupMembers(head->message)) members.push_back(member.pipeline);
    if (members.empty()) return ConfigError("the rollup's head commit names no pipeline (no Sluice-Rollup trailer)");
  }
  std::vector<GatePolicy> policies;
  std::vector<std::string> outputs;
  for (const std::string& name : members) {
    auto policy = PipelinePolicy(name, options, env);
    if (!policy.ok()) return policy.status();
    outputs.insert(outputs.end(), policy->outputs.begin(), policy->outputs.end());
    policies.push_back(std::move(policy).value());
  }
  for (GatePolicy& policy : policies) policy.outputs = outputs;
  return policies;
}

// The rollup merges only when every member's gate would: reasons from all, each said once.
Decision Combine(const std::vector<Decision>& decisions) {
  Decision combined = decisions.front();
  combined.merge = true;
  combined.reasons.clear();
  combined.notes.clear();
  for (const Decision& decision : decisions) {
    combined.merge = combined.merge && decision.merge;
    for (const std::string& reason : decision.reasons) {
      if (std::find(combined.reasons.begin(), combined.reasons.end(), reason) == combined.reasons.end()) {
        combined.reasons.push_back(reason);
      }
    }
    for (const std::string& note : decision.notes) {
      if (std::find(combined.notes.begin(), combined.notes.end(), note) == combined.notes.end()) combined.notes.push_back(note);
    }
  }
  return combined;
}

std::string ReviewText(const PullOutcome& outcome, const GateOptions& options) {
  std::string text = fmt::format("Approved by sluice-approve: {}; sluice/validate and every required check on {} are "
                                 "green; it changes only the pipeline's data outputs; {}.",
                                 outcome.decision.trigger, outcome.head_sha.substr(0, 7),
                                 outcome.decision.window.empty() ? "no publish window is set" : outcome.decision.window);
  if (!options.run_url.empty()) text += "\n\nRun: " + options.run_url;
  return text;
}

Result<github::Reply> Review(github::Api& api, const PullOutcome& outcome, const char* event, const std::string& text) {
  std::string body = json::Object([&](json::TextWriter& w) {
    json::Field(w, "commit_id", outcome.head_sha);
    json::Field(w, "event", event);
    json::Field(w, "body", text);
  });
  return api.Call("POST", api.RepoPath(fmt::format("/pulls/{}/reviews", outcome.number)), body, {422});
}

// GitHub's 422 to an approving review, in words: its `errors` strings name the cause.
std::string RefusalText(const rapidjson::Value& reply) {
  std::string message = json::StringOr(reply, "message");
  if (const rapidjson::Value* errors = json::Member(reply, "errors"); errors != nullptr && errors->IsArray()) {
    for (const auto& e : errors->GetArray()) message += e.IsString() ? std::string("; ") + e.GetString() : "";
  }
  return message;
}

// Why GitHub refused the approval, and what to do about it. GitHub lets nobody approve their
// own PR; and "Allow GitHub Actions to create and approve pull requests" (off by default) keeps
// GITHUB_TOKEN from approving any (docs.github.com, "Managing GitHub Actions settings for a
// repository").
enum class ApprovalRefusal { kOwnPull, kActionsNotPermitted, kOther };

ApprovalRefusal ClassifyRefusal(const std::string& text) {
  if (text.find("approve your own pull request") != std::string::npos) return ApprovalRefusal::kOwnPull;
  if (text.find("not permitted to approve") != std::string::npos ||
      text.find("not permitted to create or approve") != std::string::npos) {
    return ApprovalRefusal::kActionsNotPermitted;
  }
  return ApprovalRefusal::kOther;
}

std::string RefusalAdvice(ApprovalRefusal refusal) {
  switch (refusal) {
    case ApprovalRefusal::kOwnPull:
      return "GitHub does not let a PR's author approve it, and this token opened the PR: give sluice-approve a "
             "second identity with --approve-token-env (a GitHub App or a bot account with write access), or let a "
             "person approve";
    case ApprovalRefusal::kActionsNotPermitted:
      return "GITHUB_TOKEN may not approve PRs while the setting \"Allow GitHub Actions to create and approve pull "
             "requests\" is off (Settings > Actions > General): turn it on, or approve with a GitHub App token "
             "(--approve-token-env; the workflows' app-id input)";
    case ApprovalRefusal::kOther: break;
  }
  return "see the message, and the approval-refused runbook";
}

Status Approve(github::Api& approver, PullOutcome& outcome, const GateOptions& options) {
  auto reply = Review(approver, outcome, "APPROVE", ReviewText(outcome, options));
  if (!reply.ok()) return reply.status();
  if (reply->status != 422) return Status::Ok();
  const std::string text = RefusalText(reply->json);
  const ApprovalRefusal refusal = ClassifyRefusal(text);
  if (refusal != ApprovalRefusal::kOther && !options.separate_approver) {
    // The review that records why goes in as a comment; the base branch's rules decide whether
    // an approving review was needed (checked before, from its required reviews, and by the merge).
    auto comment = Review(approver, outcome, "COMMENT",
                          ReviewText(outcome, options) + "\n\n(Recorded as a comment: " + RefusalAdvice(refusal) + ".)");
    if (!comment.ok()) return comment.status();
    outcome.notes.push_back(refusal == ApprovalRefusal::kOwnPull
                                ? "approval recorded as a review comment: the merging token opened the PR (use "
                                  "--approve-token-env for an approving review)"
                                : "approval recorded as a review comment: GitHub Actions may not approve PRs in this "
                                  "repository (use --approve-token-env for an approving review)");
    return Status::Ok();
  }
  return ConfigError(fmt::format("GitHub refused the approval of #{} ({}): {}. See {}", outcome.number, text,
                                 RefusalAdvice(refusal), kRunbook));
}

// The base branch's rules require approving reviews: those of people (never sluice's own, it
// opened the PR) and the second identity's, when one is given, must reach the count. Found before
// any write, rather than by a review comment and a refused merge.
Status CheckRequiredReviews(const PullFacts& facts, const github::BranchRules& rules, const GateOptions& options,
                            PullOutcome& outcome) {
  if (rules.required_reviews <= 0 || !outcome.decision.merge) return Status::Ok();
  int approvals = options.separate_approver ? 1 : 0;
  for (const std::string& login : facts.approved_by) approvals += github::SameLogin(login, options.identity) ? 0 : 1;
  if (approvals >= rules.required_reviews) return Status::Ok();
  outcome.decision.merge = false;
  return ConfigError(fmt::format(
      "#{}: branch protection requires an approving review ({} required, {} on head {}), which the token that opened "
      "the PR cannot give: set --approve-token-env to a second identity with write access, or have a person approve. "
      "See {}",
      outcome.number, rules.required_reviews, approvals, facts.head_sha.substr(0, 7), kRunbook));
}

// The base branch requires a merge queue (REST merge refused with 405): queue the PR with its
// head as the condition, the queue's equivalent of the merge's sha guard. GitHub merges it when
// the queue's checks pass; the PR is marked, and the pass that finds it merged dispatches its
// publish (approve/queued.h). An entry queued with GITHUB_TOKEN starts no merge_group workflow
// (docs.github.com, "Triggering a workflow from a workflow"): checks from workflows never report
// on it, which the report says.
Status Enqueue(github::Api& api, PullOutcome& outcome) {
  auto entry = github::EnqueuePull(api, outcome.node_id, outcome.head_sha);
  if (!entry.ok()) {
    const std::string& message = entry.status().message();
    if (message.find("does not match") != std::string::npos) {
      (void)github::Comment(api, outcome.number,
                            fmt::format("sluice-approve did not queue this PR: its head moved after it was checked "
                                        "(GitHub: \"{}\"). The new head must pass the gate again at the next pass.",
                                        message));
      return UnsafeError(fmt::format("#{}: the head moved between the check and the merge queue ({}); nothing queued",
                                     outcome.number, message));
    }
    return entry.status().WithContext(fmt::format("#{}: the base branch requires a merge queue", outcome.number));
  }
  outcome.queued_at = entry->position > 0 ? entry->position : 1;
  if (github::IsActionsBot(entry->enqueuer)) {
    outcome.notes.push_back(
        "queued with GITHUB_TOKEN, whose queue entries start no merge_group workflow: required checks that come from "
        "workflows never report on the queue and the entry times out. Give the approve workflow a GitHub App "
        "(app-id) to queue with");
  }
  outcome.notes.push_back("GitHub merges it when the queue's checks pass; a later pass then starts its publish");
  return MarkQueued(api, outcome.number);
}

// A held PR that sluice queued comes out of the merge queue; an entry someone else made is
// theirs to take out, and is said so.
void HoldQueued(github::Api& api, PullOutcome& outcome, const GateOptions& options) {
  auto entry = github::QueueEntryOf(api, outcome.number);
  if (!entry.ok()) {
    outcome.error = entry.status();
    return;
  }
  if (!*entry) return;
  // GraphQL gives a bot's login without "[bot]": compared as GitHub's names (github/names.h).
  if (!github::SameLogin((*entry)->enqueuer, options.identity)) {
    outcome.decision.reasons.push_back(fmt::format(
        "it is in the merge queue, put there by {}: sluice takes out only what it queued (dequeue it on the PR page)",
        (*entry)->enqueuer));
    return;
  }
  if (options.dry_run) {
    outcome.notes.push_back("would take it out of the merge queue");
    return;
  }
  outcome.error = github::DequeuePull(api, outcome.node_id);
  if (outcome.error.ok()) outcome.notes.push_back("taken out of the merge queue, which sluice had put it in");
}

Status Merge(github::Api& api, PullOutcome& outcome, const GateOptions& options) {
  std::string body = json::Object([&](json::TextWriter& w) {
    json::Field(w, "sha", outcome.head_sha);
    json::Field(w, "merge_method", options.merge_method);
    json::Field(w, "commit_title", fmt::format("sluice: publish {} (#{})", outcome.pipeline, outcome.number));
  });
  auto reply = api.Call("PUT", api.RepoPath(fmt::format("/pulls/{}/merge", outcome.number)), body, {405, 409});
  // 405 "Base branch was modified. Review and try the merge again." is GitHub's answer while
  // another merge into the base lands (several PRs at one window): it passes in seconds, so the
  // merge is tried again within the pass, the sha guard unchanged.
  for (int attempt = 0; attempt < kBaseModifiedRetries && reply.ok() && reply->status == 405 &&
                        json::StringOr(reply->json, "message").find("Base branch was modified") != std::string::npos;
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::seconds(1 << attempt));
    reply = api.Call("PUT", api.RepoPath(fmt::format("/pulls/{}/merge", outcome.number)), body, {405, 409});
  }
  if (!reply.ok()) return reply.status();
  std::string message = json::StringOr(reply->json, "message");
  if (reply->status == 409) {
    std::string comment = fmt::format(
        "sluice-approve did not merge: the head moved after it was checked (GitHub: \"{}\"). Nothing was merged; "
        "the new head must pass the gate again at the next pass.",
        message);
    auto said = api.Call("POST", api.RepoPath(fmt::format("/issues/{}/comments", outcome.number)),
                         json::Object([&](json::TextWriter& w) { json::Field(w, "body", comment); }));
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
    if (message.find("merge queue") != std::string::npos) return Enqueue(api, outcome);
    outcome.decision.reasons.push_back("GitHub will not merge it: \"" + message + "\" (branch protection or a conflict; see " +
                                       kRunbook + ")");
    return Status::Ok();
  }
  outcome.merged = true;
  outcome.merge_sha = json::StringOr(reply->json, "sha");
  return Status::Ok();
}

// What each base branch's protection and rules require, read once per pass.
using ProtectedChecks = std::map<std::string, github::BranchRules>;

PullOutcome Evaluate(github::Api& api, github::Api& approver, const rapidjson::Value& pull, const GateOptions& options,
                     const Environment& env, ProtectedChecks& protected_checks) {
  PullOutcome outcome;
  const rapidjson::Value* number = json::Member(pull, "number");
  outcome.number = number != nullptr && number->IsInt() ? number->GetInt() : 0;
  outcome.url = json::StringOr(pull, "html_url");
  outcome.node_id = json::StringOr(pull, "node_id");
  const rapidjson::Value* head = json::Member(pull, "head");
  std::string branch = head != nullptr ? json::StringOr(*head, "ref") : "";
  outcome.pipeline = branch.rfind("sluice/", 0) == 0 ? branch.substr(7) : branch;
  auto policies = PoliciesFor(api, outcome.pipeline, head != nullptr ? json::StringOr(*head, "sha") : "", options, env,
                              outcome.pipelines);
  if (!policies.ok()) {
    outcome.decision.reasons.push_back(policies.status().message());
    return outcome;
  }
  const rapidjson::Value* base_side = json::Member(pull, "base");
  std::string base_ref = base_side != nullptr ? json::StringOr(*base_side, "ref") : "";
  if (!base_ref.empty() && protected_checks.count(base_ref) == 0) {
    auto rules = github::ReadBranchRules(api, base_ref);
    if (!rules.ok()) {
      outcome.error = rules.status();
      return outcome;
    }
    protected_checks[base_ref] = std::move(rules).value();
  }
  const github::BranchRules& rules = protected_checks[base_ref];
  for (GatePolicy& policy : *policies) {
    for (const std::string& check : rules.required_checks) {
      if (std::find(policy.required_checks.begin(), policy.required_checks.end(), check) == policy.required_checks.end()) {
        policy.required_checks.push_back(check);
      }
    }
  }
  auto facts = GatherFacts(api, pull);
  if (!facts.ok()) {
    outcome.error = facts.status();
    return outcome;
  }
  outcome.head_sha = facts->head_sha;
  auto decide = [&] {
    std::vector<Decision> decisions;
    for (const GatePolicy& policy : *policies) decisions.push_back(approve::Evaluate(*facts, policy, options.now));
    return Combine(decisions);
  };
  outcome.decision = decide();
  if (outcome.decision.merge) {
    // Every other rule says merge: now the files' contents (a request per blob) decide too.
    outcome.error = ReadFileContents(api, options.binary_extensions, *facts);
    if (!outcome.error.ok()) return outcome;
    outcome.decision = decide();
  }
  outcome.error = CheckRequiredReviews(*facts, rules, options, outcome);
  if (!outcome.error.ok()) return outcome;
  const std::string& hold = policies->front().labels.hold;
  if (rules.merge_queue &&
      std::any_of(facts->labels.begin(), facts->labels.end(), [&](const AppliedLabel& l) { return github::SameLabel(l.name, hold); })) {
    HoldQueued(api, outcome, options);
  }
  if (!outcome.decision.merge || options.dry_run) return outcome;
  if (rules.merge_queue) {
    // Already queued (by an earlier pass or a person): approving and queueing again would only
    // repeat the review on the PR at every pass while the queue runs its checks.
    auto entry = github::QueueEntryOf(api, outcome.number);
    if (!entry.ok()) {
      outcome.error = entry.status();
      return outcome;
    }
    if (*entry) {
      outcome.queued_at = (*entry)->position > 0 ? (*entry)->position : 1;
      outcome.notes.push_back(fmt::format("already in the merge queue (queued by {}); GitHub merges it when the queue's "
                                          "checks pass",
                                          (*entry)->enqueuer));
      return outcome;
    }
  }
  outcome.error = Approve(approver, outcome, options);
  // A base whose rules require the merge queue refuses the REST merge (405): queue at once.
  if (outcome.error.ok()) outcome.error = rules.merge_queue ? Enqueue(api, outcome) : Merge(api, outcome, options);
  const rapidjson::Value* base = json::Member(pull, "base");
  for (const std::string& pipeline : outcome.pipelines) {
    if (!outcome.error.ok() || !outcome.merged) break;
    outcome.error = DispatchPublish(api, outcome, pipeline, base ? json::StringOr(*base, "ref") : "main", options);
  }
  return outcome;
}

// Every open sluice PR, or the one a pull_request event names when it is an open sluice PR.
Result<std::vector<rapidjson::Document>> PullsToJudge(github::Api& api, int only_pull) {
  if (only_pull <= 0) return OpenSluicePulls(api);
  std::vector<rapidjson::Document> pulls;
  auto pull = Pull(api, only_pull);
  if (!pull.ok()) return pull.status();
  const rapidjson::Value* head = json::Member(*pull, "head");
  bool open = json::StringOr(*pull, "state") == "open";
  if (open && head != nullptr && json::StringOr(*head, "ref").rfind("sluice/", 0) == 0) pulls.push_back(std::move(pull).value());
  return pulls;
}

}  // namespace

int GateReport::merged() const {
  int n = 0;
  for (const auto& pull : pulls) n += pull.merged;
  return n;
}

int GateReport::exit_code() const {
  int code = rollup_error.ok() ? kExitOk : rollup_error.exit_code();
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
  auto pulls = PullsToJudge(api, options.only_pull);
  if (!pulls.ok()) return pulls.status();
  // Labelled PRs are folded first, so that the rollup they make is judged in the same pass.
  GateOptions pass = options;
  auto rollup = FoldRollup(api, *pulls, options, env);
  if (!rollup.ok()) {
    report.rollup_error = rollup.status();
  } else {
    report.rollup = std::move(rollup).value();
    if (report.rollup.number > 0) {
      // The folded PRs are closed now and the rollup is new or changed: read the list again.
      if (options.only_pull > 0) pass.only_pull = report.rollup.number;
      pulls = PullsToJudge(api, pass.only_pull);
      if (!pulls.ok()) return pulls.status();
    }
  }
  ProtectedChecks protected_checks;
  for (const auto& pull : *pulls) report.pulls.push_back(Evaluate(api, approver, pull, pass, env, protected_checks));
  if (options.only_pull <= 0) {
    // A full pass (schedule, dispatch) also publishes what the merge queue merged since the last.
    auto merged = PublishQueueMerges(api, options);
    if (!merged.ok()) return merged.status();
    for (auto& outcome : *merged) report.pulls.push_back(std::move(outcome));
  }
  return report;
}

}  // namespace sluice::approve
