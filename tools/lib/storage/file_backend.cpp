#include "storage/file_backend.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/fs.h"
#include "core/hash.h"

namespace sluice::storage {
namespace {

namespace fs = std::filesystem;

// An exclusive flock(2) held for the life of the object.
class DirectoryLock {
 public:
  static Result<DirectoryLock> Acquire(const fs::path& file) {
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ExternalError(fmt::format("cannot open the lock file {}: {}", file.string(), std::strerror(errno)));
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd);
      return ExternalError(fmt::format("cannot lock {}: {}", file.string(), std::strerror(error)));
    }
    return DirectoryLock(fd);
  }
  DirectoryLock(DirectoryLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DirectoryLock& operator=(DirectoryLock&&) = delete;
  ~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }

 private:
  explicit DirectoryLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace

std::string FileBackend::Describe() const { return "file://" + root_.string(); }

Result<fs::path> FileBackend::PathOf(const std::string& key) const {
  SLUICE_RETURN_IF_ERROR(CheckKey(key));
  fs::path path = root_;
  for (const auto& part : fs::path(key)) {
    path /= part;
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(path, ec))) {
      return UnsafeError(fmt::format("{} is a symlink in the target directory: refusing to write through it",
                                     path.string()));
    }
  }
  return path;
}

Status FileBackend::Put(const std::string& key, std::string_view bytes, const ObjectProperties& properties) {
  (void)properties;
  auto path = PathOf(key);
  if (!path.ok()) return path.status();
  std::error_code ec;
  fs::create_directories(path->parent_path(), ec);
  if (ec) return ExternalError(fmt::format("cannot create {}: {}", path->parent_path().string(), ec.message()));
  Status written = WriteFileAtomically(*path, bytes);
  if (!written.ok()) return ExternalError(written.message());
  return Status::Ok();
}

Result<std::optional<StoredObject>> FileBackend::Get(const std::string& key) {
  auto path = PathOf(key);
  if (!path.ok()) return path.status();
  std::error_code ec;
  if (!fs::exists(*path, ec)) return std::optional<StoredObject>();
  auto bytes = ReadFile(*path);
  if (!bytes.ok()) return ExternalError(bytes.status().message());
  StoredObject object{std::move(bytes).value(), ""};
  object.version = Sha256Hex(object.bytes);
  return std::optional<StoredObject>(std::move(object));
}

Status FileBackend::Delete(const std::string& key) {
  auto path = PathOf(key);
  if (!path.ok()) return path.status();
  std::error_code ec;
  fs::remove(*path, ec);
  if (ec) return ExternalError(fmt::format("cannot delete {}: {}", path->string(), ec.message()));
  return Status::Ok();
}

Result<std::string> FileBackend::PutIf(const std::string& key, std::string_view bytes,
                                       const ObjectProperties& properties, const Precondition& precondition) {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) return ExternalError(fmt::format("cannot create {}: {}", root_.string(), ec.message()));
  auto lock = DirectoryLock::Acquire(root_ / ".sluice-lock");
  if (!lock.ok()) return lock.status();
  auto current = Get(key);
  if (!current.ok()) return current.status();
  if (!precondition.version && current->has_value()) {
    return UnsafeError(fmt::format("{}/{} appeared (version {}) while this run expected none", Describe(), key,
                                   (*current)->version.substr(0, 12)));
  }
  if (precondition.version && (!current->has_value() || (*current)->version != *precondition.version)) {
    return UnsafeError(fmt::format("{}/{} changed under this run: expected version {}, found {}", Describe(), key,
                                   precondition.version->substr(0, 12),
                                   current->has_value() ? (*current)->version.substr(0, 12) : "none"));
  }
  SLUICE_RETURN_IF_ERROR(Put(key, bytes, properties));
  return Sha256Hex(bytes);
}

Result<std::vector<std::string>> FileBackend::List() {
  std::vector<std::string> keys;
  std::error_code ec;
  if (!fs::exists(root_, ec)) return keys;
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().filename() == ".sluice-lock") continue;
    std::string name = it->path().filename().string();
    if (name.find(".sluice-tmp-") != std::string::npos) continue;  // an AtomicFile in flight
    keys.push_back(it->path().lexically_relative(root_).generic_string());
  }
  if (ec) return ExternalError(fmt::format("cannot list {}: {}", root_.string(), ec.message()));
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace sluice::storage
