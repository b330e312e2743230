#include "publish/source.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "core/fs.h"
#include "core/hash.h"
#include "core/threaded_hash.h"
#include "git/repository.h"
#include "storage/backend.h"

namespace sluice::publish {
namespace {

namespace fs = std::filesystem;

Status CheckName(const std::string& path, const std::string& where) {
  Status key = storage::CheckKey(path);
  if (!key.ok()) return key.WithContext(where);
  if (path == "_sluice" || path.rfind("_sluice/", 0) == 0) {
    return UnsafeError(fmt::format("{}: {} would overwrite sluice's own records under _sluice/", where, path));
  }
  return Status::Ok();
}

// One thread hashing a source's large files in order, each into its promise, a chunk at a time.
// Its destructor (once the last file it hashes is gone) stops it between chunks and joins it.
class LaterHashes {
 public:
  struct Job {
    std::string_view bytes;
    std::shared_ptr<const void> holder;  // keeps `bytes` alive while they are hashed
    std::promise<std::string> digest;
    // A commit's file read from the working tree: its git blob id too, in the same pass.
    bool blob_id_wanted = false;
    std::promise<std::string> blob_id;
  };

  explicit LaterHashes(std::vector<Job> jobs) : jobs_(std::move(jobs)), thread_([this] { Work(); }) {}
  ~LaterHashes() {
    stop_ = true;
    thread_.join();
  }
  LaterHashes(const LaterHashes&) = delete;
  LaterHashes& operator=(const LaterHashes&) = delete;

 private:
  static constexpr std::size_t kChunk = 8u << 20;

  void Work() {
    Sha256 hash;
    Sha1 blob_hash;
    for (Job& job : jobs_) {
      if (job.blob_id_wanted) blob_hash.Update(git::GitBlobHeader(job.bytes.size()));
      for (std::size_t at = 0; at < job.bytes.size() && !stop_; at += kChunk) {
        hash.Update(job.bytes.substr(at, kChunk));
        if (job.blob_id_wanted) blob_hash.Update(job.bytes.substr(at, kChunk));
      }
      // When stopped, nobody is left to ask.
      job.digest.set_value(stop_ ? std::string() : hash.FinishHex());
      if (job.blob_id_wanted) job.blob_id.set_value(stop_ ? std::string() : blob_hash.FinishHex());
      hash.Reset();
      blob_hash.Reset();
      job.holder.reset();
    }
  }

  std::vector<Job> jobs_;
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: starts once the jobs are in place
};

Status Finish(PublishSource& source) {
  std::sort(source.files.begin(), source.files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
  source.files.erase(std::unique(source.files.begin(), source.files.end(),
                                 [](const SourceFile& a, const SourceFile& b) { return a.path == b.path; }),
                     source.files.end());
  if (source.files.empty()) return InputError(fmt::format("{}: there are no files to publish", source.origin));
  // A path named twice (a folder and a file in it) was mapped twice: once is enough.
  std::stable_sort(source.mapped.begin(), source.mapped.end(),
                   [](const MappedFile& a, const MappedFile& b) { return a.relative < b.relative; });
  source.mapped.erase(std::unique(source.mapped.begin(), source.mapped.end(),
                                  [](const MappedFile& a, const MappedFile& b) { return a.relative == b.relative; }),
                      source.mapped.end());
  // The mapped files whose git blob id is to be proved, by path.
  std::map<std::string_view, MappedFile*> to_prove;
  for (auto& mapped : source.mapped) {
    if (!mapped.blob_id.empty()) to_prove.emplace(mapped.relative, &mapped);
  }
  std::vector<LaterHashes::Job> jobs;
  std::vector<SourceFile*> later;
  std::vector<MappedFile*> proved_later;
  for (auto& file : source.files) {
    if (!file.sha256().empty()) continue;
    auto proving = to_prove.find(file.path);
    MappedFile* prove = proving == to_prove.end() ? nullptr : proving->second;
    if (file.bytes.size() < SourceFile::kHashLaterFrom) {
      file.set_sha256(Sha256Hex(file.bytes));
      if (prove != nullptr) {
        Sha1 blob_hash;
        blob_hash.Update(git::GitBlobHeader(file.bytes.size()));
        blob_hash.Update(file.bytes);
        std::promise<std::string> id;
        id.set_value(blob_hash.FinishHex());
        prove->mapped_blob_id = id.get_future().share();
      }
    } else {
      jobs.push_back({file.bytes, file.holder, {}, prove != nullptr, {}});
      later.push_back(&file);
      proved_later.push_back(prove);
    }
  }
  if (jobs.empty()) return Status::Ok();
  std::vector<std::shared_future<std::string>> digests;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    digests.push_back(jobs[i].digest.get_future().share());
    if (proved_later[i] != nullptr) proved_later[i]->mapped_blob_id = jobs[i].blob_id.get_future().share();
  }
  auto worker = std::make_shared<LaterHashes>(std::move(jobs));
  for (std::size_t i = 0; i < later.size(); ++i) later[i]->set_sha256_later(digests[i], worker);
  return Status::Ok();
}

// A file's bytes mapped read-only, unmapped when the last SourceFile sharing them is gone.
struct Mapping {
  Mapping(void* data_in, std::size_t size_in) : data(data_in), size(size_in) {}
  ~Mapping() { munmap(data, size); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  void* data;
  std::size_t size;
};

std::int64_t Nanoseconds(const timespec& time) { return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec; }

MappedFile Snapshot(const fs::path& path, std::string relative, const struct stat& info) {
  return {path, std::move(relative), static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino),
          static_cast<std::uint64_t>(info.st_size), Nanoseconds(info.st_mtim), Nanoseconds(info.st_ctim), "", {}};
}

// SIGBUS with BUS_ADRERR is a mapped page past the end of its file: one of ours, cut short.
// Only async-signal-safe calls here. Any other SIGBUS is left to kill the process as it would.
void OnBusError(int signal, siginfo_t* info, void*) {
  if (info != nullptr && info->si_code == BUS_ADRERR) {
    static const char kMessage[] =
        "sluice-publish: error: a file read in place from disk (under --from, or a commit's file in the working "
        "tree) was cut short by another process while it was being read "
        "(SIGBUS). Nothing of this run is published: the target's manifest still names the previous set. If the run "
        "had claimed the target, its lock expires by itself (runbooks/publish-failed.md). Rerun once the file is "
        "complete.\n";
    (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    _exit(2);
  }
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

void HandleTruncatedMappings() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_sigaction = OnBusError;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, nullptr);
  });
}

