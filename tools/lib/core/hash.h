// SHA-256 over a stream of bytes (OpenSSL EVP), for outputs, manifests and change detection.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

struct evp_md_ctx_st;

namespace sluice {

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view bytes);
  // Lower-case hex of the digest; the hasher starts over afterwards.
  std::string FinishHex();
  void Reset();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> ctx_;
};

std::string Sha256Hex(std::string_view bytes);
// Hashes a file in chunks, so memory stays flat whatever its size.
Result<std::string> Sha256OfFile(const std::filesystem::path& path);

}  // namespace sluice
