#include "publish/plan.h"

#include <algorithm>
#include <type_traits>

#include "storage/content_type.h"

namespace sluice::publish {

const char* FileChangeName(FileChange change) {
  switch (change) {
    case FileChange::kAdded: return "added";
    case FileChange::kModified: return "modified";
    case FileChange::kUnchanged: return "unchanged";
  }
  return "?";
}

std::size_t PublishPlan::Count(FileChange change) const {
  return static_cast<std::size_t>(
      std::count_if(files.begin(), files.end(), [&](const PlannedFile& f) { return f.change == change; }));
}

std::uint64_t PublishPlan::UploadBytes() const {
  std::uint64_t bytes = 0;
  for (const auto& f : files) {
    if (f.change != FileChange::kUnchanged) bytes += f.file->bytes.size();
  }
  return bytes;
}

PublishPlan PlanPublish(const PublishSource& source, const std::optional<PublishedManifest>& previous) {
  PublishPlan plan;
  auto in_source = [&](const std::string& path) {
    return std::binary_search(source.files.begin(), source.files.end(), path,
                              [](const auto& a, const auto& b) {
                                if constexpr (std::is_same_v<std::decay_t<decltype(a)>, SourceFile>) return a.path < b;
                                else return a < b.path;
                              });
  };
  for (const SourceFile& file : source.files) {
    PlannedFile planned{&file, FileChange::kAdded, storage::ContentTypeFor(file.path)};
    if (previous) {
      if (const PublishedFile* before = previous->Find(file.path)) {
        // The size first: a large file's sha256 may still be being worked out (see SourceFile).
        planned.change = before->size == file.bytes.size() && before->sha256 == file.sha256() ? FileChange::kUnchanged
                                                                                               : FileChange::kModified;
      }
    }
    plan.files.push_back(std::move(planned));
  }
  if (!previous) return plan;
  for (const auto& before : previous->files) {
    if (!in_source(before.path)) plan.removed.push_back(before.path);
  }
  for (const auto& path : previous->removed) {
    if (!in_source(path) && !previous->Find(path)) plan.lingering.push_back(path);
  }
  plan.commit_changed = previous->commit != source.commit;
  return plan;
}

}  // namespace sluice::publish
