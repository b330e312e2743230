// Git objects as plain values, and their ids computed locally with libgit2 (git_odb_hash)
// without writing anything: how sluice-pr knows which files differ from a tree on GitHub before
// it sends a byte, and what the tree it is about to create will be called.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice::git {

// One entry of a tree object. `mode` is written the way GitHub's API writes it: "100644",
// "100755", "040000" (a tree), "120000" (a symlink), "160000" (a submodule).
struct TreeEntry {
  std::string name;  // one path component
  std::string mode;
  std::string sha;   // 40 hex digits
  bool IsTree() const { return mode == "040000"; }
};

struct CommitInfo {
  std::string sha;
  std::string tree;
  std::string message;
  std::vector<std::string> parents;
};

inline constexpr std::string_view kModeFile = "100644";
inline constexpr std::string_view kModeTree = "040000";

// The blob id `content` has in any git repository.
std::string BlobId(std::string_view content);
// The same for a file's bytes as they are on disk (no filters), read by libgit2.
Result<std::string> BlobIdOfFile(const std::filesystem::path& path);

// A tree object's raw bytes (entries put in git's order) and its id. Fails on a malformed
// sha or an empty or duplicated name.
struct RawTree {
  std::string sha;
  std::string bytes;
};
Result<RawTree> SerializeTree(std::vector<TreeEntry> entries);

}  // namespace sluice::git
