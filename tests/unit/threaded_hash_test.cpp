// SHA-256 on a thread of its own gives the digest hashing in place gives.
#include <catch2/catch.hpp>

#include <string>

#include "core/hash.h"
#include "core/threaded_hash.h"

using namespace sluice;

namespace {

// 40 MiB of bytes that never repeat a stretch, so a dropped or reordered chunk changes the digest.
std::string Body() {
  std::string body;
  body.reserve(40 << 20);
  std::uint64_t x = 88172645463325252ull;
  while (body.size() < (40u << 20)) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    body.append(reinterpret_cast<const char*>(&x), sizeof x);
  }
  return body;
}

std::string HashInChunks(ThreadedSha256& hash, const std::string& body, std::size_t chunk) {
  for (std::size_t at = 0; at < body.size(); at += chunk) hash.Update(std::string_view(body).substr(at, chunk));
  return hash.FinishHex();
}

}  // namespace

TEST_CASE("threaded SHA-256 equals SHA-256 in place, past the queue limit (8 MiB) and across chunk sizes", "[core][hash]") {
  const std::string body = Body();
  const std::string expected = Sha256Hex(body);
  for (std::size_t threshold : {std::size_t{0}, std::size_t{8} << 20, std::size_t{1} << 30}) {
    for (std::size_t chunk : {std::size_t{1000}, std::size_t{16384}, std::size_t{524288}, std::size_t{3000001}}) {
      INFO("threshold " << threshold << ", chunk " << chunk);
      ThreadedSha256 hash(threshold);
      CHECK(HashInChunks(hash, body, chunk) == expected);
      // It starts over after a digest, as Sha256 does.
      CHECK(HashInChunks(hash, "abc", 1) == Sha256Hex("abc"));
    }
  }
}

TEST_CASE("threaded SHA-256: Reset drops what was queued (a retried download starts over)", "[core][hash]") {
  const std::string body = Body();
  ThreadedSha256 hash(0);
  hash.Update(std::string_view(body).substr(0, 20 << 20));
  hash.Reset();
  CHECK(HashInChunks(hash, body, 1 << 20) == Sha256Hex(body));
  // Reset with a batch half gathered (pieces smaller than a batch).
  for (std::size_t at = 0; at < (3u << 20) + 5000; at += 5000) hash.Update(std::string_view(body).substr(at, 5000));
  hash.Reset();
  CHECK(HashInChunks(hash, body, 5000) == Sha256Hex(body));
}
