// What is published: the files of a commit, read with libgit2 (what was merged, never the
// working tree), or, ad hoc, the files of a directory. Symlinks, submodules, names that could
// leave the target's prefix, and anything under _sluice/ are refused (kUnsafe, exit 4).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "git/repository.h"

namespace sluice::publish {

// `bytes` are not copied on the way to storage: they stay where they were read (a git blob as
// libgit2 holds it, a folder's file read once) for as long as `holder` lives, so a large file is
// in memory once while its blocks go up. Moving or copying a SourceFile keeps `bytes` valid.
struct SourceFile {
  // Owns a copy of `bytes` (small files, tests).
  SourceFile(std::string path, std::string bytes, std::string sha256);
  // `bytes` live in `holder`.
  SourceFile(std::string path, std::shared_ptr<const void> holder, std::string_view bytes, std::string sha256);

  std::string path;  // the object name under the target's prefix
  std::string_view bytes;
  std::string sha256;
  std::shared_ptr<const void> holder;
};

struct PublishSource {
  std::optional<std::string> commit;  // nullopt for a directory
  std::string origin;                 // "commit 1a2b3c4 (main)" or "directory /x", for people
  std::vector<SourceFile> files;      // sorted by path, no duplicates
};

// `paths` are files or folders of the commit; empty means the whole tree. The files' bytes are
// the repository's blobs: the source must be destroyed before `repository`.
Result<PublishSource> FilesFromCommit(const git::Repository& repository, const std::string& revision,
                                      const std::vector<std::string>& paths);
Result<PublishSource> FilesFromDirectory(const std::filesystem::path& directory);

}  // namespace sluice::publish
