// The digests of a large file's blocks (Azure Put Block, S3 UploadPart), worked out on every core
// in block order while the blocks go up: a block waits only for its own digest, so hashing
// overlaps with sending (MD5 and SHA-256 are the slow part of a large upload on two cores).
// A hash that works on several blocks at once (MD5 in sixteen lanes, core/md5_lanes.h) is handed
// `batch` consecutive blocks at a time, each core taking the next batch.
// The file's bytes are only read, never copied; they must outlive the BlockDigests.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

namespace sluice::storage {

template <typename Digest>
class BlockDigests {
 public:
  using Hash = std::function<Digest(std::string_view block)>;
  // out[i] = the digest of blocks[i].
  using HashMany = std::function<void(std::span<const std::string_view> blocks, Digest* out)>;

  BlockDigests(std::string_view bytes, std::size_t block_size, Hash hash)
      : BlockDigests(bytes, block_size, HashMany([hash](std::span<const std::string_view> blocks, Digest* out) {
                       for (std::size_t i = 0; i < blocks.size(); ++i) out[i] = hash(blocks[i]);
                     }),
                     1) {}

  BlockDigests(std::string_view bytes, std::size_t block_size, HashMany hash, std::size_t batch)
      : promises_((bytes.size() + block_size - 1) / block_size) {
    for (auto& promise : promises_) futures_.push_back(promise.get_future().share());
    batch = std::max<std::size_t>(batch, 1);
    const std::size_t batches = (promises_.size() + batch - 1) / batch;
    const std::size_t workers =
        std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, std::max<std::size_t>(batches, 1));
    for (std::size_t w = 0; w < workers; ++w) {
      threads_.emplace_back([this, bytes, block_size, batch, batches, w, workers, hash] {
        std::vector<std::string_view> blocks;
        std::vector<Digest> digests;
        for (std::size_t n = w; n < batches; n += workers) {
          const std::size_t first = n * batch, end = std::min(first + batch, promises_.size());
          blocks.clear();
          for (std::size_t b = first; b < end; ++b) blocks.push_back(bytes.substr(b * block_size, block_size));
          digests.assign(blocks.size(), Digest{});
          if (!stop_) hash(blocks, digests.data());
          for (std::size_t b = first; b < end; ++b) promises_[b].set_value(std::move(digests[b - first]));
        }
      });
    }
  }
  ~BlockDigests() {
    stop_ = true;  // a failed upload does not wait for the digests of blocks it will never send
    for (auto& thread : threads_) thread.join();
  }
  BlockDigests(const BlockDigests&) = delete;
  BlockDigests& operator=(const BlockDigests&) = delete;

  std::size_t size() const { return promises_.size(); }
  // Waits for block `block`'s digest.
  const Digest& Get(std::size_t block) const { return futures_[block].get(); }
  // Whether Get(block) would answer without waiting.
  bool Ready(std::size_t block) const {
    return futures_[block].wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }

 private:
  std::vector<std::promise<Digest>> promises_;
  std::vector<std::shared_future<Digest>> futures_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace sluice::storage
