#include "git/repository.h"

#include <fcntl.h>
#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/hash.h"
#include "git/libgit2.h"

namespace sluice::git {
namespace {


std::string LastError(const std::string& what) {
  const git_error* error = git_error_last();
  return fmt::format("{}: {}", what, error != nullptr && error->message != nullptr ? error->message : "unknown git error");
}

template <typename T, void (*FreeFn)(T*)>
struct Deleter {
  void operator()(T* p) const { FreeFn(p); }
};
using Object = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using Commit = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry, git_tree_entry_free>>;
using Blob = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;

std::string Hex(const git_oid* oid) {
  char buffer[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buffer, sizeof buffer, oid);
  return buffer;
}

Result<Commit> PeelToCommit(git_repository* repo, const std::string& revision) {
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo, revision.c_str()) != 0) {
    return InputError(LastError(fmt::format("revision '{}' not found", revision)));
  }
  Object object(raw);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT) != 0) {
    return InputError(LastError(fmt::format("revision '{}' is not a commit", revision)));
  }
  return Commit(reinterpret_cast<git_commit*>(peeled));
}

// The blob id of `path` in `commit`, or nullopt when the path is absent there.
Result<std::optional<git_oid>> BlobIdAt(git_commit* commit, const std::string& path) {
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit) != 0) return InputError(LastError("cannot read the commit's tree"));
  Tree tree(raw_tree);
  git_tree_entry* raw_entry = nullptr;
  int rc = git_tree_entry_bypath(&raw_entry, tree.get(), path.c_str());
  if (rc == GIT_ENOTFOUND) return std::optional<git_oid>();
  if (rc != 0) return InputError(LastError(fmt::format("cannot look up {}", path)));
  TreeEntry entry(raw_entry);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
    return InputError(fmt::format("{} is not a file in the committed tree", path));
  }
  return std::optional<git_oid>(*git_tree_entry_id(entry.get()));
}

std::string_view BlobBytes(const git_blob* blob) {
  return {static_cast<const char*>(git_blob_rawcontent(blob)), static_cast<size_t>(git_blob_rawsize(blob))};
}

// A blob that cannot be read: names it, and what to do when the repository's copy is damaged
// (zlib refuses what does not match its checksum: see git/libgit2.h).
Status BlobError(const git_oid& id) {
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, &id);
  return InputError(LastError(fmt::format("cannot read blob {} (if the repository's copy is damaged, `git fsck` names "
                                          "what; fetch or clone it again)",
                                          std::string_view(hex, 12))));
}

Result<std::shared_ptr<const git_blob>> LookUpBlob(git_repository* repo, const git_oid& id) {
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, &id) != 0) return BlobError(id);
  return std::shared_ptr<const git_blob>(raw, [](const git_blob* blob) { git_blob_free(const_cast<git_blob*>(blob)); });
}

Result<std::string> ReadBlob(git_repository* repo, const git_oid& id) {
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, &id) != 0) return BlobError(id);
  Blob blob(raw);
  return std::string(BlobBytes(blob.get()));
}

}  // namespace

void Repository::Free::operator()(git_repository* repo) const { git_repository_free(repo); }

Repository::Repository(Repository&&) noexcept = default;
Repository& Repository::operator=(Repository&&) noexcept = default;
Repository::~Repository() = default;

Result<Repository> Repository::Discover(const std::filesystem::path& path) {
  EnsureLibgit2();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, path.c_str(), 0, nullptr) != 0) {
    return InputError(LastError(fmt::format("{} is not inside a git repository", path.string())));
  }
  return Repository(repo);
}

std::filesystem::path Repository::workdir() const {
  const char* dir = git_repository_workdir(repo_.get());
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::path(git_repository_path(repo_.get()));
}

Result<std::string> Repository::ResolveCommit(const std::string& revision) const {
  auto commit = PeelToCommit(repo_.get(), revision);
  if (!commit.ok()) return commit.status();
  return Hex(git_commit_id(commit->get()));
}

