// The data branch in the local checkout (sluice-pr --local): the same commit, written with
// libgit2 onto refs/heads/sluice/<pipeline>. Neither the working tree nor HEAD is touched.
#pragma once

#include <map>
#include <string>

#include "git/object_store.h"
#include "pr/data_branch.h"

namespace sluice::pr {

class LocalStore : public BranchStore, private TreeSource {
 public:
  explicit LocalStore(git::ObjectStore& repo) : repo_(repo) {}

  Result<std::string> DefaultBase() override { return repo_.CurrentBranch(); }
  Result<std::optional<std::string>> BranchSha(const std::string& branch) override;
  Result<git::CommitInfo> ReadCommit(const std::string& sha) override;
  TreeSource& Trees() override { return *this; }
  Result<std::string> WriteCommit(const CommitPlan& plan, const std::string& parent, const std::string& message) override;
  Status PointBranch(const std::string& branch, const std::string& sha, bool exists) override;

 private:
  Result<TreeLevel> List(const std::string& tree_or_commit, bool recursive) override;

  git::ObjectStore& repo_;
  std::map<std::string, git::CommitInfo> commits_;  // read so far, by id
};

}  // namespace sluice::pr
