// Amazon S3, and Google Cloud Storage through its S3-compatible XML API, as a Backend; every
// request signed with SigV4 (storage/sigv4.h); where and with which keys: storage/s3_target.h.
//
// Put: PutObject up to the multipart threshold, else CreateMultipartUpload, UploadPart (`parallel`
// parts at once, straight from the caller's bytes, each part's MD5 and SHA-256 worked out on
// every core while earlier parts go up), CompleteMultipartUpload, and AbortMultipartUpload when anything fails. Every
// request with a body carries Content-MD5, so the service refuses bytes damaged on the way
// (400 BadDigest). A single-part put's answer gives the MD5 back (its ETag, unless SSE-KMS,
// whose ETags are not MD5s; GCS also its x-goog-hash md5=): one that matches confirms the put
// (ConfirmedBy::kUploadHash), one that differs fails it, none falls back to reading the object
// back. A multipart put is confirmed by CompleteMultipartUpload's ETag, the MD5 of the MD5s of
// the parts, each of which S3 checked against its Content-MD5 (ConfirmedBy::kBlockList).
//
// PutIf: S3 enforces If-None-Match: * and If-Match: <etag> on PutObject (since August and
// November 2024) with 412 PreconditionFailed, or 409 ConditionalRequestConflict on a race;
// GCS's XML API takes x-goog-if-generation-match (0: must not exist). Both are sent. The
// emulator the tests use (s3rver 3.7) ignores these headers, so PutIf also checks the
// precondition just before writing and reads the object's version back just after: against a
// service that ignores the headers this catches a second publisher that is not exactly
// simultaneous, but it is not atomic; only the service's own check is.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

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
  // Puts this Backend saw confirmed by their answers need no request (see the top); the others
  // are read back, `parallel` at once.
  std::vector<Confirmation> ConfirmAll(const std::vector<ConfirmItem>& items, int parallel,
                                       Verification verification) override;

  // One S3 call, as the backend's pieces (s3_multipart.cpp) build them.
  struct Call {
    std::string method;
    std::string key;  // relative to the prefix; "" for the bucket itself
    sigv4::Pairs query;
    http::Headers headers;
    std::string body;
    // Sent instead of `body`, not copied: the caller's bytes, which outlive the request.
    std::optional<std::string_view> body_view = std::nullopt;
    // The payload's SHA-256 (hex, for the signature) and MD5 (raw, for Content-MD5) when they
    // were worked out already (a part's, on another core); else Prepare works them out.
    std::string payload_sha256 = "";
    std::string payload_md5 = "";

    std::string_view Payload() const { return body_view ? *body_view : std::string_view(body); }
  };

 private:
  Result<http::Transfer> Prepare(const Call& call) const;
  Result<http::Response> Send(const Call& call);
  // The Status for a response that is not what `action` wanted.
  Status Failure(const http::Response& response, std::string_view action, const std::string& key) const;
  std::string Where(const std::string& key) const;
  Call PutObjectCall(const std::string& key, std::string_view bytes, const ObjectProperties& properties) const;
  // Ok(true): the answer gave back the MD5 of `bytes`; Ok(false): it gave none to compare.
  Result<bool> CheckPutObject(const Result<http::Response>& response, const std::string& key, std::string_view bytes) const;
  void Remember(const PutItem& item, std::optional<ConfirmedBy> proof);
  Result<std::optional<std::string>> Head(const std::string& key);
  std::string VersionOf(const http::Response& response) const;
  Result<std::string> PutMultipart(const std::string& key, std::string_view bytes, const ObjectProperties& properties,
                                   int parallel);
  Result<std::string> UploadParts(const std::string& key, const std::string& upload_id, std::string_view bytes,
                                  int parallel);
  void Abort(const std::string& key, const std::string& upload_id);

  S3Target target_;
  http::Client client_;
  std::map<std::string, ProvenPut> proven_;  // by key
};

// x-amz-meta-* and the other headers a put carries for `properties`.
http::Headers ObjectHeaders(const ObjectProperties& properties);

}  // namespace sluice::storage
