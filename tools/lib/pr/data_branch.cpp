#include "pr/data_branch.h"

#include <fmt/format.h>

#include "pr/trailers.h"

namespace sluice::pr {

std::string BranchFor(const std::string& pipeline) { return "sluice/" + pipeline; }

std::string ChangeSummary(const CommitPlan& plan) {
  std::vector<std::string> parts;
  for (ChangeKind kind : {ChangeKind::kAdd, ChangeKind::kModify, ChangeKind::kDelete}) {
    if (std::size_t n = plan.Count(kind); n > 0) parts.push_back(fmt::format("{} {}", n, ChangeKindName(kind)));
  }
  const std::size_t total = plan.changes.size();
  return fmt::format("{} file{}{}{}", total, total == 1 ? "" : "s", parts.empty() ? "" : ": ", fmt::join(parts, ", "));
}

Result<DataCommit> CommitData(BranchStore& store, const DataCommitRequest& request, const Targets& targets) {
  DataCommit result;
  result.branch = BranchFor(request.pipeline);
  result.base = request.base;
  if (result.base.empty()) {
    auto base = store.DefaultBase();
    if (!base.ok()) return base.status();
    result.base = *base;
  }
  if (result.base == result.branch) return UsageError(fmt::format("--base {} is the data branch itself", result.base));
  auto base_sha = store.BranchSha(result.base);
  if (!base_sha.ok()) return base_sha.status();
  if (!*base_sha) return ConfigError(fmt::format("base branch {} does not exist", result.base));
  result.base_sha = **base_sha;

  auto tree = ReadKnownTree(store.Trees(), result.base_sha, targets.AllPaths());
  if (!tree.ok()) return tree.status();
  auto plan = PlanCommit(*tree, targets);
  if (!plan.ok()) return plan.status();
  result.plan = std::move(*plan);
  if (result.plan.empty()) return result;  // kUnchanged: not a single write

  auto head_sha = store.BranchSha(result.branch);
  if (!head_sha.ok()) return head_sha.status();
  if (*head_sha) {
    auto head = store.ReadCommit(**head_sha);
    if (!head.ok()) return head.status();
    if (!MadeBySluice(head->message, request.pipeline)) {
      result.outcome = BranchOutcome::kForeign;
      result.foreign = std::move(*head);
      return result;
    }
    if (head->tree == result.plan.tree && head->parents == std::vector<std::string>{result.base_sha}) {
      result.outcome = BranchOutcome::kAlreadyThere;
      result.commit_sha = head->sha;
      return result;
    }
  }
  const std::string message = CommitMessage(request.pipeline, ChangeSummary(result.plan), request.run_url);
  auto commit = store.WriteCommit(result.plan, result.base_sha, message);
  if (!commit.ok()) return commit.status();
  result.commit_sha = *commit;
  SLUICE_RETURN_IF_ERROR(store.PointBranch(result.branch, result.commit_sha, head_sha->has_value()));
  result.outcome = *head_sha ? BranchOutcome::kRebuilt : BranchOutcome::kCreated;
  return result;
}

}  // namespace sluice::pr
