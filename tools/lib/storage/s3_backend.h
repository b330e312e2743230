// Amazon S3, and Google Cloud Storage through its S3-compatible XML API, as a Backend; every
// request signed with SigV4 (storage/sigv4.h); where and with which keys: storage/s3_target.h.
//
// Put: PutObject up to the multipart threshold, else CreateMultipartUpload, UploadPart (a few
// parts at once), CompleteMultipartUpload, and AbortMultipartUpload when anything fails. Every
// request with a body carries Content-MD5, so the service refuses bytes damaged on the way
// (400 BadDigest); a single-part ETag is also compared with the MD5 (unless SSE-KMS, whose
// ETags are not MD5s).
//
// PutIf: S3 enforces If-None-Match: * and If-Match: <etag> on PutObject (since August and
// November 2024) with 412 PreconditionFailed, or 409 ConditionalRequestConflict on a race;
// GCS's XML API takes x-goog-if-generation-match (0: must not exist). Both are sent. The
// emulator the tests use (s3rver 3.7) ignores these headers, so PutIf also checks the
// precondition just before writing and reads the object's version back just after: against a
// service that ignores the headers this catches a second publisher that is not exactly
// simultaneous, but it is not atomic; only the service's own check is.
#pragma once

#include <string>

#include "http/client.h"
#include "storage/backend.h"
#include "storage/s3_target.h"

namespace sluice::storage {

class S3Backend : public Backend {
 public:
  explicit S3Backend(S3Target target);

  std::string Describe() const override;
  Status Put(const std::string& key, std::string_view bytes, const ObjectProperties& properties) override;
  Result<std::optional<StoredObject>> Get(const std::string& key) override;
  // Single-part puts through http::Client::PerformAll, `parallel` at once; multipart ones after.
  std::vector<Status> PutAll(const std::vector<PutItem>& items, int parallel, const PutProgress& progress) override;
  Status Delete(const std::string& key) override;
  Result<std::string> PutIf(const std::string& key, std::string_view bytes, const ObjectProperties& properties,
                            const Precondition& precondition) override;
  // ListObjectsV2, page by page (continuation tokens).
  Result<std::vector<std::string>> List() override;

  // One S3 call, as the backend's pieces (s3_multipart.cpp) build them.
  struct Call {
    std::string method;
    std::string key;  // relative to the prefix; "" for the bucket itself
    sigv4::Pairs query;
    http::Headers headers;
    std::string body;
  };

 private:
  Result<http::Transfer> Prepare(const Call& call) const;
  Result<http::Response> Send(const Call& call);
  // The Status for a response that is not what `action` wanted.
  Status Failure(const http::Response& response, std::string_view action, const std::string& key) const;
  std::string Where(const std::string& key) const;
  Call PutObjectCall(const std::string& key, std::string_view bytes, const ObjectProperties& properties) const;
  Status CheckPutObject(const Result<http::Response>& response, const std::string& key, std::string_view bytes) const;
  Result<std::optional<std::string>> Head(const std::string& key);
  std::string VersionOf(const http::Response& response) const;
  Result<std::string> PutMultipart(const std::string& key, std::string_view bytes, const ObjectProperties& properties);
  Result<std::string> UploadParts(const std::string& key, const std::string& upload_id, std::string_view bytes);
  void Abort(const std::string& key, const std::string& upload_id);

  S3Target target_;
  http::Client client_;
};

// x-amz-meta-* and the other headers a put carries for `properties`.
http::Headers ObjectHeaders(const ObjectProperties& properties);

}  // namespace sluice::storage