// Maps the open regular file `fd` (closing it) into `source`, with its snapshot in
// `source.mapped`; `blob_id` is the git blob it must prove to be, if any.
Status MapFile(PublishSource& source, int fd, const struct stat& info, const fs::path& path, const std::string& relative,
               std::string blob_id) {
  const auto size = static_cast<std::size_t>(info.st_size);
  // MAP_POPULATE: the page tables are filled now, once, not page by page by every thread.
  void* data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  const int error = errno;
  close(fd);
  if (data == MAP_FAILED) return InputError(fmt::format("cannot read {}: {}", path.string(), std::strerror(error)));
  HandleTruncatedMappings();
  auto mapping = std::make_shared<const Mapping>(data, size);
  source.files.emplace_back(relative, mapping, std::string_view(static_cast<const char*>(data), size), "");
  MappedFile snapshot = Snapshot(path, relative, info);
  snapshot.blob_id = std::move(blob_id);
  source.mapped.push_back(std::move(snapshot));
  return Status::Ok();
}

// A large file mapped in place, else read into memory with its SHA-256 on the way.
Status AddFile(PublishSource& source, const fs::path& path, const std::string& relative) {
  auto failed = [&](int error) { return InputError(fmt::format("cannot read {}: {}", path.string(), std::strerror(error))); };
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failed(errno);
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    const int error = errno;
    close(fd);
    return failed(error);
  }
  if (S_ISREG(info.st_mode) && static_cast<std::uint64_t>(info.st_size) >= kMapFrom) {
    return MapFile(source, fd, info, path, relative, "");
  }
  close(fd);
  auto read = ReadFileWithSha256(path);
  if (!read.ok()) return read.status();
  auto bytes = std::make_shared<const std::string>(std::move(read->bytes));
  const std::string_view view = *bytes;
  source.files.emplace_back(relative, std::move(bytes), view, std::move(read->sha256));
  return Status::Ok();
}

// A commit's file whose clean copy in the working tree is read in place of its blob.
Status AddWorkingCopy(PublishSource& source, const git::CommittedFile& file) {
  const fs::path& path = file.working_copy;
  auto changed = [&](const std::string& how) {
    return InputError(fmt::format("{}: {} {} as it was read from the working tree, where git's index had it clean: "
                                  "nothing of this run is published. Rerun once nothing writes to it",
                                  source.origin, file.path, how));
  };
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return changed(fmt::format("could not be opened ({})", std::strerror(errno)));
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || static_cast<std::uint64_t>(info.st_size) != file.size) {
    close(fd);
    return changed(fmt::format("changed (the commit's blob has {} bytes)", file.size));
  }
  return MapFile(source, fd, info, path, file.path, file.blob_id);
}

}  // namespace

namespace {

std::shared_future<std::string> Ready(std::string hex) {
  if (hex.empty()) return {};
  std::promise<std::string> promise;
  promise.set_value(std::move(hex));
  return promise.get_future().share();
}

}  // namespace

SourceFile::SourceFile(std::string path_in, std::string bytes_in, std::string sha256_in)
    : path(std::move(path_in)), sha256_(Ready(std::move(sha256_in))) {
  auto owned = std::make_shared<const std::string>(std::move(bytes_in));
  bytes = *owned;
  holder = std::move(owned);
}

SourceFile::SourceFile(std::string path_in, std::shared_ptr<const void> holder_in, std::string_view bytes_in,
                       std::string sha256_in)
    : path(std::move(path_in)), bytes(bytes_in), holder(std::move(holder_in)), sha256_(Ready(std::move(sha256_in))) {}

