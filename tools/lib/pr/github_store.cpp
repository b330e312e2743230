#include "pr/github_store.h"

#include <fmt/format.h>

#include "core/fs.h"
#include "github/git_data.h"

namespace sluice::pr {

Result<std::string> GitHubStore::DefaultBase() { return github::DefaultBranch(api_); }

Result<std::optional<std::string>> GitHubStore::BranchSha(const std::string& branch) {
  return github::BranchSha(api_, branch);
}

Result<git::CommitInfo> GitHubStore::ReadCommit(const std::string& sha) { return github::ReadCommit(api_, sha); }

Result<TreeLevel> GitHubStore::List(const std::string& tree_sha, bool recursive) {
  auto listing = github::ReadTree(api_, tree_sha, recursive);
  if (!listing.ok()) return listing.status();
  return TreeLevel{listing->sha, std::move(listing->entries), listing->truncated};
}

Status GitHubStore::UploadBlobs(const CommitPlan& plan) {
  for (const LocalFile* file : plan.uploads) {
    auto content = ReadFile(file->source);
    if (!content.ok()) return content.status();
    if (content->size() > github::kMaxBlobBytes) {
      return InputError(fmt::format("{} is {} bytes: GitHub refuses blobs over 100 MB", file->path, content->size()));
    }
    auto sha = github::CreateBlob(api_, *content);
    if (!sha.ok()) return sha.status().WithContext(file->path);
    if (*sha != file->sha) {
      return ExternalError(fmt::format("{}: GitHub stored blob {}, but the file's blob id is {} (did it change "
                                       "during the run?)", file->path, *sha, file->sha));
    }
  }
  return Status::Ok();
}

Result<std::string> GitHubStore::WriteCommit(const CommitPlan& plan, const std::string& parent, const std::string& message) {
  SLUICE_RETURN_IF_ERROR(UploadBlobs(plan));
  auto batches = TreeRequestBatches(plan, tree_body_limit_);
  if (!batches.ok()) return batches.status();
  std::string tree = plan.base_tree;
  for (const std::string& entries : *batches) {
    auto next = github::CreateTree(api_, tree, entries);
    if (!next.ok()) return next.status();
    tree = *next;
  }
  if (tree != plan.tree) {
    return ExternalError(fmt::format("GitHub built tree {} where sluice computed {}; nothing was committed", tree, plan.tree));
  }
  return github::CreateCommit(api_, message, tree, {parent});
}

Status GitHubStore::PointBranch(const std::string& branch, const std::string& sha, bool exists) {
  // The branch is rebuilt on the base at every run, so moving it is never a fast-forward. A
  // reviewer's commit was ruled out just before (CommitData reads the head first).
  return exists ? github::MoveBranch(api_, branch, sha, true) : github::CreateBranch(api_, branch, sha);
}

}  // namespace sluice::pr
