// Reaching an Azure storage account: where (the Blob endpoint) and as whom (SharedKey or a SAS
// token), from the usual environment variables, and the SharedKey signature of a request
// ("Authorize with Shared Key", learn.microsoft.com/rest/api/storageservices).
//
// Variables: AZURE_STORAGE_KEY (SharedKey) or AZURE_STORAGE_SAS_TOKEN, or both inside
// AZURE_STORAGE_CONNECTION_STRING (AccountName=…;AccountKey=…|SharedAccessSignature=…;
// BlobEndpoint=…). AZURE_STORAGE_ACCOUNT, when set, must name the URL's account.
// AZURE_STORAGE_BLOB_ENDPOINT overrides the endpoint (emulators: path-style,
// http://127.0.0.1:10000/devstoreaccount1). A key or SAS found here is registered as a secret.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "http/client.h"

namespace sluice::storage::azure {

// A version Azurite 3.35 and the service both accept.
inline constexpr std::string_view kApiVersion = "2021-08-06";

struct AzureAccess {
  std::string account;
  std::string endpoint;  // scheme://host[:port][/path], no trailing '/'
  std::string key;       // the decoded account key (SharedKey); empty with a SAS
  std::string sas;       // the SAS query without its '?'; empty with a key
  std::string credential_variable;  // where the key or SAS came from, for messages
};

// The access for `account` from `env`. No credential, an undecodable key, or an account that
// differs from AZURE_STORAGE_ACCOUNT is a ConfigError that names the variables (never a value).
Result<AzureAccess> AzureAccessFrom(const std::string& account, const Environment& env);

using QueryParams = std::vector<std::pair<std::string, std::string>>;  // decoded names and values

// The string a SharedKey signature covers: the verb, eleven standard headers (Content-Length
// empty when 0), the x-ms-* headers lower-cased and sorted, then "/<account><encoded path>" and
// the query parameters sorted by name, values comma-joined.
std::string SharedKeyStringToSign(std::string_view method, const http::Headers& headers, std::uint64_t content_length,
                                  std::string_view account, std::string_view encoded_path, const QueryParams& query);

// Adds x-ms-date and Authorization: SharedKey <account>:<signature> to `headers`.
void SignSharedKey(const AzureAccess& access, std::string_view method, http::Headers& headers,
                   std::uint64_t content_length, std::string_view encoded_path, const QueryParams& query,
                   std::chrono::system_clock::time_point now);

// Building blocks, exposed for tests.
std::string HmacSha256(std::string_view key, std::string_view text);  // raw 32 bytes
std::string Base64(std::string_view bytes);
Result<std::string> DecodeBase64(std::string_view text);
std::string Md5Base64(std::string_view bytes);  // Content-MD5
// The same of many blocks at once (core/md5_lanes.h): out[i] for blocks[i].
void Md5Base64Many(std::span<const std::string_view> blocks, std::string* out);
// The id of block `index` of a Put Block List, whose bytes have MD5 `md5_base64` (the block's
// Content-MD5): base64 of a fixed-width decimal counter and the MD5, so every id of one blob has
// the same length (the service requires it), and the committed block list names the content the
// service checked as each block arrived.
std::string BlockId(std::size_t index, std::string_view md5_base64);
// RFC 1123 date in GMT, as x-ms-date wants it.
std::string HttpDate(std::chrono::system_clock::time_point when);
// Percent-encodes everything but unreserved characters and '/'.
std::string EncodePath(std::string_view path);
std::string EncodeQueryValue(std::string_view value);

}  // namespace sluice::storage::azure
