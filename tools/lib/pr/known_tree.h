// The base branch's tree as far as a data PR needs it: every directory on the way to the files
// it writes (and every directory below a folder it mirrors), each listed in full. Read from
// GitHub or from the local repository through a TreeSource; a recursive listing is used when
// the source offers one, and a truncated one is walked directory by directory, visiting only
// the directories that matter.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "git/objects.h"

namespace sluice::pr {

struct KnownTree {
  std::string sha;  // the root tree
  // Directory path ("" for the root, "data", "data/2024") -> its entries.
  std::map<std::string, std::vector<git::TreeEntry>> dirs;

  bool Knows(const std::string& dir) const { return dirs.count(dir) != 0; }
  // The entry at `path`, or nullptr when absent (or below a directory not read).
  const git::TreeEntry* Find(const std::string& path) const;
  // Every file (blob or symlink) at or below `path`, as repository paths.
  std::vector<std::string> FilesUnder(const std::string& path) const;
  // The ids of every blob listed, to know what the other side already holds.
  std::set<std::string> BlobShas() const;
};

// One level of a tree, or the whole of it. With `recursive`, entries carry paths relative to
// the listed tree ("a/b.csv") and parents come before children; `truncated` means the source
// stopped early and the listing must be walked instead.
struct TreeLevel {
  std::string sha;  // the tree's own id (the source may have been asked by commit id)
  std::vector<std::pair<std::string, git::TreeEntry>> entries;
  bool truncated = false;
};

class TreeSource {
 public:
  virtual ~TreeSource() = default;
  virtual Result<TreeLevel> List(const std::string& tree_sha, bool recursive) = 0;
};

// Reads the tree `root` (a tree id, or whatever else the source resolves to one) for writing
// `paths` (files or folders, repository paths).
Result<KnownTree> ReadKnownTree(TreeSource& source, const std::string& root, const std::vector<std::string>& paths);

// "a/b/c.csv" -> "a/b"; "c.csv" -> "".
std::string ParentDir(const std::string& path);
std::string BaseName(const std::string& path);
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace sluice::pr
