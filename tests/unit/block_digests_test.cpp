// BlockDigests hands a hash of many blocks consecutive batches and gives every block its own
// digest, in the order a large upload asks for them.
#include <catch2/catch.hpp>

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/md5_lanes.h"
#include "storage/block_digests.h"

using namespace sluice;
using sluice::storage::BlockDigests;

TEST_CASE("block digests in batches: each block its own digest, each batch consecutive blocks", "[publish]") {
  // 37 blocks of 1,000 bytes and a last one of 7, each block's bytes its own.
  std::string bytes;
  for (int block = 0; block < 38; ++block) bytes.append(block < 37 ? 1000 : 7, static_cast<char>('A' + block % 50));
  std::mutex mutex;
  std::vector<std::vector<std::size_t>> batches;  // each batch's blocks, by their offsets
  BlockDigests<std::string>::HashMany hash = [&](std::span<const std::string_view> blocks, std::string* out) {
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      offsets.push_back(static_cast<std::size_t>(blocks[i].data() - bytes.data()));
      out[i] = std::string(1, blocks[i].front()) + std::to_string(blocks[i].size());
    }
    std::lock_guard<std::mutex> lock(mutex);
    batches.push_back(offsets);
  };
  {
    BlockDigests<std::string> digests(bytes, 1000, hash, 16);
    REQUIRE(digests.size() == 38);
    for (std::size_t block = 0; block < 38; ++block) {
      INFO("block " << block);
      CHECK(digests.Get(block) == std::string(1, static_cast<char>('A' + block % 50)) + (block < 37 ? "1000" : "7"));
    }
  }
  // Batches of 16, 16 and 6, each a run of consecutive blocks.
  std::multiset<std::size_t> sizes;
  for (const auto& batch : batches) {
    sizes.insert(batch.size());
    for (std::size_t i = 1; i < batch.size(); ++i) CHECK(batch[i] == batch[i - 1] + 1000);
  }
  CHECK(sizes == std::multiset<std::size_t>{6, 16, 16});
}

TEST_CASE("block digests through MD5 lanes are each block's own MD5", "[publish]") {
  std::string bytes;
  std::uint64_t x = 7;
  while (bytes.size() < 70 * 4096 + 123) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    bytes.append(reinterpret_cast<const char*>(&x), sizeof x);
  }
  BlockDigests<Md5Digest> digests(
      bytes, 4096, [](std::span<const std::string_view> blocks, Md5Digest* out) { Md5Many(blocks, out); }, Md5Lanes());
  REQUIRE(digests.size() == 71);
  for (std::size_t block = 0; block < digests.size(); ++block) {
    INFO("block " << block);
    CHECK(digests.Get(block) == Md5One(std::string_view(bytes).substr(block * 4096, 4096)));
  }
}
