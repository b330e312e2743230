#include "storage/sigv4.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "core/hash.h"

namespace sluice::storage::sigv4 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

struct MacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Leading and trailing blanks dropped, inner runs of blanks folded to one space.
std::string TrimFold(std::string_view value) {
  std::string out;
  bool blank = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

// Lower-cased names, sorted, values of repeated names joined by ','.
std::vector<std::pair<std::string, std::string>> CanonicalHeaderList(const Pairs& headers) {
  std::vector<std::pair<std::string, std::string>> list;
  for (const auto& [name, value] : headers) list.emplace_back(Lower(name), TrimFold(value));
  std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> merged;
  for (auto& entry : list) {
    if (!merged.empty() && merged.back().first == entry.first) merged.back().second += "," + entry.second;
    else merged.push_back(std::move(entry));
  }
  return merged;
}

std::string DateOf(std::string_view amz_date) { return std::string(amz_date.substr(0, 8)); }

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

std::string AmzDate(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y%m%dT%H%M%SZ", &utc);
  return buffer.data();
}

std::string SignedHeaders(const RequestToSign& request) {
  std::string names;
  for (const auto& [name, value] : CanonicalHeaderList(request.headers)) names += (names.empty() ? "" : ";") + name;
  return names;
}

std::string CanonicalRequest(const RequestToSign& request) {
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [name, value] : request.query) query.emplace_back(UriEncode(name, false), UriEncode(value, false));
  std::sort(query.begin(), query.end());
  std::string canonical_query;
  for (const auto& [name, value] : query) canonical_query += fmt::format("{}{}={}", canonical_query.empty() ? "" : "&", name, value);
  std::string canonical_headers;
  for (const auto& [name, value] : CanonicalHeaderList(request.headers)) canonical_headers += name + ":" + value + "\n";
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method, request.path.empty() ? "/" : request.path, canonical_query,
                     canonical_headers, SignedHeaders(request), request.payload_sha256);
}

std::string StringToSign(std::string_view amz_date, const Scope& scope, std::string_view canonical_request) {
  return fmt::format("{}\n{}\n{}/{}/{}/aws4_request\n{}", kAlgorithm, amz_date, DateOf(amz_date), scope.region,
                     scope.service, Sha256Hex(canonical_request));
}

std::string Signature(std::string_view secret, std::string_view amz_date, const Scope& scope,
                      std::string_view string_to_sign) {
  std::string key = HmacSha256("AWS4" + std::string(secret), DateOf(amz_date));
  for (std::string_view part : {std::string_view(scope.region), std::string_view(scope.service), std::string_view("aws4_request")}) {
    if (key.empty()) return "";
    key = HmacSha256(key, part);
  }
  return key.empty() ? "" : Hex(HmacSha256(key, string_to_sign));
}

Status Sign(RequestToSign& request, const Credentials& credentials, const Scope& scope,
            std::chrono::system_clock::time_point now) {
  const std::string amz_date = AmzDate(now);
  request.headers.emplace_back("x-amz-date", amz_date);
  request.headers.emplace_back("x-amz-content-sha256", request.payload_sha256);
  if (!credentials.session_token.empty()) request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  const std::string string_to_sign = StringToSign(amz_date, scope, CanonicalRequest(request));
  const std::string signature = Signature(credentials.secret_access_key, amz_date, scope, string_to_sign);
  if (signature.empty()) return InternalError("OpenSSL could not compute HMAC-SHA256 (is its default provider loaded?)");
  request.headers.emplace_back("Authorization", fmt::format("{} Credential={}/{}/{}/{}/aws4_request, SignedHeaders={}, "
                                                            "Signature={}", kAlgorithm, credentials.access_key_id,
                                                            DateOf(amz_date), scope.region, scope.service,
                                                            SignedHeaders(request), signature));
  return Status::Ok();
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) return "";
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return "";
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                               OSSL_PARAM_construct_end()};
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t length = 0;
  if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &length, out.size()) != 1) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(out.data()), length);
}

std::string Md5(std::string_view bytes) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &length) != 1) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(out.data()), length);
}

std::string Hex(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 0x0f];
  }
  return out;
}

std::string Base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

}  // namespace sluice::storage::sigv4
