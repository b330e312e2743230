// SHA-256 over a stream of bytes (OpenSSL EVP), for outputs, manifests and change detection;
// SHA-1 for git's object ids (a file read from the working tree is checked against its blob).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

struct evp_md_ctx_st;
struct evp_md_st;

namespace sluice {

// One of OpenSSL's digests over a stream of bytes.
class Digest {
 public:
  void Update(std::string_view bytes);
  // Lower-case hex of the digest; the hasher starts over afterwards.
  std::string FinishHex();
  void Reset();

 protected:
  explicit Digest(const evp_md_st* algorithm);

 private:
  struct Free {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  const evp_md_st* algorithm_;
  std::unique_ptr<evp_md_ctx_st, Free> ctx_;
};

class Sha256 : public Digest {
 public:
  Sha256();
};

class Sha1 : public Digest {
 public:
  Sha1();
};

std::string Sha256Hex(std::string_view bytes);
// Hashes a file in chunks, so memory stays flat whatever its size.
Result<std::string> Sha256OfFile(const std::filesystem::path& path);

}  // namespace sluice
