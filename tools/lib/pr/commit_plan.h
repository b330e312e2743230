// The one commit of a data PR, planned before anything is written: which files change, which
// are deleted, how each new file's bytes travel (already on the other side, inline in the tree
// request, or as a blob of its own), and the id of the tree the commit will have. Computed from
// local blob ids against the base tree, so an unchanged run is known to be unchanged without a
// single write.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "git/objects.h"
#include "pr/known_tree.h"
#include "pr/targets.h"

namespace sluice::pr {

enum class ChangeKind { kAdd, kModify, kDelete };
const char* ChangeKindName(ChangeKind kind);

// How a changed file's bytes reach the other side.
enum class BlobRoute {
  kKnown,   // the base tree already holds a blob with this id: send the id
  kInline,  // small UTF-8 text: send the content inside the tree request
  kUpload,  // a blob request of its own (once per distinct content)
};

struct FileChange {
  ChangeKind kind = ChangeKind::kModify;
  std::string path;
  std::string mode;  // for additions and modifications
  std::string sha;   // "" for deletions
  BlobRoute route = BlobRoute::kKnown;
  const LocalFile* file = nullptr;  // for additions and modifications
};

struct CommitPlan {
  std::string base_tree;
  std::vector<FileChange> changes;  // by path
  std::size_t unchanged = 0;        // files that already match the base
  std::string tree;                 // the tree the commit will have (== base_tree when no change)
  std::vector<git::RawTree> trees;  // every new tree object, children before parents
  std::vector<const LocalFile*> uploads;  // one per distinct content to upload as a blob

  bool empty() const { return changes.empty(); }
  std::size_t Count(ChangeKind kind) const;
};

// Plans the commit of `targets` (whose LocalFile pointers the plan keeps) onto `base`. Fails
// (InputError) when a file would replace a directory of the base or the other way round, or
// when a path named ad hoc exists neither in the workspace nor on the base.
Result<CommitPlan> PlanCommit(const KnownTree& base, const Targets& targets);

}  // namespace sluice::pr
