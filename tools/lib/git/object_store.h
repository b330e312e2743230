// Writing git objects and moving a branch in a local repository with libgit2, without touching
// the working tree or HEAD: sluice-pr --local builds the same commit it would build on GitHub.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "git/objects.h"

struct git_repository;

namespace sluice::git {

class ObjectStore {
 public:
  // The repository containing `path` (searching upwards, as git does).
  static Result<ObjectStore> Discover(const std::filesystem::path& path);

  ObjectStore(ObjectStore&&) noexcept;
  ObjectStore& operator=(ObjectStore&&) noexcept;
  ~ObjectStore();

  std::filesystem::path workdir() const;
  // The branch HEAD points at ("main"); an error when HEAD is detached.
  Result<std::string> CurrentBranch() const;
  // The commit at the tip of refs/heads/<branch>, or nullopt when there is no such branch.
  Result<std::optional<CommitInfo>> BranchHead(const std::string& branch) const;
  // The direct entries of a tree.
  Result<std::vector<TreeEntry>> ReadTree(const std::string& tree_sha) const;
  // Whether the object database holds `sha`.
  bool Has(const std::string& sha) const;

  Result<std::string> WriteBlob(std::string_view content);
  // A tree from its raw bytes (git::SerializeTree); returns its id.
  Result<std::string> WriteTree(std::string_view raw);
  // A commit by the user's configured identity (user.name/user.email), else "sluice".
  Result<std::string> WriteCommit(const std::string& tree, const std::vector<std::string>& parents,
                                  const std::string& message);
  // Points refs/heads/<branch> at `sha`, creating or moving it.
  Status SetBranch(const std::string& branch, const std::string& sha, const std::string& log_message);

 private:
  struct Free {
    void operator()(git_repository* repo) const;
  };
  explicit ObjectStore(git_repository* repo) : repo_(repo) {}
  std::unique_ptr<git_repository, Free> repo_;
};

}  // namespace sluice::git
