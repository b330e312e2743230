// The digests of a large file's blocks (Azure Put Block, S3 UploadPart), worked out on every core
// in block order while the blocks go up: a block waits only for its own digest, so hashing
// overlaps with sending (MD5 and SHA-256 are the slow part of a large upload on two cores).
// The file's bytes are only read, never copied; they must outlive the BlockDigests.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <string_view>
#include <thread>
#include <vector>

namespace sluice::storage {

template <typename Digest>
class BlockDigests {
 public:
  using Hash = std::function<Digest(std::string_view block)>;

  BlockDigests(std::string_view bytes, std::size_t block_size, Hash hash)
      : promises_((bytes.size() + block_size - 1) / block_size) {
    for (auto& promise : promises_) futures_.push_back(promise.get_future().share());
    const std::size_t workers =
        std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, std::max<std::size_t>(promises_.size(), 1));
    for (std::size_t w = 0; w < workers; ++w) {
      threads_.emplace_back([this, bytes, block_size, w, workers, hash] {
        for (std::size_t b = w; b < promises_.size(); b += workers) {
          promises_[b].set_value(stop_ ? Digest{} : hash(bytes.substr(b * block_size, block_size)));
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
