// The data branch on GitHub, through the Git Data API: reads by ref, tree (recursive, walked
// when truncated) and commit; writes blobs only for content GitHub lacks, a chain of trees
// with base_tree, one commit without author or committer (GitHub signs it), and the ref.
#pragma once

#include <cstddef>

#include "github/api.h"
#include "pr/data_branch.h"
#include "pr/tree_requests.h"

namespace sluice::pr {

class GitHubStore : public BranchStore, private TreeSource {
 public:
  explicit GitHubStore(github::Api& api, std::size_t tree_body_limit = kTreeBodyLimit)
      : api_(api), tree_body_limit_(tree_body_limit) {}

  Result<std::string> DefaultBase() override;
  Result<std::optional<std::string>> BranchSha(const std::string& branch) override;
  Result<git::CommitInfo> ReadCommit(const std::string& sha) override;
  TreeSource& Trees() override { return *this; }
  Result<std::string> WriteCommit(const CommitPlan& plan, const std::string& parent, const std::string& message) override;
  Status PointBranch(const std::string& branch, const std::string& sha, bool exists) override;

 private:
  Result<TreeLevel> List(const std::string& tree_sha, bool recursive) override;
  Status UploadBlobs(const CommitPlan& plan);

  github::Api& api_;
  std::size_t tree_body_limit_;
};

}  // namespace sluice::pr
