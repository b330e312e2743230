// What is published: the files of a commit, read with libgit2 (what was merged, never the
// working tree), or, ad hoc, the files of a directory. Symlinks, submodules, names that could
// leave the target's prefix, and anything under _sluice/ are refused (kUnsafe, exit 4).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "git/repository.h"

namespace sluice::publish {

struct SourceFile {
  std::string path;  // the object name under the target's prefix
  std::string bytes;
  std::string sha256;
};

struct PublishSource {
  std::optional<std::string> commit;  // nullopt for a directory
  std::string origin;                 // "commit 1a2b3c4 (main)" or "directory /x", for people
  std::vector<SourceFile> files;      // sorted by path, no duplicates
};

// `paths` are files or folders of the commit; empty means the whole tree.
Result<PublishSource> FilesFromCommit(const git::Repository& repository, const std::string& revision,
                                      const std::vector<std::string>& paths);
Result<PublishSource> FilesFromDirectory(const std::filesystem::path& directory);

}  // namespace sluice::publish
