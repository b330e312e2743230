#include "pr/local_store.h"

#include <fmt/format.h>

#include "core/fs.h"

namespace sluice::pr {

Result<std::optional<std::string>> LocalStore::BranchSha(const std::string& branch) {
  auto head = repo_.BranchHead(branch);
  if (!head.ok()) return head.status();
  if (!*head) return std::optional<std::string>();
  const std::string sha = (*head)->sha;
  commits_[sha] = std::move(**head);
  return std::optional<std::string>(sha);
}

Result<git::CommitInfo> LocalStore::ReadCommit(const std::string& sha) {
  auto known = commits_.find(sha);
  if (known == commits_.end()) return InternalError("commit " + sha + " was not read through a branch");
  return known->second;
}

Result<TreeLevel> LocalStore::List(const std::string& tree_or_commit, bool recursive) {
  // Reading a level costs nothing locally: a recursive listing is declined (as if truncated),
  // so only the directories that matter are walked.
  auto commit = commits_.find(tree_or_commit);
  const std::string tree = commit != commits_.end() ? commit->second.tree : tree_or_commit;
  auto entries = repo_.ReadTree(tree);
  if (!entries.ok()) return entries.status();
  TreeLevel level{tree, {}, recursive};
  if (recursive) return level;
  for (auto& entry : *entries) level.entries.emplace_back(entry.name, std::move(entry));
  return level;
}

Result<std::string> LocalStore::WriteCommit(const CommitPlan& plan, const std::string& parent, const std::string& message) {
  for (const FileChange& change : plan.changes) {
    if (change.kind == ChangeKind::kDelete || repo_.Has(change.sha)) continue;
    auto content = ReadFile(change.file->source);
    if (!content.ok()) return content.status();
    auto sha = repo_.WriteBlob(*content);
    if (!sha.ok()) return sha.status();
    if (*sha != change.sha) return InputError(fmt::format("{} changed while sluice-pr was running; run it again", change.path));
  }
  for (const git::RawTree& tree : plan.trees) {
    auto sha = repo_.WriteTree(tree.bytes);
    if (!sha.ok()) return sha.status();
    if (*sha != tree.sha) return InternalError(fmt::format("tree {} was written as {}", tree.sha, *sha));
  }
  return repo_.WriteCommit(plan.tree, {parent}, message);
}

Status LocalStore::PointBranch(const std::string& branch, const std::string& sha, bool /*exists*/) {
  auto current = repo_.CurrentBranch();
  if (current.ok() && *current == branch) {
    return UnsafeError(fmt::format("{} is checked out: sluice-pr --local moves that branch and would leave the working "
                                   "tree behind it; check out the base branch first", branch));
  }
  return repo_.SetBranch(branch, sha, "sluice-pr: rebuild " + branch);
}

}  // namespace sluice::pr
