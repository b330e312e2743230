#include "core/threaded_hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace sluice {

ThreadedSha256::~ThreadedSha256() { Stop(); }

void ThreadedSha256::Update(std::string_view bytes) {
  seen_ += bytes.size();
  if (!thread_.joinable()) {
    if (seen_ <= threshold_) {
      hash_.Update(bytes);
      return;
    }
    stopping_ = false;
    thread_ = std::thread([this] { Work(); });
  }
  // Gathered into batches: a body arrives in pieces of some KiB, and waking the thread for each
  // (a futex call and, on a VM, an interrupt to the other core) cost more than hashing them.
  if (filling_.capacity() < kBatchBytes) filling_.reserve(kBatchBytes);
  filling_.append(bytes.data(), bytes.size());
  if (filling_.size() >= kBatchBytes) Hand();
}

void ThreadedSha256::Hand() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return queued_bytes_ < kMaxQueuedBytes; });
  queued_bytes_ += filling_.size();
  queue_.push_back(std::move(filling_));
  filling_.clear();  // moved from: empty in practice, and now certainly
  if (!spare_.empty()) {
    filling_ = std::move(spare_.back());  // a recycled buffer keeps its capacity: no page faults
    spare_.pop_back();
  }
  lock.unlock();
  changed_.notify_all();
}

void ThreadedSha256::Work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is hashed
    std::string buffer = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    hash_.Update(buffer);
    lock.lock();
    queued_bytes_ -= buffer.size();
    buffer.clear();
    spare_.push_back(std::move(buffer));
    changed_.notify_all();
  }
}

void ThreadedSha256::Stop() {
  if (!thread_.joinable()) return;
  if (!filling_.empty()) Hand();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

std::string ThreadedSha256::FinishHex() {
  Stop();
  seen_ = 0;
  return hash_.FinishHex();  // the hasher starts over
}

void ThreadedSha256::Reset() {
  Stop();
  seen_ = 0;
  hash_.Reset();
}

Result<HashedFile> ReadFileWithSha256(const std::filesystem::path& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  auto failed = [&](int error) {
    return InputError(fmt::format("cannot read {}: {}", path.string(), std::strerror(error)));
  };
  if (fd < 0) return failed(errno);
  // The size is a hint (a pipe has none, a file may change): the bytes go straight into place up
  // to it, and whatever lies past it is appended.
  struct stat info {};
  const std::size_t hint = fstat(fd, &info) == 0 && S_ISREG(info.st_mode) ? static_cast<std::size_t>(info.st_size) : 0;
  constexpr std::size_t kChunk = 1u << 20;
  HashedFile file;
  file.bytes.resize(hint);
  ThreadedSha256 hasher;
  std::size_t got = 0;
  std::array<char, 1 << 16> spill{};
  while (true) {
    char* into = got < hint ? file.bytes.data() + got : spill.data();
    const std::size_t room = got < hint ? std::min(kChunk, hint - got) : spill.size();
    const ssize_t n = read(fd, into, room);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      close(fd);
      return failed(error);
    }
    if (n == 0) break;
    const std::string_view chunk(into, static_cast<std::size_t>(n));
    hasher.Update(chunk);
    if (got >= hint) file.bytes.append(chunk);
    got += static_cast<std::size_t>(n);
  }
  close(fd);
  file.bytes.resize(got);  // shorter than the hint when the file shrank meanwhile
  file.sha256 = hasher.FinishHex();
  return file;
}

}  // namespace sluice
