// Reading committed data through libgit2: a file at a revision, and a file's history, without
// a second checkout (issue 3: the previous version of each output is read from git).
#pragma once

#include <chrono>
#include <cstdint>
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
//
// A large file the working tree holds clean (FilesAtOptions) is not read at all: `working_copy`
// names the file on disk instead, `blob` is null and `content` empty, and whoever reads it there
// must check that its bytes hash to `blob_id` (GitBlobId), since git's index vouches only for
// the file's stat data.
struct CommittedFile {
  enum class Kind { kFile, kExecutable, kSymlink, kSubmodule };
  std::string path;  // relative to the root, '/'-separated
  Kind kind = Kind::kFile;
  std::string_view content;
  std::shared_ptr<const git_blob> blob;  // owns `content`; null for a submodule or a working copy
  std::string blob_id;                    // full hex id of the blob (of the commit, for a submodule)
  std::uint64_t size = 0;                 // the blob's size in bytes
  std::filesystem::path working_copy;     // set when the bytes are to be read from the working tree
};

struct FilesAtOptions {
  // A file of at least this many bytes is read from the working tree in place of the object
  // database when the working tree holds it clean as git's index tells it (what `git status`
  // relies on): the index has the same blob id for the path, with stat data (size, modification
  // and change times to the nanosecond, inode) that match the file on disk; the entry is
  // neither assumed unchanged nor skipped in the worktree; and no filter (line endings, ident)
  // stands between the blob and the file. An entry git calls racily clean (the file modified no
  // earlier than the index was written, as a fresh checkout leaves its last files) has its
  // contents compared first, as git compares them: the file's git id must be the blob's.
  // Anything else, or a bare repository, reads the blob. It spares inflating a large blob whole
  // before its first byte can go anywhere.
  std::optional<std::uint64_t> working_tree_from;
};

// Git's id of a blob holding `size` bytes is the SHA-1 of this header followed by the bytes.
std::string GitBlobHeader(std::uint64_t size);

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
  Result<std::vector<CommittedFile>> FilesAt(const std::string& revision, const std::string& path,
                                             const FilesAtOptions& options = {}) const;

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
