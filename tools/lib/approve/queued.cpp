#include "approve/queued.h"

#include <fmt/format.h>

#include "approve/eligibility.h"
#include "approve/rollup.h"
#include "github/git_data.h"
#include "github/names.h"
#include "github/pulls.h"
#include "json/json.h"
#include "json/writer.h"

namespace sluice::approve {
namespace {

const github::LabelSpec kQueuedLabel{
    LabelNames().queued, "5319e7",
    "sluice: put in the merge queue by sluice-approve; its publish is started when GitHub merges it"};

bool Marked(const rapidjson::Value& pull) {
  const rapidjson::Value* labels = json::Member(pull, "labels");
  if (labels == nullptr || !labels->IsArray()) return false;
  for (const auto& label : labels->GetArray()) {
    if (label.IsObject() && github::SameLabel(json::StringOr(label, "name"), kQueuedLabel.name)) return true;
  }
  return false;
}

// The pipelines a merged PR published: its branch's, or a rollup's members (its head's trailers).
Result<std::vector<std::string>> PipelinesOf(github::Api& api, const std::string& branch, const std::string& head_sha) {
  const std::string pipeline = branch.substr(std::string("sluice/").size());
  if (branch != kRollupBranch) return std::vector<std::string>{pipeline};
  auto head = github::ReadCommit(api, head_sha);
  if (!head.ok()) return head.status();
  std::vector<std::string> pipelines;
  for (const RollupMember& member : RollupMembers(head->message)) pipelines.push_back(member.pipeline);
  return pipelines;
}

}  // namespace

Status DispatchPublish(github::Api& api, PullOutcome& outcome, const std::string& pipeline, const std::string& base,
                       const GateOptions& options) {
  if (options.publish_workflow.empty()) return Status::Ok();
  std::string body = json::Object([&](json::TextWriter& w) {
    json::Field(w, "ref", base);
    w.Key("inputs");
    w.StartObject();
    json::Field(w, "pipeline", pipeline);
    w.EndObject();
  });
  auto reply = api.Call("POST", api.RepoPath("/actions/workflows/" + options.publish_workflow + "/dispatches"), body);
  if (!reply.ok()) return reply.status().WithContext("merged, but starting the publish workflow failed");
  outcome.dispatched = options.publish_workflow;
  if (outcome.pipelines.size() > 1) outcome.dispatched += " (" + std::to_string(outcome.pipelines.size()) + " pipelines)";
  return Status::Ok();
}

Status MarkQueued(github::Api& api, int number) {
  SLUICE_RETURN_IF_ERROR(github::EnsureLabels(api, {kQueuedLabel}));
  return github::AddLabels(api, number, {kQueuedLabel.name});
}

Result<std::vector<PullOutcome>> PublishQueueMerges(github::Api& api, const GateOptions& options) {
  // Recently closed PRs, newest change first: a queue merge since the last pass is among them.
  auto closed = api.Get(api.RepoPath("/pulls?state=closed&sort=updated&direction=desc&per_page=50"));
  if (!closed.ok()) return closed.status();
  std::vector<PullOutcome> outcomes;
  if (!closed->json.IsArray()) return outcomes;
  for (const auto& pull : closed->json.GetArray()) {
    const rapidjson::Value* head = json::Member(pull, "head");
    const rapidjson::Value* base = json::Member(pull, "base");
    const std::string branch = head != nullptr ? json::StringOr(*head, "ref") : "";
    if (branch.rfind("sluice/", 0) != 0 || json::StringOr(pull, "merged_at").empty() || !Marked(pull)) continue;
    PullOutcome outcome;
    outcome.number = json::Member(pull, "number") != nullptr && pull["number"].IsInt() ? pull["number"].GetInt() : 0;
    outcome.url = json::StringOr(pull, "html_url");
    outcome.pipeline = branch.substr(std::string("sluice/").size());
    outcome.head_sha = json::StringOr(*head, "sha");
    outcome.queue_merged = true;
    outcome.merge_sha = json::StringOr(pull, "merge_commit_sha");
    outcome.decision.trigger = "merged by the base branch's merge queue";
    auto pipelines = PipelinesOf(api, branch, outcome.head_sha);
    if (!pipelines.ok()) {
      outcome.error = pipelines.status();
      outcomes.push_back(std::move(outcome));
      continue;
    }
    outcome.pipelines = std::move(pipelines).value();
    if (options.dry_run) {
      outcome.notes.push_back("would start " + options.publish_workflow + " and take off label " + kQueuedLabel.name);
      outcomes.push_back(std::move(outcome));
      continue;
    }
    const std::string base_ref = base != nullptr ? json::StringOr(*base, "ref") : "main";
    for (const std::string& pipeline : outcome.pipelines) {
      outcome.error = DispatchPublish(api, outcome, pipeline, base_ref, options);
      if (!outcome.error.ok()) break;
    }
    // Off only once its publish started: a failed dispatch is tried again at the next pass.
    if (outcome.error.ok()) outcome.error = github::RemoveLabel(api, outcome.number, kQueuedLabel.name);
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace sluice::approve
