#include "pr/commit_plan.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

namespace sluice::pr {
namespace {

// Directory path -> name -> entry: the directories the commit touches, edited in memory.
using EditedDirs = std::map<std::string, std::map<std::string, git::TreeEntry>>;

std::size_t Depth(const std::string& dir) {
  return dir.empty() ? 0 : 1 + static_cast<std::size_t>(std::count(dir.begin(), dir.end(), '/'));
}

// Opens `dir` and every directory above it for editing, from the base listing where it exists.
Status OpenDir(const KnownTree& base, const std::string& dir, EditedDirs& edited) {
  if (edited.count(dir) != 0) return Status::Ok();
  if (!dir.empty()) {
    SLUICE_RETURN_IF_ERROR(OpenDir(base, ParentDir(dir), edited));
    const git::TreeEntry* entry = base.Find(dir);
    if (entry != nullptr && !entry->IsTree()) {
      return InputError(fmt::format("{} is a file on the base branch: it cannot become a directory", dir));
    }
  }
  auto& entries = edited[dir];
  auto listing = base.dirs.find(dir);
  if (listing != base.dirs.end()) {
    for (const auto& entry : listing->second) entries[entry.name] = entry;
  }
  return Status::Ok();
}

Status Apply(const KnownTree& base, const FileChange& change, EditedDirs& edited) {
  SLUICE_RETURN_IF_ERROR(OpenDir(base, ParentDir(change.path), edited));
  auto& entries = edited[ParentDir(change.path)];
  if (change.kind == ChangeKind::kDelete) entries.erase(BaseName(change.path));
  else entries[BaseName(change.path)] = git::TreeEntry{BaseName(change.path), change.mode, change.sha};
  return Status::Ok();
}

// Hashes the edited directories deepest first, each sub-tree's new id going into its parent;
// a directory left empty disappears, as in git.
Status HashTrees(EditedDirs& edited, CommitPlan& plan) {
  std::vector<std::string> order;
  for (const auto& [dir, entries] : edited) order.push_back(dir);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return Depth(a) > Depth(b); });
  for (const std::string& dir : order) {
    std::vector<git::TreeEntry> entries;
    for (const auto& [name, entry] : edited[dir]) entries.push_back(entry);
    auto tree = git::SerializeTree(std::move(entries));
    if (!tree.ok()) return tree.status();
    if (dir.empty()) {
      plan.tree = tree->sha;
    } else if (edited[dir].empty()) {
      edited[ParentDir(dir)].erase(BaseName(dir));
      continue;
    } else {
      edited[ParentDir(dir)][BaseName(dir)] = git::TreeEntry{BaseName(dir), std::string(git::kModeTree), tree->sha};
    }
    plan.trees.push_back(std::move(*tree));
  }
  return Status::Ok();
}

// The change `file` makes to the base, or nullopt when the base holds it already.
Result<std::optional<FileChange>> ChangeFor(const KnownTree& base, const LocalFile& file) {
  FileChange change;
  change.path = file.path;
  change.sha = file.sha;
  change.file = &file;
  const git::TreeEntry* entry = base.Find(file.path);
  if (entry != nullptr && entry->IsTree()) {
    return InputError(fmt::format("{} is a directory on the base branch: a file cannot replace it", file.path));
  }
  change.kind = entry == nullptr ? ChangeKind::kAdd : ChangeKind::kModify;
  // A file keeps an executable bit it had; a new file is executable when it is on disk.
  const bool executable = entry != nullptr ? entry->mode == "100755" : file.executable;
  change.mode = executable ? "100755" : std::string(git::kModeFile);
  if (entry != nullptr && entry->sha == file.sha && entry->mode == change.mode) return std::optional<FileChange>();
  return std::optional<FileChange>(std::move(change));
}

}  // namespace

const char* ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kAdd: return "added";
    case ChangeKind::kModify: return "modified";
    case ChangeKind::kDelete: return "deleted";
  }
  return "modified";
}

std::size_t CommitPlan::Count(ChangeKind kind) const {
  return static_cast<std::size_t>(std::count_if(changes.begin(), changes.end(), [&](const auto& c) { return c.kind == kind; }));
}

Result<CommitPlan> PlanCommit(const KnownTree& base, const Targets& targets) {
  CommitPlan plan;
  plan.base_tree = base.sha;
  plan.tree = base.sha;
  std::set<std::string> present;
  for (const LocalFile& file : targets.files) {
    present.insert(file.path);
    auto change = ChangeFor(base, file);
    if (!change.ok()) return change.status();
    if (!change->has_value()) {
      ++plan.unchanged;
      continue;
    }
    plan.changes.push_back(std::move(**change));
  }
  std::vector<std::string> deleted;
  for (const std::string& path : targets.required) {
    if (base.Find(path) == nullptr) {
      return InputError(fmt::format("{}: no such file or folder in the workspace, nor on the base branch", path));
    }
  }
  std::vector<std::string> mirrored = targets.folders;
  mirrored.insert(mirrored.end(), targets.absent.begin(), targets.absent.end());
  for (const std::string& root : mirrored) {
    for (const std::string& path : base.FilesUnder(root)) {
      if (present.count(path) == 0) deleted.push_back(path);
    }
  }
  std::sort(deleted.begin(), deleted.end());
  deleted.erase(std::unique(deleted.begin(), deleted.end()), deleted.end());
  for (const std::string& path : deleted) {
    plan.changes.push_back(FileChange{ChangeKind::kDelete, path, "", "", BlobRoute::kKnown, nullptr});
  }
  std::sort(plan.changes.begin(), plan.changes.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  if (plan.empty()) return plan;

  const std::set<std::string> known = base.BlobShas();
  std::set<std::string> uploading;
  for (FileChange& change : plan.changes) {
    if (change.kind == ChangeKind::kDelete) continue;
    if (known.count(change.sha) != 0) change.route = BlobRoute::kKnown;
    else if (change.file->inline_text) change.route = BlobRoute::kInline;
    else change.route = BlobRoute::kUpload;
    if (change.route == BlobRoute::kUpload && uploading.insert(change.sha).second) plan.uploads.push_back(change.file);
  }
  EditedDirs edited;
  for (const FileChange& change : plan.changes) SLUICE_RETURN_IF_ERROR(Apply(base, change, edited));
  SLUICE_RETURN_IF_ERROR(HashTrees(edited, plan));
  return plan;
}

}  // namespace sluice::pr
