// Azure Blob storage as a Backend, over the Blob REST API (azure_auth.h says how it is reached).
//
// az://<account>/<container>/<prefix>: a key is the blob <prefix>/<key> of <container>.
// Small files go up in one Put Blob, larger ones as Put Block + Put Block List; every body
// carries its Content-MD5, which the service checks (400 Md5Mismatch) and, for Put Blob, gives
// back in its answer: that answer is the confirmation (ConfirmedBy::kUploadHash), an answer
// without it falls back to reading the blob back. A Put Blob's blob keeps that MD5, which Get
// checks on the way back. A blob put in blocks keeps no whole-file MD5 (it would cost a second
// pass over the file, about a fifth of a large upload's time on two cores; its sha256 is in the
// metadata and the published manifest); instead each block id names its block's MD5, so the
// committed block list says what the blob is made of without reading it (ConfirmAll). Blocks go
// up straight from the caller's bytes, each signed when its turn comes. Versions are ETags;
// PutIf is a Put Blob with If-None-Match: * or If-Match: <etag>, so the check and the write are
// one step at the service.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/client.h"
#include "storage/azure_auth.h"
#include "storage/backend.h"

namespace sluice::storage {

class AzureBackend : public Backend {
 public:
  // Put Blob takes up to 5000 MiB at version 2019-12-12 and later, but one request for a large
  // file means one long retry after any failure; past this, blocks go up in parallel instead.
  static constexpr std::size_t kSinglePutLimit = 4u << 20;
  // Block size of Put Block (the service allows up to 4000 MiB, and 50,000 blocks a blob).
  static constexpr std::size_t kBlockSize = 8u << 20;

  // Makes no request: the first one finds out whether the credentials work.
  AzureBackend(StorageUrl url, azure::AzureAccess access);

  // Blocks of `block_size` bytes, and Put Blob up to half of it (tests: SLUICE_AZURE_BLOCK_SIZE).
  void UseBlockSize(std::size_t block_size);

  std::string Describe() const override;
  Status Put(const std::string& key, std::string_view bytes, const ObjectProperties& properties) override;
  Result<std::optional<StoredObject>> Get(const std::string& key) override;
  std::vector<Status> PutAll(const std::vector<PutItem>& items, int parallel, const PutProgress& progress) override;
  Status Delete(const std::string& key) override;
  Result<std::string> PutIf(const std::string& key, std::string_view bytes, const ObjectProperties& properties,
                            const Precondition& precondition) override;
  Result<std::vector<std::string>> List() override;
  // A Put Blob answered with the MD5 sent is confirmed without a request (unless `verification`
  // is kReadBack); other small objects are read back whole, `parallel` at once; a blob this
  // Backend put in blocks is confirmed by its committed block list and its properties.
  std::vector<Confirmation> ConfirmAll(const std::vector<ConfirmItem>& items, int parallel,
                                       Verification verification) override;

 private:
  // One request to the service before it is signed.
  struct Call {
    std::string method;
    std::string blob;  // the full blob name; "" for a request on the container
    azure::QueryParams query;
    http::Headers headers;
    std::string body;
    std::string action;  // for messages: "uploading data/cases.csv"
    std::optional<std::string_view> body_view = std::nullopt;  // sent instead of `body`, not copied (see http::Request)

    std::string_view Payload() const { return body_view ? *body_view : std::string_view(body); }
  };

  // What a blob put in blocks by this Backend was committed as.
  struct CommittedBlocks {
    std::vector<std::string> ids;
    std::uint64_t size = 0;
  };

  std::string BlobName(const std::string& key) const;
  http::Transfer Prepare(const Call& call) const;
  std::string UrlWithoutQuery(const Call& call) const;
  Status Failure(const Call& call, const http::Response& response) const;
  Result<http::Response> Send(const Call& call);
  Call PutBlobCall(const std::string& key, std::string_view bytes, const ObjectProperties& properties) const;
  Status CheckPut(const Call& call, const Result<http::Response>& response) const;
  Status PutInBlocks(const PutItem& item, int parallel);
  Status ConfirmReadBack(const ConfirmItem& item, const Call& call, const Result<http::Response>& response) const;
  Status ConfirmBlocks(const ConfirmItem& item, const CommittedBlocks& blocks, const Call& list_call,
                       const Result<http::Response>& list, const Call& properties_call,
                       const Result<http::Response>& properties) const;

  StorageUrl url_;
  azure::AzureAccess access_;
  std::string endpoint_path_;  // the endpoint's own path ("/devstoreaccount1" path-style, else "")
  http::Client client_;
  std::map<std::string, CommittedBlocks> committed_blocks_;  // by key
  std::map<std::string, ProvenPut> proven_by_md5_;           // Put Blobs answered with the MD5 sent, by key
  std::size_t single_put_limit_ = kSinglePutLimit;
  std::size_t block_size_ = kBlockSize;
};

}  // namespace sluice::storage