Result<std::optional<std::string>> Repository::ReadFileAt(const std::string& revision, const std::string& path) const {
  auto commit = PeelToCommit(repo_.get(), revision);
  if (!commit.ok()) return commit.status();
  auto id = BlobIdAt(commit->get(), path);
  if (!id.ok()) return id.status();
  if (!id->has_value()) return std::optional<std::string>();
  auto content = ReadBlob(repo_.get(), **id);
  if (!content.ok()) return content.status().WithContext(path);
  return std::optional<std::string>(std::move(content).value());
}

namespace {

CommittedFile::Kind KindOf(git_filemode_t mode) {
  switch (mode) {
    case GIT_FILEMODE_BLOB_EXECUTABLE: return CommittedFile::Kind::kExecutable;
    case GIT_FILEMODE_LINK: return CommittedFile::Kind::kSymlink;
    case GIT_FILEMODE_COMMIT: return CommittedFile::Kind::kSubmodule;
    default: return CommittedFile::Kind::kFile;
  }
}

struct WalkState {
  std::string prefix;  // "dir/" under which the walked tree sits
  // Copies: a walk frees each subtree (and its entries) once it has left it.
  std::vector<std::pair<std::string, TreeEntry>> found;
  bool failed = false;
};

using Index = std::unique_ptr<git_index, Deleter<git_index, git_index_free>>;
using FilterList = std::unique_ptr<git_filter_list, Deleter<git_filter_list, git_filter_list_free>>;

bool SameTime(const git_index_time& recorded, const timespec& now) {
  return static_cast<std::int64_t>(recorded.seconds) == static_cast<std::int64_t>(now.tv_sec) &&
         static_cast<std::int64_t>(recorded.nanoseconds) == static_cast<std::int64_t>(now.tv_nsec);
}

bool Before(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

// The repository's index as it is on disk, with the time it was written; read once per FilesAt,
// when its first file is looked at.
struct IndexOnDisk {
  Index index;
  timespec written{};
};

std::optional<IndexOnDisk> ReadIndex(git_repository* repo) {
  if (git_repository_is_bare(repo) != 0 || git_repository_workdir(repo) == nullptr) return std::nullopt;
  const std::filesystem::path file = std::filesystem::path(git_repository_path(repo)) / "index";
  struct stat info {};
  if (stat(file.c_str(), &info) != 0) return std::nullopt;
  git_index* raw = nullptr;
  // Its own copy, read from the file now: the repository's shared index may be older.
  if (git_index_open(&raw, file.c_str()) != 0) return std::nullopt;
  return IndexOnDisk{Index(raw), info.st_mtim};
}

// Whether the file's bytes are the blob `id` of `size` bytes: their git id, worked out as git
// add would with no filter, with OpenSSL's SHA-1 (about 1.6 GB/s on the bench machine; libgit2's
// own, with collision detection, took 1.5 s for 500 MiB there: git/libgit2.h).
bool HoldsBlob(const std::filesystem::path& file, std::uint64_t size, const git_oid& id) {
  const int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  Sha1 hash;
  hash.Update(GitBlobHeader(size));
  std::vector<char> buffer(1u << 20);
  std::uint64_t total = 0;
  for (;;) {
    const ssize_t got = read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      close(fd);
      if (got < 0) return false;
      break;
    }
    hash.Update(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    total += static_cast<std::uint64_t>(got);
  }
  return total == size && hash.FinishHex() == Hex(&id);
}

// The working tree's copy of `path`, of `threshold` bytes or more, when git's index says it is
// the blob `id` and nothing has touched it since (FilesAtOptions says what that takes), with its
// size; else nullopt. The cheap refusals come first: most files of a commit are small.
std::optional<std::pair<std::filesystem::path, std::uint64_t>> CleanWorkingCopy(git_repository* repo,
                                                                                  const IndexOnDisk& on_disk,
                                                                                  const std::string& path,
                                                                                  const git_oid& id,
                                                                                  std::uint64_t threshold) {
  const git_index_entry* entry = git_index_get_bypath(on_disk.index.get(), path.c_str(), 0);
  if (entry == nullptr || !git_oid_equal(&entry->id, &id)) return std::nullopt;
  if (entry->mode != GIT_FILEMODE_BLOB && entry->mode != GIT_FILEMODE_BLOB_EXECUTABLE) return std::nullopt;
  if ((entry->flags & GIT_INDEX_ENTRY_VALID) != 0) return std::nullopt;  // assume-unchanged: never compared
  if ((entry->flags_extended & (GIT_INDEX_ENTRY_SKIP_WORKTREE | GIT_INDEX_ENTRY_INTENT_TO_ADD)) != 0) return std::nullopt;
  std::filesystem::path file = std::filesystem::path(git_repository_workdir(repo)) / path;
  struct stat info {};
  if (lstat(file.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size < threshold) return std::nullopt;
  // The index keeps the low 32 bits of the size and the inode.
  if (entry->file_size != static_cast<std::uint32_t>(size) || entry->ino != static_cast<std::uint32_t>(info.st_ino)) {
    return std::nullopt;
  }
  if (!SameTime(entry->mtime, info.st_mtim) || !SameTime(entry->ctime, info.st_ctim)) return std::nullopt;
  // Racily clean, as git judges it: modified no earlier than the index was written, the file
  // may have changed in the same clock tick after its stat data was taken. A fresh checkout
  // leaves its last files so. Git then compares the contents, and so does this (below).
  const bool racy = !Before(info.st_mtim, on_disk.written);
  // The blob's own size (its header only is read), for the index's is cut to 32 bits.
  git_odb* odb = nullptr;
  std::size_t blob_size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  const bool known = git_repository_odb(&odb, repo) == 0 && git_odb_read_header(&blob_size, &type, odb, &id) == 0;
  git_odb_free(odb);
  if (!known || type != GIT_OBJECT_BLOB || blob_size != size) return std::nullopt;
  git_filter_list* raw_filters = nullptr;
  if (git_filter_list_load(&raw_filters, repo, nullptr, path.c_str(), GIT_FILTER_TO_WORKTREE, GIT_FILTER_DEFAULT) != 0) {
    return std::nullopt;
  }
  FilterList filters(raw_filters);
  if (filters != nullptr) return std::nullopt;  // the file on disk is the blob transformed
  if (racy && !HoldsBlob(file, size, id)) return std::nullopt;
  return std::make_pair(std::move(file), size);
}

int CollectEntry(const char* root, const git_tree_entry* entry, void* payload) {
  auto* state = static_cast<WalkState*>(payload);
  if (git_tree_entry_type(entry) == GIT_OBJECT_TREE) return 0;
  git_tree_entry* copy = nullptr;
  if (git_tree_entry_dup(&copy, entry) != 0) {
    state->failed = true;
    return -1;
  }
  state->found.emplace_back(state->prefix + root + git_tree_entry_name(entry), TreeEntry(copy));
  return 0;
}

}  // namespace

std::string GitBlobHeader(std::uint64_t size) { return fmt::format("blob {}", size) + '\0'; }

Result<std::vector<CommittedFile>> Repository::FilesAt(const std::string& revision, const std::string& path,
                                                       const FilesAtOptions& options) const {
  auto commit = PeelToCommit(repo_.get(), revision);
  if (!commit.ok()) return commit.status();
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit->get()) != 0) return InputError(LastError("cannot read the commit's tree"));
  Tree root(raw_tree);
  Tree subtree;
  std::vector<CommittedFile> files;
  std::optional<std::optional<IndexOnDisk>> index;  // read when first needed
  auto add = [&](const std::string& file_path, const git_tree_entry* entry) -> Status {
    const git_oid& id = *git_tree_entry_id(entry);
    CommittedFile file{file_path, KindOf(git_tree_entry_filemode(entry)), {}, nullptr, Hex(&id), 0, {}};
    const bool regular = file.kind == CommittedFile::Kind::kFile || file.kind == CommittedFile::Kind::kExecutable;
    if (regular && options.working_tree_from) {
      if (!index) index = ReadIndex(repo_.get());
      if (*index) {
        if (auto copy = CleanWorkingCopy(repo_.get(), **index, file.path, id, *options.working_tree_from)) {
          file.working_copy = std::move(copy->first);
          file.size = copy->second;
          files.push_back(std::move(file));
          return Status::Ok();
        }
      }
    }
    if (file.kind != CommittedFile::Kind::kSubmodule) {
      auto blob = LookUpBlob(repo_.get(), id);
      if (!blob.ok()) return blob.status().WithContext(file.path);
      file.blob = std::move(blob).value();
      file.content = BlobBytes(file.blob.get());
      file.size = file.content.size();
    }
    files.push_back(std::move(file));
    return Status::Ok();
  };
  git_tree* walked = root.get();
  WalkState state;
  TreeEntry named;
  if (!path.empty()) {
    git_tree_entry* raw_entry = nullptr;
    int rc = git_tree_entry_bypath(&raw_entry, root.get(), path.c_str());
    if (rc == GIT_ENOTFOUND) return InputError(fmt::format("{} does not exist in {}", path, revision));
    if (rc != 0) return InputError(LastError(fmt::format("cannot look up {}", path)));
    named.reset(raw_entry);
    if (git_tree_entry_type(named.get()) != GIT_OBJECT_TREE) {
      SLUICE_RETURN_IF_ERROR(add(path, named.get()));
      return files;
    }
    git_tree* raw_sub = nullptr;
    if (git_tree_lookup(&raw_sub, repo_.get(), git_tree_entry_id(named.get())) != 0) {
      return InputError(LastError(fmt::format("cannot read the tree {}", path)));
    }
    subtree.reset(raw_sub);
    walked = subtree.get();
    state.prefix = path.back() == '/' ? path : path + "/";
  }
  if (git_tree_walk(walked, GIT_TREEWALK_PRE, CollectEntry, &state) != 0) {
    return InputError(LastError("cannot walk the commit's tree"));
  }
  for (const auto& [file_path, entry] : state.found) SLUICE_RETURN_IF_ERROR(add(file_path, entry.get()));
  return files;
}

