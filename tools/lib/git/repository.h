// Reading committed data through libgit2: a file at a revision, and a file's history, without
// a second checkout (issue 3: the previous version of each output is read from git).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct git_repository;
struct git_blob;

namespace sluice::git {

struct FileVersion {
  std::string commit;  // full hex id
  std::chrono::system_clock::time_point committed_at;
  std::string content;
};

// A file of a committed tree. `kind` tells links and submodules apart: a publisher refuses them.
// `content` is the blob's bytes as libgit2 read them (a link's target; empty for a submodule),
// not copied: a large file is held once. They live as long as `blob` does; release every blob
// before the Repository they came from (libgit2 forbids reading an object whose repository is
// freed). libgit2 keeps no blob in its object cache (its default), so a blob released is memory
// given back.
struct CommittedFile {
  enum class Kind { kFile, kExecutable, kSymlink, kSubmodule };
  std::string path;  // relative to the root, '/'-separated
  Kind kind = Kind::kFile;
  std::string_view content;
  std::shared_ptr<const git_blob> blob;  // owns `content`; null for a submodule
};

class Repository {
 public:
  // Finds the repository containing `path` (searching upwards, as git does).
  static Result<Repository> Discover(const std::filesystem::path& path);

  Repository(Repository&&) noexcept;
  Repository& operator=(Repository&&) noexcept;
  ~Repository();

  // The working tree's root.
  std::filesystem::path workdir() const;

  // `path` (relative to the root) as it is in `revision` (any rev-parse spec: "HEAD",
  // "origin/main", a sha). nullopt when the file does not exist there; an error when the
  // revision does not.
  Result<std::optional<std::string>> ReadFileAt(const std::string& revision, const std::string& path) const;

  // Every file at or under `path` ("" for the whole tree) in `revision`, in tree order. An
  // InputError when `path` does not exist there.
  Result<std::vector<CommittedFile>> FilesAt(const std::string& revision, const std::string& path) const;

  // The full commit id `revision` names.
  Result<std::string> ResolveCommit(const std::string& revision) const;

  // Up to `limit` distinct versions of `path`, newest first, walking first parents from
  // `revision`: each entry is the commit that introduced that content.
  Result<std::vector<FileVersion>> History(const std::string& revision, const std::string& path,
                                           std::size_t limit) const;

 private:
  struct Free {
    void operator()(git_repository* repo) const;
  };
  explicit Repository(git_repository* repo) : repo_(repo) {}
  std::unique_ptr<git_repository, Free> repo_;
};

}  // namespace sluice::git
