// The publish plan: what changes at the target, decided against the manifest published last.
// A file whose sha256 matches the manifest's entry is not uploaded again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "publish/published_manifest.h"
#include "publish/source.h"

namespace sluice::publish {

enum class FileChange { kAdded, kModified, kUnchanged };
const char* FileChangeName(FileChange change);

struct PlannedFile {
  const SourceFile* file = nullptr;  // points into the PublishSource the plan was made from
  FileChange change = FileChange::kAdded;
  std::string content_type;
};

struct PublishPlan {
  std::vector<PlannedFile> files;    // in path order
  std::vector<std::string> removed;  // in the previous manifest, not in this set
  // Left the set earlier and possibly still in storage (the previous manifest's "removed"),
  // unless back in this set: what --delete-removed deletes, with `removed`.
  std::vector<std::string> lingering;
  bool commit_changed = false;       // the set is the same but names another commit

  std::size_t Count(FileChange change) const;
  std::uint64_t UploadBytes() const;
  bool Unchanged() const { return Count(FileChange::kUnchanged) == files.size() && removed.empty() && !commit_changed; }
};

PublishPlan PlanPublish(const PublishSource& source, const std::optional<PublishedManifest>& previous);

}  // namespace sluice::publish
