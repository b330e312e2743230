#include "storage/azure_auth.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "core/md5_lanes.h"
#include "core/secrets.h"

namespace sluice::storage::azure {
namespace {

constexpr std::string_view kCredentialVariables =
    "AZURE_STORAGE_KEY (SharedKey), AZURE_STORAGE_SAS_TOKEN, or AZURE_STORAGE_CONNECTION_STRING";

struct MacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower;
}

std::string Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return std::string(text);
}

// Key=Value pairs separated by ';' (values may hold '=': base64 keys, SAS tokens).
std::map<std::string, std::string> ParseConnectionString(std::string_view text) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(start, end - start);
    std::size_t equals = part.find('=');
    if (equals != std::string_view::npos) fields[Lower(Trim(part.substr(0, equals)))] = Trim(part.substr(equals + 1));
    start = end + 1;
  }
  return fields;
}

std::string Field(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() ? "" : it->second;
}

}  // namespace

Result<AzureAccess> AzureAccessFrom(const std::string& account, const Environment& env) {
  AzureAccess access;
  access.account = account;
  std::map<std::string, std::string> connection;
  if (auto text = env.Get("AZURE_STORAGE_CONNECTION_STRING")) {
    RegisterSecret(*text);
    connection = ParseConnectionString(*text);
    const std::string named = Field(connection, "accountname");
    if (!named.empty() && named != account) {
      return ConfigError(fmt::format("AZURE_STORAGE_CONNECTION_STRING is for account '{}', but the target is in account "
                                     "'{}': use that account's connection string, or fix the az:// URL",
                                     named, account));
    }
  }
  if (auto named = env.Get("AZURE_STORAGE_ACCOUNT"); named && !named->empty() && *named != account) {
    return ConfigError(fmt::format("AZURE_STORAGE_ACCOUNT is '{}', but the target is in account '{}': the key would "
                                   "be the wrong one. Set AZURE_STORAGE_ACCOUNT={} with that account's key",
                                   *named, account, account));
  }

  std::string key_text = env.GetOr("AZURE_STORAGE_KEY", "");
  access.credential_variable = "AZURE_STORAGE_KEY";
  if (key_text.empty()) {
    key_text = Field(connection, "accountkey");
    access.credential_variable = "AZURE_STORAGE_CONNECTION_STRING (AccountKey)";
  }
  std::string sas;
  if (key_text.empty()) {
    sas = env.GetOr("AZURE_STORAGE_SAS_TOKEN", "");
    access.credential_variable = "AZURE_STORAGE_SAS_TOKEN";
    if (sas.empty()) {
      sas = Field(connection, "sharedaccesssignature");
      access.credential_variable = "AZURE_STORAGE_CONNECTION_STRING (SharedAccessSignature)";
    }
  }
  if (key_text.empty() && sas.empty()) {
    return ConfigError(fmt::format("no credentials for Azure storage account '{}': set {}", account, kCredentialVariables));
  }
  if (!key_text.empty()) {
    RegisterSecret(key_text);
    auto key = DecodeBase64(key_text);
    if (!key.ok() || key->empty()) {
      return ConfigError(fmt::format("{} is not a base64 account key: copy key1 or key2 from the storage account's "
                                     "\"Access keys\"", access.credential_variable));
    }
    access.key = std::move(key).value();
  } else {
    if (sas.front() == '?') sas.erase(0, 1);
    RegisterSecret(sas);
    access.sas = std::move(sas);
    // The signature alone also appears URL-decoded in places; mask it too.
    const std::size_t sig = ("&" + access.sas).find("&sig=");
    if (sig != std::string::npos) {
      std::string value = access.sas.substr(sig + 4);
      RegisterSecret(value.substr(0, value.find('&')));
    }
  }

  std::string endpoint = env.GetOr("AZURE_STORAGE_BLOB_ENDPOINT", "");
  if (endpoint.empty()) endpoint = Field(connection, "blobendpoint");
  if (endpoint.empty()) endpoint = fmt::format("https://{}.blob.core.windows.net", account);
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (endpoint.rfind("https://", 0) != 0 && endpoint.rfind("http://", 0) != 0) {
    return ConfigError(fmt::format("AZURE_STORAGE_BLOB_ENDPOINT '{}' is not an http(s) URL (e.g. "
                                   "http://127.0.0.1:10000/devstoreaccount1 for Azurite)", RedactUrl(endpoint)));
  }
  access.endpoint = std::move(endpoint);
  return access;
}

