// SHA-256 on a thread of its own, for large downloads: hashing 256 MiB takes ~0.17 s even with
// the CPU's SHA instructions, time the receiving thread would otherwise not spend reading the
// socket. Bytes are copied into recycled buffers and hashed in order; at most kMaxQueuedBytes (8 MiB)
// wait (Update blocks beyond that), so memory stays flat in the body size.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/hash.h"

namespace sluice {

class ThreadedSha256 {
 public:
  // Hashes on the caller's thread until `threshold` bytes have been seen, then on a thread:
  // a small body is not worth one.
  explicit ThreadedSha256(std::size_t threshold = 8 << 20) : threshold_(threshold) {}
  ~ThreadedSha256();
  ThreadedSha256(const ThreadedSha256&) = delete;
  ThreadedSha256& operator=(const ThreadedSha256&) = delete;

  void Update(std::string_view bytes);
  // Lower-case hex of the digest of everything given since the start or the last Reset.
  std::string FinishHex();
  void Reset();

 private:
  static constexpr std::size_t kMaxQueuedBytes = 8 << 20;
  static constexpr std::size_t kBatchBytes = 1 << 20;

  void Hand();  // queues filling_ for the thread
  void Work();
  void Stop();  // waits until every queued byte is hashed, then joins

  std::size_t threshold_;
  std::size_t seen_ = 0;
  Sha256 hash_;  // owned by the thread while it runs
  std::thread thread_;
  std::string filling_;  // the caller's batch being gathered, not yet queued
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;  // guarded by mutex_, as are the three below
  std::vector<std::string> spare_;
  std::size_t queued_bytes_ = 0;
  bool stopping_ = false;
};

struct HashedFile {
  std::string bytes;
  std::string sha256;  // lower-case hex
};

// Reads a whole file and its SHA-256 in one pass: past the threshold, a ThreadedSha256 hashes each
// chunk while the next one is read, so a large file costs about the longer of the two, not their sum.
Result<HashedFile> ReadFileWithSha256(const std::filesystem::path& path);

}  // namespace sluice
