// Where an s3:// or gs:// URL leads and with which keys, from the environment.
//
// S3: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), region AWS_REGION or
// AWS_DEFAULT_REGION (default us-east-1); virtual-hosted https://<bucket>.s3.<region>.amazonaws.com,
// or path style under AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (an emulator, MinIO, R2, ...).
// GCS: the XML API at https://storage.googleapis.com, path style, SigV4 with an HMAC key
// (GOOGLE_HMAC_ACCESS_KEY_ID / GOOGLE_HMAC_SECRET, else the AWS variables), region "auto";
// STORAGE_EMULATOR_HOST overrides the endpoint.
#pragma once

#include <cstddef>
#include <string>

#include "core/env.h"
#include "core/status.h"
#include "storage/sigv4.h"
#include "storage/storage_url.h"

namespace sluice::storage {

// S3's smallest part is 5 MiB (all but the last; "Amazon S3 multipart upload limits" in the S3
// User Guide), the most parts 10,000. Files up to the threshold go in one PutObject; bigger ones
// in parts of kPartSize, which reaches 80 GB within 10,000 parts.
inline constexpr std::size_t kMultipartThreshold = 16u << 20;
inline constexpr std::size_t kPartSize = 8u << 20;
inline constexpr std::size_t kMaxParts = 10'000;

struct S3Target {
  Scheme scheme = Scheme::kS3;
  std::string bucket;
  std::string prefix;       // "" or "a/b"
  std::string origin;       // "https://bucket.s3.us-east-1.amazonaws.com" or "http://127.0.0.1:4568"
  std::string host;         // the Host header: origin without its scheme
  std::string bucket_path;  // "" (virtual-hosted) or "/bucket" (path style)
  sigv4::Credentials credentials;
  sigv4::Scope scope;
  std::string key_variables;  // the variables the keys came from, for messages
  std::size_t multipart_threshold = kMultipartThreshold;
  std::size_t part_size = kPartSize;
  std::string text;  // the storage URL, for messages
};

// ConfigError (exit 2) naming the variables when a key is missing or an endpoint is malformed.
// The secret and the session token are registered as secrets (core/secrets.h).
// SLUICE_S3_MULTIPART_THRESHOLD (bytes; tests only) lowers the threshold, parts then half of it.
Result<S3Target> S3TargetFromEnvironment(const StorageUrl& url, const Environment& env);

}  // namespace sluice::storage