Result<std::vector<FileVersion>> Repository::History(const std::string& revision, const std::string& path,
                                                     std::size_t limit) const {
  auto start = PeelToCommit(repo_.get(), revision);
  if (!start.ok()) return start.status();
  std::vector<FileVersion> versions;
  Commit current = std::move(start).value();
  std::optional<git_oid> newer_blob;
  std::optional<FileVersion> pending;  // the oldest commit seen so far holding newer_blob
  while (current && versions.size() < limit) {
    auto id = BlobIdAt(current.get(), path);
    if (!id.ok()) return id.status();
    bool same = id->has_value() && newer_blob && git_oid_equal(&**id, &*newer_blob);
    if (!same) {
      if (pending) versions.push_back(std::move(*pending));
      pending.reset();
      newer_blob = *id;
      if (!id->has_value()) break;  // the file did not exist before this point
      auto content = ReadBlob(repo_.get(), **id);
      if (!content.ok()) return content.status().WithContext(path);
      pending = FileVersion{"", {}, std::move(content).value()};
    }
    // Walking back, the commit that introduced this content is the oldest one holding it.
    pending->commit = Hex(git_commit_id(current.get()));
    pending->committed_at = std::chrono::system_clock::from_time_t(git_commit_time(current.get()));
    git_commit* parent = nullptr;
    if (git_commit_parentcount(current.get()) == 0 || git_commit_parent(&parent, current.get(), 0) != 0) break;
    current.reset(parent);
  }
  if (pending && versions.size() < limit) versions.push_back(std::move(*pending));
  return versions;
}

}  // namespace sluice::git