const std::string& SourceFile::sha256() const {
  static const std::string kNone;
  return sha256_.valid() ? sha256_.get() : kNone;
}

void SourceFile::set_sha256(std::string hex) {
  sha256_ = Ready(std::move(hex));
  worker_.reset();
}

void SourceFile::set_sha256_later(std::shared_future<std::string> hex, std::shared_ptr<const void> worker) {
  sha256_ = std::move(hex);
  worker_ = std::move(worker);
}

Status CheckMappedFilesUnchanged(const PublishSource& source) {
  for (const MappedFile& before : source.mapped) {
    struct stat info {};
    if (stat(before.path.c_str(), &info) != 0) {
      return InputError(fmt::format("{}: {} disappeared while it was being published ({}); nothing of this run is "
                                    "published. Rerun once it is back",
                                    source.origin, before.relative, std::strerror(errno)));
    }
    const MappedFile now = Snapshot(before.path, before.relative, info);
    if (now.device != before.device || now.inode != before.inode || now.size != before.size ||
        now.modified_ns != before.modified_ns || now.changed_ns != before.changed_ns) {
      return InputError(fmt::format("{}: {} changed while it was being published ({} bytes then, {} now): what was "
                                    "hashed and what was sent may not be one version of it, so nothing of this run "
                                    "is published. Rerun once nothing writes to it",
                                    source.origin, before.relative, before.size, now.size));
    }
    if (before.blob_id.empty()) continue;
    if (!before.mapped_blob_id.valid()) {
      return InternalError(fmt::format("{}: {} was read from the working tree but its git id was never worked out",
                                       source.origin, before.relative));
    }
    const std::string& mapped = before.mapped_blob_id.get();
    if (mapped != before.blob_id) {
      return InputError(fmt::format(
          "{}: {} in the working tree is not the commit's blob {} (its bytes are blob {}), although git's index "
          "said it was: nothing of this run is published. Remove the file and `git checkout -- {}` to restore it "
          "(git trusts the same index, so `git status` may call it clean), or publish from a fresh checkout",
          source.origin, before.relative, before.blob_id.substr(0, 12), mapped.substr(0, 12), before.relative));
    }
  }
  return Status::Ok();
}

Result<PublishSource> FilesFromCommit(const git::Repository& repository, const std::string& revision,
                                      const std::vector<std::string>& paths) {
  auto commit = repository.ResolveCommit(revision);
  if (!commit.ok()) return commit.status();
  PublishSource source;
  source.commit = *commit;
  source.origin = fmt::format("commit {} ({})", commit->substr(0, 12), revision);
  std::vector<std::string> wanted = paths.empty() ? std::vector<std::string>{""} : paths;
  for (const auto& path : wanted) {
    std::string clean = path;
    while (!clean.empty() && clean.back() == '/') clean.pop_back();
    if (!clean.empty()) SLUICE_RETURN_IF_ERROR(CheckName(clean, source.origin));
    auto files = repository.FilesAt(*commit, clean, git::FilesAtOptions{kMapFrom});
    if (!files.ok()) return files.status();
    for (auto& file : *files) {
      using Kind = git::CommittedFile::Kind;
      if (file.kind == Kind::kSymlink || file.kind == Kind::kSubmodule) {
        return UnsafeError(fmt::format("{}: {} is a {} in the commit: refusing to publish it", source.origin, file.path,
                                       file.kind == Kind::kSymlink ? "symlink" : "submodule"));
      }
      SLUICE_RETURN_IF_ERROR(CheckName(file.path, source.origin));
      if (!file.working_copy.empty()) {
        SLUICE_RETURN_IF_ERROR(AddWorkingCopy(source, file));
        continue;
      }
      source.files.emplace_back(file.path, std::move(file.blob), file.content, "");
    }
  }
  SLUICE_RETURN_IF_ERROR(Finish(source));
  return source;
}

Result<PublishSource> FilesFromDirectory(const fs::path& directory) {
  PublishSource source;
  source.origin = "directory " + directory.string();
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(directory, ec))) {
    return UnsafeError(fmt::format("--from {} is a symlink: name the directory itself", directory.string()));
  }
  if (!fs::is_directory(directory, ec)) return InputError(fmt::format("--from {} is not a directory", directory.string()));
  for (auto it = fs::recursive_directory_iterator(directory, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string relative = it->path().lexically_relative(directory).generic_string();
    if (it->is_symlink()) {
      return UnsafeError(fmt::format("{}: {} is a symlink: refusing to publish it (copy the real file in)",
                                     source.origin, relative));
    }
    if (it->is_directory()) continue;
    if (!it->is_regular_file()) return UnsafeError(fmt::format("{}: {} is not a regular file", source.origin, relative));
    SLUICE_RETURN_IF_ERROR(CheckName(relative, source.origin));
    SLUICE_RETURN_IF_ERROR(AddFile(source, it->path(), relative));
  }
  if (ec) return InputError(fmt::format("cannot read {}: {}", directory.string(), ec.message()));
  SLUICE_RETURN_IF_ERROR(Finish(source));
  return source;
}

}  // namespace sluice::publish