std::string SharedKeyStringToSign(std::string_view method, const http::Headers& headers, std::uint64_t content_length,
                                  std::string_view account, std::string_view encoded_path, const QueryParams& query) {
  auto header = [&](std::string_view name) {
    for (const auto& [key, value] : headers) {
      if (Lower(key) == name) return Trim(value);
    }
    return std::string();
  };
  std::string text = fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n", method, header("content-encoding"),
                                 header("content-language"), content_length == 0 ? "" : std::to_string(content_length),
                                 header("content-md5"), header("content-type"), header("date"),
                                 header("if-modified-since"), header("if-match"), header("if-none-match"),
                                 header("if-unmodified-since"), header("range"));
  std::map<std::string, std::string> ms_headers;
  for (const auto& [key, value] : headers) {
    std::string name = Lower(key);
    if (name.rfind("x-ms-", 0) == 0) ms_headers[name] = Trim(value);
  }
  for (const auto& [name, value] : ms_headers) text += name + ":" + value + "\n";
  text += fmt::format("/{}{}", account, encoded_path);
  std::map<std::string, std::vector<std::string>> params;
  for (const auto& [name, value] : query) params[Lower(name)].push_back(value);
  for (auto& [name, values] : params) {
    std::sort(values.begin(), values.end());
    text += "\n" + name + ":" + fmt::format("{}", fmt::join(values, ","));
  }
  return text;
}

void SignSharedKey(const AzureAccess& access, std::string_view method, http::Headers& headers,
                   std::uint64_t content_length, std::string_view encoded_path, const QueryParams& query,
                   std::chrono::system_clock::time_point now) {
  headers.emplace_back("x-ms-date", HttpDate(now));
  const std::string text = SharedKeyStringToSign(method, headers, content_length, access.account, encoded_path, query);
  headers.emplace_back("Authorization",
                       fmt::format("SharedKey {}:{}", access.account, Base64(HmacSha256(access.key, text))));
}

std::string HmacSha256(std::string_view key, std::string_view text) {
  std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) return "";
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return "";
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                               OSSL_PARAM_construct_end()};
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t length = 0;
  const bool ok = EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) == 1 &&
                  EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1 &&
                  EVP_MAC_final(ctx.get(), out.data(), &length, out.size()) == 1;
  // An empty signature is refused by the service with a 403 that names the key variable.
  return ok ? std::string(reinterpret_cast<const char*>(out.data()), length) : "";
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(std::max(n, 0)));
  return out;
}

Result<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) return InputError("base64 text whose length is not a multiple of 4");
  if (text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != std::string_view::npos) {
    return InputError("base64 text with a character outside the alphabet");
  }
  std::string out(3 * text.size() / 4 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return InputError("malformed base64 text");
  std::size_t length = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the zero bytes that padding stands for.
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && length > 0; --i) --length;
  out.resize(length);
  return out;
}

std::string Md5Base64(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_md5(), nullptr) != 1) return "";
  return Base64(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

void Md5Base64Many(std::span<const std::string_view> blocks, std::string* out) {
  std::vector<Md5Digest> digests(blocks.size());
  Md5Many(blocks, digests.data());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    out[i] = Base64(std::string_view(reinterpret_cast<const char*>(digests[i].data()), digests[i].size()));
  }
}

std::string BlockId(std::size_t index, std::string_view md5_base64) {
  return Base64(fmt::format("sluice-{:06d}-{}", index, md5_base64));
}

std::string HttpDate(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 64> text{};
  // strftime's %a/%b follow the C locale, which is the one a process starts in.
  const std::size_t n = std::strftime(text.data(), text.size(), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return std::string(text.data(), n);
}

std::string EncodePath(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string EncodeQueryValue(std::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

}  // namespace sluice::storage::azure
