// What is published: the files of a commit, read with libgit2 (what was merged), or, ad hoc, the
// files of a directory. A large file of the commit that the working tree holds clean is mapped
// from there instead, and proved to be the commit's blob by its git id before the manifest can
// name it (FilesFromCommit). Symlinks, submodules, names that could
// leave the target's prefix, and anything under _sluice/ are refused (kUnsafe, exit 4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "git/repository.h"

namespace sluice::publish {

// `bytes` are not copied on the way to storage: they stay where they were read (a git blob as
// libgit2 holds it, a folder's small file read once, a large one mapped from disk) for as long as
// `holder` lives, so a large file is in memory once while its blocks go up. Moving or copying a
// SourceFile keeps `bytes` valid.
//
// A large file's SHA-256 (kHashLaterFrom bytes or more, without one given) is worked out on a
// thread of its own from the moment the source is read, so that its upload need not wait for it:
// sha256() waits only when it is asked, which the plan does only for a file whose size matches
// the published one, and the upload only where the protocol needs it (see storage::PutItem).
struct SourceFile {
  static constexpr std::size_t kHashLaterFrom = 8u << 20;

  // Owns a copy of `bytes` (small files, tests).
  SourceFile(std::string path, std::string bytes, std::string sha256);
  // `bytes` live in `holder`.
  SourceFile(std::string path, std::shared_ptr<const void> holder, std::string_view bytes, std::string sha256);

  // Lower-case hex; waits for a large file's digest. Empty until Finish has run for a file
  // constructed without one.
  const std::string& sha256() const;
  void set_sha256(std::string hex);
  // The digest, to be set by whoever works it out.
  void set_sha256_later(std::shared_future<std::string> hex, std::shared_ptr<const void> worker);

  std::string path;  // the object name under the target's prefix
  std::string_view bytes;
  std::shared_ptr<const void> holder;

 private:
  std::shared_future<std::string> sha256_;
  std::shared_ptr<const void> worker_;  // the thread hashing this file, joined when the last file it hashes is gone
};

// A file mapped from disk by FilesFromDirectory, as it was when mapped: another process that
// rewrote it while it was being published would change the bytes under the upload, and one that
// cut it short would make reading it raise SIGBUS (see FilesFromDirectory).
struct MappedFile {
  std::filesystem::path path;
  std::string relative;
  std::uint64_t device = 0, inode = 0, size = 0;
  std::int64_t modified_ns = 0, changed_ns = 0;
  // A commit's file read from the working tree: the blob id it must have (hex), and the id of
  // the bytes as mapped, worked out beside the upload with their SHA-256.
  std::string blob_id;
  std::shared_future<std::string> mapped_blob_id;
};

struct PublishSource {
  std::optional<std::string> commit;  // nullopt for a directory
  std::string origin;                 // "commit 1a2b3c4 (main)" or "directory /x", for people
  std::vector<SourceFile> files;      // sorted by path, no duplicates
  std::vector<MappedFile> mapped;     // the files of `files` read in place from disk
};

// Ok when every mapped file of `source` still has the device, inode, size and modification and
// change times it had when it was mapped, and each one read in place of a commit's blob hashes to
// that blob's id; else an InputError (exit 2) naming the first that did not: what was hashed and
// sent may not be one version of it, or not the commit's. Checked after the uploads and before
// the manifest names them.
Status CheckMappedFilesUnchanged(const PublishSource& source);

// `paths` are files or folders of the commit; empty means the whole tree. The files' bytes are
// the repository's blobs (the source must be destroyed before `repository`), except that a file
// of kMapFrom bytes or more which the working tree holds clean (git::FilesAtOptions: git's index
// says so) is mapped from there as FilesFromDirectory maps one, in `mapped` with the blob id it
// must hash to: libgit2 would inflate the whole blob into memory before its first block could go.
Result<PublishSource> FilesFromCommit(const git::Repository& repository, const std::string& revision,
                                      const std::vector<std::string>& paths);
// A file of kMapFrom bytes or more is mapped from disk, not read into memory: its blocks go up
// straight from the page cache while its SHA-256 is worked out beside them. The first mapping
// installs a SIGBUS handler: a mapped file cut short by another process while it is read ends the
// run with exit 2 and a message saying so, before the manifest could name it.
Result<PublishSource> FilesFromDirectory(const std::filesystem::path& directory);
inline constexpr std::size_t kMapFrom = SourceFile::kHashLaterFrom;

}  // namespace sluice::publish
