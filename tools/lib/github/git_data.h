// GitHub's Git Data API (refs, commits, trees, blobs): how many files become one commit in a
// handful of requests.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "git/objects.h"
#include "github/api.h"

namespace sluice::github {

// GitHub's documented limit for one blob (and one file in a repository): 100 MB.
inline constexpr std::uint64_t kMaxBlobBytes = 100ull * 1000 * 1000;

// The commit refs/heads/<branch> points at, or nullopt when there is no such branch.
Result<std::optional<std::string>> BranchSha(Api& api, const std::string& branch);
// The repository's default branch.
Result<std::string> DefaultBranch(Api& api);
Result<git::CommitInfo> ReadCommit(Api& api, const std::string& sha);

struct TreeListing {
  std::string sha;
  // With recursive, paths below the tree ("data/cases.csv"); without, names. Entries of type
  // "commit" (submodules) come with mode 160000.
  std::vector<std::pair<std::string, git::TreeEntry>> entries;
  bool truncated = false;  // GitHub stopped listing (100,000 entries or 7 MB)
};
Result<TreeListing> ReadTree(Api& api, const std::string& tree_sha, bool recursive);

// Uploads bytes as a blob (base64); returns its sha.
Result<std::string> CreateBlob(Api& api, std::string_view content);
// POST /git/trees with `entries_json`, a JSON array of tree entries already serialised, on top
// of `base_tree` ("" none). Returns the new tree's sha.
Result<std::string> CreateTree(Api& api, const std::string& base_tree, const std::string& entries_json);
// A commit with no author or committer fields: GitHub signs it as the token's identity.
Result<std::string> CreateCommit(Api& api, const std::string& message, const std::string& tree,
                                 const std::vector<std::string>& parents);
Status CreateBranch(Api& api, const std::string& branch, const std::string& sha);
// Moves the branch to `sha`; `force` allows a move that is not a fast-forward.
Status MoveBranch(Api& api, const std::string& branch, const std::string& sha, bool force);

}  // namespace sluice::github
