// SHA-256 on a thread of its own gives the digest hashing in place gives.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "core/hash.h"
#include "core/threaded_hash.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
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

TEST_CASE("a file read with its SHA-256 in one pass: the bytes and digest of reading then hashing, at every size, "
          "from a pipe too, and a clear error for a missing file",
          "[core][hash]") {
  const std::string body = Body();
  TempDir dir;
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{1} << 20, (std::size_t{8} << 20) + 1,
                           std::size_t{40} << 20}) {
    INFO("size " << size);
    const std::string bytes = body.substr(0, size);
    const fs::path path = dir.Write("f" + std::to_string(size), bytes);
    auto read = ReadFileWithSha256(path);
    REQUIRE(read.ok());
    CHECK(read->bytes == bytes);
    CHECK(read->sha256 == Sha256Hex(bytes));
  }
  // A FIFO has no size to trust: everything is read all the same.
  const fs::path fifo = dir.path() / "fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    out << body.substr(0, 3 << 20);
  });
  auto piped = ReadFileWithSha256(fifo);
  writer.join();
  REQUIRE(piped.ok());
  CHECK(piped->bytes == body.substr(0, 3 << 20));
  CHECK(piped->sha256 == Sha256Hex(body.substr(0, 3 << 20)));

  auto missing = ReadFileWithSha256(dir.path() / "absent.csv");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().kind() == ErrorKind::kInput);
  CHECK_THAT(missing.status().message(), Catch::Contains("absent.csv") && Catch::Contains("No such file"));
}
