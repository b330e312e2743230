// Object storage as sluice-publish needs it: put with content type, cache-control and metadata;
// get; delete; and one conditional put, on which "one publisher at a time" rests.
//
// Keys are '/'-separated names relative to the target's prefix ("data/cases.csv",
// "_sluice/manifest.json"); a backend refuses (kUnsafe) a key that is empty, absolute, or holds
// '.', '..' or an empty component. Versions are opaque, etag-like tokens that change whenever
// the object does: Azure and S3 give an ETag (If-Match / If-None-Match: *, or a blob lease on
// Azure); the file backend uses the SHA-256 of the content.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "storage/storage_url.h"

namespace sluice::storage {

struct ObjectProperties {
  std::string content_type;
  std::string cache_control;
  std::map<std::string, std::string> metadata;  // names: lower-case letters, digits, '-' (x-ms-meta-*, x-amz-meta-*;
                                                // Azure stores '-' as '_')
};

struct StoredObject {
  std::string bytes;
  std::string version;
};

// One object of a batch (Backend::PutAll). `bytes` must outlive the call.
struct PutItem {
  std::string key;
  std::string_view bytes;
  ObjectProperties properties;
  // Metadata still being worked out when the put starts (a large file's sluice-sha256, hashed on
  // a thread while its blocks go up), merged into `properties` by Properties(), which waits for
  // it. A backend asks as late as its protocol allows: Azure when it commits the block list, S3
  // when it creates the multipart upload, a single-request put before sending.
  std::function<std::map<std::string, std::string>()> late_metadata;

  ObjectProperties Properties() const;
};

// Called after each finished item of a batch with the count finished so far (any order).
using PutProgress = std::function<void(std::size_t done, std::size_t total)>;

// One uploaded object to confirm (Backend::ConfirmAll): what was put, by its hash and size.
struct ConfirmItem {
  std::string key;
  std::string sha256;  // lower-case hex
  std::uint64_t size = 0;
};

// How an object was confirmed:
// - kUploadHash: the put itself was the check. Its request carried Content-MD5, which the
//   service checks on arrival (Azure Put Blob: 400 Md5Mismatch; S3 PutObject: 400 BadDigest),
//   and its answer gave back that MD5 (Azure's Content-MD5 header, a single-part non-KMS S3
//   ETag, GCS's x-goog-hash md5). No second request.
// - kBlockList: a blob this Backend put in blocks or parts, confirmed by what was committed:
//   Azure's committed block list, whose ids name the MD5 the service checked as each block
//   arrived, with the blob's length and sluice-sha256 from its properties; S3's
//   CompleteMultipartUpload ETag, the MD5 of the parts' MD5s each part was checked against.
// - kReadBack: its bytes read back whole and hashed.
enum class ConfirmedBy { kReadBack, kBlockList, kUploadHash };

// What ConfirmAll may accept as proof (the manifest's publish.verify, --verify).
// kUploadHash: a put answered with the MD5 sent is confirmed without a request; an answer
// without one (an S3 SSE-KMS ETag, a proxy that drops the header) falls back to reading back.
// kReadBack: every single-request upload is read back whole (blobs put in blocks or parts are
// still confirmed by their committed list: reading back gigabytes proves no more).
enum class Verification { kUploadHash, kReadBack };

struct Confirmation {
  Status status;
  ConfirmedBy by = ConfirmedBy::kReadBack;
};

// A put this Backend made that proved itself (kUploadHash or kBlockList), kept by key until
// ConfirmAll: the sha256 and size of what was put, to match the ConfirmItem against.
struct ProvenPut {
  std::string sha256;
  std::uint64_t size = 0;
  ConfirmedBy by = ConfirmedBy::kUploadHash;
};

// The sha256 an item claims (its sluice-sha256 metadata, as the publisher sets it), else that
// of its bytes.
std::string ItemSha256(const PutItem& item);

// What a conditional put requires of the object as it is now.
struct Precondition {
  std::optional<std::string> version;  // nullopt: the object must not exist; else its version must be this
  static Precondition IfAbsent() { return {}; }
  static Precondition IfVersion(std::string v) { return {std::move(v)}; }
};

class Backend {
 public:
  virtual ~Backend() = default;

  // The target as people should read it (never a credential).
  virtual std::string Describe() const = 0;

  virtual Status Put(const std::string& key, std::string_view bytes, const ObjectProperties& properties) = 0;
  // nullopt when there is no such object.
  virtual Result<std::optional<StoredObject>> Get(const std::string& key) = 0;
  // Puts every item, at most `parallel` at once; one Status per item, in input order. A failed
  // item does not stop the others. The default puts them one by one.
  virtual std::vector<Status> PutAll(const std::vector<PutItem>& items, int parallel, const PutProgress& progress);
  // Confirms that each object holds what was put, at most `parallel` requests at once; one
  // Confirmation per item, in input order. An object that differs or is missing is an
  // ExternalError naming it and both hashes. The default reads each one back (Get), one by one,
  // whatever `verification` says.
  virtual std::vector<Confirmation> ConfirmAll(const std::vector<ConfirmItem>& items, int parallel,
                                               Verification verification);
  // Deleting an object that is not there succeeds (a rerun repeats deletions).
  virtual Status Delete(const std::string& key) = 0;
  // Writes `bytes` only if `precondition` holds at the moment of writing, atomically with the
  // check; returns the new version. When it does not hold: UnsafeError naming the key and the
  // version found, so that a second publisher stops (exit 4) instead of interleaving.
  virtual Result<std::string> PutIf(const std::string& key, std::string_view bytes, const ObjectProperties& properties,
                                    const Precondition& precondition) = 0;
  // Every key under the prefix, sorted. Optional: a backend may answer with a ConfigError.
  virtual Result<std::vector<std::string>> List();
};

// The verdict on one object read back: Ok when `stored` holds bytes of `item.sha256`.
Status CompareReadBack(const std::string& where, const ConfirmItem& item, const std::optional<std::string>& stored);

// Refuses (kUnsafe) a key that could leave the prefix; see the top of this file.
Status CheckKey(std::string_view key);

  // The backend for `url`, with credentials from `env`: az:// (storage/azure_auth.h), s3:// and
  // gs:// (storage/s3_target.h). Missing credentials are a ConfigError (exit 2) naming them.
  // SLUICE_AZURE_BLOCK_SIZE (bytes; tests only) makes Azure's blocks that small
  // (AzureBackend::UseBlockSize), as SLUICE_S3_MULTIPART_THRESHOLD does S3's parts.
Result<std::unique_ptr<Backend>> OpenBackend(const StorageUrl& url, const Environment& env);

}  // namespace sluice::storage
