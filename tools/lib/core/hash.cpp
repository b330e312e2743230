#include "core/hash.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>

#include <fmt/format.h>

namespace sluice {

void Digest::Free::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

Digest::Digest(const evp_md_st* algorithm) : algorithm_(algorithm), ctx_(EVP_MD_CTX_new()) { Reset(); }

void Digest::Reset() { EVP_DigestInit_ex(ctx_.get(), algorithm_, nullptr); }

void Digest::Update(std::string_view bytes) { EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()); }

Sha256::Sha256() : Digest(EVP_sha256()) {}

Sha1::Sha1() : Digest(EVP_sha1()) {}

std::string Digest::FinishHex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length);
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  Reset();
  return hex;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 hasher;
  hasher.Update(bytes);
  return hasher.FinishHex();
}

Result<std::string> Sha256OfFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InputError(fmt::format("cannot read {}", path.string()));
  Sha256 hasher;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    hasher.Update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) return InputError(fmt::format("cannot read {}", path.string()));
  return hasher.FinishHex();
}

}  // namespace sluice
