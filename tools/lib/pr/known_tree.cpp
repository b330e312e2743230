#include "pr/known_tree.h"

#include <algorithm>

#include <fmt/format.h>

namespace sluice::pr {
namespace {

bool StartsWith(const std::string& text, const std::string& prefix) { return text.compare(0, prefix.size(), prefix) == 0; }

// Whether the directory `dir` must be read to write `paths`: it lies on the way to one of them,
// or inside one (a mirrored folder).
bool Matters(const std::string& dir, const std::vector<std::string>& paths) {
  return std::any_of(paths.begin(), paths.end(), [&](const std::string& path) {
    return dir.empty() || path == dir || StartsWith(path, dir + "/") || StartsWith(dir, path + "/");
  });
}

class Walker {
 public:
  Walker(TreeSource& source, const std::vector<std::string>& paths, KnownTree& tree)
      : source_(source), paths_(paths), tree_(tree) {}

  Status Walk(const std::string& sha, const std::string& dir, bool try_recursive) {
    if (try_recursive) {
      auto whole = source_.List(sha, true);
      if (!whole.ok()) return whole.status();
      if (dir.empty()) tree_.sha = whole->sha;
      if (!whole->truncated) {
        tree_.dirs[dir];  // an empty tree is still a known directory
        for (auto& [path, entry] : whole->entries) {
          const std::string full = JoinPath(dir, path);
          if (entry.IsTree()) tree_.dirs[full];
          tree_.dirs[ParentDir(full)].push_back(std::move(entry));
        }
        return Status::Ok();
      }
    }
    auto level = source_.List(sha, false);
    if (!level.ok()) return level.status();
    if (dir.empty()) tree_.sha = level->sha;
    if (level->truncated) {
      return ExternalError(fmt::format("the listing of directory '{}' (tree {}) is truncated even without recursion: "
                                       "a directory this large cannot be written through the API", dir, sha));
    }
    auto& entries = tree_.dirs[dir];
    for (auto& [name, entry] : level->entries) entries.push_back(entry);
    for (const auto& entry : std::vector<git::TreeEntry>(entries)) {
      const std::string child = JoinPath(dir, entry.name);
      if (entry.IsTree() && Matters(child, paths_)) SLUICE_RETURN_IF_ERROR(Walk(entry.sha, child, try_recursive));
    }
    return Status::Ok();
  }

 private:
  TreeSource& source_;
  const std::vector<std::string>& paths_;
  KnownTree& tree_;
};

}  // namespace

std::string ParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string JoinPath(const std::string& dir, const std::string& name) { return dir.empty() ? name : dir + "/" + name; }

const git::TreeEntry* KnownTree::Find(const std::string& path) const {
  auto dir = dirs.find(ParentDir(path));
  if (dir == dirs.end()) return nullptr;
  const std::string name = BaseName(path);
  for (const auto& entry : dir->second) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::vector<std::string> KnownTree::FilesUnder(const std::string& path) const {
  std::vector<std::string> files;
  const git::TreeEntry* self = Find(path);
  if (self != nullptr && !self->IsTree()) return {path};
  for (const auto& [dir, entries] : dirs) {
    if (dir != path && !StartsWith(dir, path + "/")) continue;
    for (const auto& entry : entries) {
      if (!entry.IsTree() && entry.mode != "160000") files.push_back(JoinPath(dir, entry.name));
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::set<std::string> KnownTree::BlobShas() const {
  std::set<std::string> shas;
  for (const auto& [dir, entries] : dirs) {
    for (const auto& entry : entries) {
      if (!entry.IsTree() && entry.mode != "160000") shas.insert(entry.sha);
    }
  }
  return shas;
}

Result<KnownTree> ReadKnownTree(TreeSource& source, const std::string& root, const std::vector<std::string>& paths) {
  KnownTree tree;
  Walker walker(source, paths, tree);
  SLUICE_RETURN_IF_ERROR(walker.Walk(root, "", true));
  return tree;
}

}  // namespace sluice::pr
