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
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "core/fs.h"
#include "core/hash.h"
#include "core/threaded_hash.h"
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
    for (Job& job : jobs_) {
      for (std::size_t at = 0; at < job.bytes.size() && !stop_; at += kChunk) hash.Update(job.bytes.substr(at, kChunk));
      job.digest.set_value(stop_ ? std::string() : hash.FinishHex());  // when stopped, nobody is left to ask
      hash.Reset();
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
  std::vector<LaterHashes::Job> jobs;
  std::vector<SourceFile*> later;
  for (auto& file : source.files) {
    if (!file.sha256().empty()) continue;
    if (file.bytes.size() < SourceFile::kHashLaterFrom) {
      file.set_sha256(Sha256Hex(file.bytes));
    } else {
      jobs.push_back({file.bytes, file.holder, {}});
      later.push_back(&file);
    }
  }
  if (jobs.empty()) return Status::Ok();
  std::vector<std::shared_future<std::string>> digests;
  for (auto& job : jobs) digests.push_back(job.digest.get_future().share());
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
          static_cast<std::uint64_t>(info.st_size), Nanoseconds(info.st_mtim), Nanoseconds(info.st_ctim)};
}

// SIGBUS with BUS_ADRERR is a mapped page past the end of its file: one of ours, cut short.
// Only async-signal-safe calls here. Any other SIGBUS is left to kill the process as it would.
void OnBusError(int signal, siginfo_t* info, void*) {
  if (info != nullptr && info->si_code == BUS_ADRERR) {
    static const char kMessage[] =
        "sluice-publish: error: a file under --from was cut short by another process while it was being read "
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

// A large file mapped in place (with its snapshot in `source.mapped`), else read into memory
// with its SHA-256 on the way.
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
    const auto size = static_cast<std::size_t>(info.st_size);
    // MAP_POPULATE: the page tables are filled now, once, not page by page by every thread.
    void* data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    const int error = errno;
    close(fd);
    if (data == MAP_FAILED) return failed(error);
    HandleTruncatedMappings();
    auto mapping = std::make_shared<const Mapping>(data, size);
    source.files.emplace_back(relative, mapping, std::string_view(static_cast<const char*>(data), size), "");
    source.mapped.push_back(Snapshot(path, relative, info));
    return Status::Ok();
  }
  close(fd);
  auto read = ReadFileWithSha256(path);
  if (!read.ok()) return read.status();
  auto bytes = std::make_shared<const std::string>(std::move(read->bytes));
  const std::string_view view = *bytes;
  source.files.emplace_back(relative, std::move(bytes), view, std::move(read->sha256));
  return Status::Ok();
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
    auto files = repository.FilesAt(*commit, clean);
    if (!files.ok()) return files.status();
    for (auto& file : *files) {
      using Kind = git::CommittedFile::Kind;
      if (file.kind == Kind::kSymlink || file.kind == Kind::kSubmodule) {
        return UnsafeError(fmt::format("{}: {} is a {} in the commit: refusing to publish it", source.origin, file.path,
                                       file.kind == Kind::kSymlink ? "symlink" : "submodule"));
      }
      SLUICE_RETURN_IF_ERROR(CheckName(file.path, source.origin));
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
