// AWS Signature Version 4 for requests in the Authorization header (S3, and GCS's
// S3-compatible XML API with HMAC keys). The steps follow AWS's "Create a signed AWS API
// request": canonical request, string to sign, a key derived from the secret through the date,
// region and service, and an HMAC-SHA256 signature over the string to sign.
// S3 differs from other services in two ways handled here: the path is encoded once, not
// twice, and every request carries x-amz-content-sha256 (the payload's SHA-256, signed).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace sluice::storage::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" unless temporary credentials (AWS_SESSION_TOKEN)
};

struct Scope {
  std::string region;   // "us-east-1"; GCS takes "auto"
  std::string service;  // "s3"
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

// What the signature covers. `path` is the URI path exactly as sent (already percent-encoded,
// e.g. "/bucket/a%20b.csv"); `query` holds decoded names and values; `headers` those to sign
// (names in any case; Host included).
struct RequestToSign {
  std::string method;
  std::string path;
  Pairs query;
  Pairs headers;
  std::string payload_sha256;  // lower-case hex of the body's SHA-256
};

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - . _ ~)
// stay, every other byte becomes %XY (upper-case hex); '/' stays when `keep_slash`.
std::string UriEncode(std::string_view text, bool keep_slash);

// "20130524T000000Z" for `time` (UTC).
std::string AmzDate(std::chrono::system_clock::time_point time);

// The steps, exposed so tests can compare each with AWS's published examples.
std::string CanonicalRequest(const RequestToSign& request);
std::string SignedHeaders(const RequestToSign& request);
std::string StringToSign(std::string_view amz_date, const Scope& scope, std::string_view canonical_request);
std::string Signature(std::string_view secret, std::string_view amz_date, const Scope& scope,
                      std::string_view string_to_sign);

// Adds x-amz-date, x-amz-content-sha256, x-amz-security-token (when the credentials have a
// session token) and the Authorization header to `request.headers`, signing them all.
// Fails only when OpenSSL cannot compute an HMAC.
Status Sign(RequestToSign& request, const Credentials& credentials, const Scope& scope,
            std::chrono::system_clock::time_point now);

// Digests (OpenSSL) are raw bytes; "" when OpenSSL fails.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Md5(std::string_view bytes);
std::string Hex(std::string_view raw);
std::string Base64(std::string_view raw);

}  // namespace sluice::storage::sigv4
