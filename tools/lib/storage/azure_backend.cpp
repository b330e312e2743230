#include "storage/azure_backend.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

#include "core/md5_lanes.h"
#include "storage/azure_response.h"
#include "storage/block_digests.h"

namespace sluice::storage {
namespace {

using azure::QueryParams;

// List Blobs returns at most 5,000 names a page.
constexpr int kListPageSize = 5000;

std::string QueryString(const QueryParams& query) {
  std::string text;
  for (const auto& [name, value] : query) {
    text += (text.empty() ? "" : "&") + name + "=" + azure::EncodeQueryValue(value);
  }
  return text;
}

void AddProperties(http::Headers& headers, const ObjectProperties& properties) {
  headers.emplace_back("x-ms-blob-content-type",
                       properties.content_type.empty() ? "application/octet-stream" : properties.content_type);
  if (!properties.cache_control.empty()) headers.emplace_back("x-ms-blob-cache-control", properties.cache_control);
  // Azure metadata names are C# identifiers: no '-', so "sluice-commit" is stored as sluice_commit.
  for (const auto& [name, value] : properties.metadata) {
    std::string identifier = name;
    std::replace(identifier.begin(), identifier.end(), '-', '_');
    headers.emplace_back("x-ms-meta-" + identifier, value);
  }
}

}  // namespace

AzureBackend::AzureBackend(StorageUrl url, azure::AzureAccess access) : url_(std::move(url)), access_(std::move(access)) {
  const std::size_t authority = access_.endpoint.find("://") + 3;
  const std::size_t path = access_.endpoint.find('/', authority);
  if (path != std::string::npos) endpoint_path_ = access_.endpoint.substr(path);
}

void AzureBackend::UseBlockSize(std::size_t block_size) {
  block_size_ = std::max<std::size_t>(block_size, 2);
  single_put_limit_ = block_size_ / 2;
}

std::string AzureBackend::Describe() const {
  return fmt::format("az://{}/{}{}{}", url_.account, url_.container, url_.prefix.empty() ? "" : "/", url_.prefix);
}

std::string AzureBackend::BlobName(const std::string& key) const {
  return url_.prefix.empty() ? key : url_.prefix + "/" + key;
}

std::string AzureBackend::UrlWithoutQuery(const Call& call) const {
  const std::string path = "/" + url_.container + (call.blob.empty() ? "" : "/" + azure::EncodePath(call.blob));
  return access_.endpoint + path;
}

http::Transfer AzureBackend::Prepare(const Call& call) const {
  http::Transfer transfer;
  http::Request& request = transfer.request;
  request.method = call.method;
  request.headers = call.headers;
  request.headers.emplace_back("x-ms-version", std::string(azure::kApiVersion));
  // curl would otherwise send a form Content-Type with every body, and the signature covers it.
  const bool has_type = std::any_of(request.headers.begin(), request.headers.end(),
                                    [](const auto& h) { return h.first == "Content-Type"; });
  if (call.method == "PUT" && !has_type) request.headers.emplace_back("Content-Type", "application/octet-stream");
  if (call.body_view) request.body_view = call.body_view;
  else request.body = call.body;
  request.max_redirects = 0;
  std::string query = QueryString(call.query);
  if (!access_.sas.empty()) query += (query.empty() ? "" : "&") + access_.sas;
  request.url = UrlWithoutQuery(call) + (query.empty() ? "" : "?" + query);
  if (access_.sas.empty()) {
    const std::string path =
        endpoint_path_ + "/" + url_.container + (call.blob.empty() ? "" : "/" + azure::EncodePath(call.blob));
    azure::SignSharedKey(access_, call.method, request.headers, call.Payload().size(), path, call.query,
                         std::chrono::system_clock::now());
  }
  return transfer;
}

Status AzureBackend::Failure(const Call& call, const http::Response& response) const {
  return azure::ResponseFailure(response, {call.action, UrlWithoutQuery(call), url_.account, url_.container,
                                           access_.credential_variable});
}

Result<http::Response> AzureBackend::Send(const Call& call) {
  auto response = client_.Perform(Prepare(call));
  if (!response.ok()) return response.status().WithContext(call.action);
  return response;
}

AzureBackend::Call AzureBackend::PutBlobCall(const std::string& key, std::string_view bytes,
                                             const ObjectProperties& properties) const {
  Call call{"PUT", BlobName(key), {}, {}, "", "uploading " + key};
  call.body_view = bytes;  // the caller's bytes outlive the call
  call.headers = {{"x-ms-blob-type", "BlockBlob"}, {"Content-MD5", azure::Md5Base64(bytes)}};
  AddProperties(call.headers, properties);
  return call;
}

// A put succeeded when the service says 201 and, where it echoes an MD5, it is the one sent.
Status AzureBackend::CheckPut(const Call& call, const Result<http::Response>& response) const {
  if (!response.ok()) return response.status();
  if (response->status != 201) return Failure(call, *response);
  std::string sent;
  for (const auto& [name, value] : call.headers) {
    if (name == "Content-MD5") sent = value;
  }
  // x-ms-content-crc64 comes back only for requests sent without Content-MD5: never here.
  if (auto echoed = response->Header("Content-MD5"); echoed && !sent.empty() && *echoed != sent) {
    return ExternalError(fmt::format("{} at {}: the service stored MD5 {} where {} was sent; rerun", call.action,
                                     UrlWithoutQuery(call), *echoed, sent));
  }
  return Status::Ok();
}

Status AzureBackend::Put(const std::string& key, std::string_view bytes, const ObjectProperties& properties) {
  return PutAll({PutItem{key, bytes, properties, nullptr}}, 1, nullptr).front();
}

std::vector<Status> AzureBackend::PutAll(const std::vector<PutItem>& items, int parallel, const PutProgress& progress) {
  parallel = std::max(parallel, 1);
  std::vector<Status> statuses(items.size());
  std::size_t done = 0;
  std::vector<std::size_t> small;
  for (std::size_t i = 0; i < items.size(); ++i) {
    statuses[i] = CheckKey(items[i].key);
    if (!statuses[i].ok()) {
      if (progress) progress(++done, items.size());
    } else if (items[i].bytes.size() <= single_put_limit_) {
      small.push_back(i);
    }
  }
  // Small files in rounds, so progress moves and request bodies do not all sit in memory at once.
  const std::size_t round = std::max<std::size_t>(static_cast<std::size_t>(parallel) * 4, 32);
  for (std::size_t start = 0; start < small.size(); start += round) {
    const std::size_t end = std::min(small.size(), start + round);
    std::vector<Call> calls;
    std::vector<http::Transfer> transfers;
    for (std::size_t j = start; j < end; ++j) {
      const PutItem& item = items[small[j]];
      calls.push_back(PutBlobCall(item.key, item.bytes, item.Properties()));
      transfers.push_back(Prepare(calls.back()));
    }
    std::vector<Result<http::Response>> responses = client_.PerformAll(transfers, parallel);
    for (std::size_t j = start; j < end; ++j) {
      const Call& call = calls[j - start];
      const Result<http::Response>& response = responses[j - start];
      statuses[small[j]] = response.ok() ? CheckPut(call, response) : response.status().WithContext(call.action);
      const PutItem& item = items[small[j]];
      committed_blocks_.erase(item.key);
      proven_by_md5_.erase(item.key);
      // CheckPut refused an MD5 other than the one sent; a missing one proves nothing.
      if (statuses[small[j]].ok() && response->Header("Content-MD5")) {
        proven_by_md5_[item.key] = {ItemSha256(item), item.bytes.size(), ConfirmedBy::kUploadHash};
      }
      if (progress) progress(++done, items.size());
    }
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!statuses[i].ok() || items[i].bytes.size() <= single_put_limit_) continue;
    statuses[i] = PutInBlocks(items[i], parallel);
    if (progress) progress(++done, items.size());
  }
  return statuses;
}

// Every block is handed to the client at once and goes up `parallel` at a time, straight from
// the item's bytes, signed when its turn comes (its Content-MD5 is in the signature). The blob
// exists (or changes) only when the block list is committed, so a failure midway leaves the
// previous blob as it was.
Status AzureBackend::PutInBlocks(const PutItem& item, int parallel) {
  const std::string blob = BlobName(item.key);
  BlockDigests<std::string> hashes(item.bytes, block_size_, azure::Md5Base64Many, Md5Lanes());
  CommittedBlocks blocks;
  blocks.ids.resize(hashes.size());
  std::vector<Call> calls(hashes.size());
  std::vector<http::Transfer> transfers(hashes.size());
  for (std::size_t b = 0; b < hashes.size(); ++b) {
    calls[b] = {"PUT", blob, {}, {}, "", fmt::format("uploading block {} of {} of {}", b + 1, hashes.size(), item.key)};
    calls[b].body_view = item.bytes.substr(b * block_size_, block_size_);
    transfers[b].request.method = "PUT";
    transfers[b].request.url = UrlWithoutQuery(calls[b]);  // for messages until it is finished
    transfers[b].finish = [this, b, &hashes, &calls, &blocks](http::Request& request) {
      const std::string& md5 = hashes.Get(b);
      blocks.ids[b] = azure::BlockId(b, md5);
      calls[b].query = {{"comp", "block"}, {"blockid", blocks.ids[b]}};
      calls[b].headers = {{"Content-MD5", md5}};
      request = Prepare(calls[b]).request;
      return Status::Ok();
    };
    transfers[b].finish_ready = [b, &hashes] { return hashes.Ready(b); };
  }
  std::vector<Result<http::Response>> responses = client_.PerformAll(transfers, parallel);
  for (std::size_t b = 0; b < calls.size(); ++b) SLUICE_RETURN_IF_ERROR(CheckPut(calls[b], responses[b]));
  std::string list = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  for (const std::string& id : blocks.ids) list += "<Latest>" + id + "</Latest>";
  list += "</BlockList>";
  Call commit{"PUT", blob, {{"comp", "blocklist"}}, {}, list, "committing the blocks of " + item.key};
  commit.headers = {{"Content-Type", "application/xml"}, {"Content-MD5", azure::Md5Base64(list)}};
  AddProperties(commit.headers, item.Properties());  // a late sha256 has had the whole upload to arrive
  SLUICE_RETURN_IF_ERROR(CheckPut(commit, Send(commit)));
  blocks.size = item.bytes.size();
  proven_by_md5_.erase(item.key);
  committed_blocks_[item.key] = std::move(blocks);
  return Status::Ok();
}

Result<std::optional<StoredObject>> AzureBackend::Get(const std::string& key) {
  SLUICE_RETURN_IF_ERROR(CheckKey(key));
  Call call{"GET", BlobName(key), {}, {}, "", "reading " + key};
  auto response = Send(call);
  if (!response.ok()) return response.status();
  if (response->status == 404 && azure::ErrorCode(*response) != "ContainerNotFound") return std::optional<StoredObject>();
  if (response->status != 200) return Failure(call, *response);
  // The blob's stored MD5, where it has one (Put Blob's; a blob put in blocks has none).
  if (auto md5 = response->Header("Content-MD5"); md5 && *md5 != azure::Md5Base64(response->body)) {
    return ExternalError(fmt::format("{} at {}: the bytes received do not match the blob's Content-MD5 {}; rerun",
                                     call.action, UrlWithoutQuery(call), *md5));
  }
  StoredObject object{std::move(response->body), response->Header("ETag").value_or("")};
  return std::optional<StoredObject>(std::move(object));
}

Status AzureBackend::Delete(const std::string& key) {
  SLUICE_RETURN_IF_ERROR(CheckKey(key));
  Call call{"DELETE", BlobName(key), {}, {}, "", "deleting " + key};
  auto response = Send(call);
  if (!response.ok()) return response.status();
  if (response->status == 202) return Status::Ok();
  if (response->status == 404 && azure::ErrorCode(*response) == "BlobNotFound") return Status::Ok();
  return Failure(call, *response);
}

Result<std::string> AzureBackend::PutIf(const std::string& key, std::string_view bytes,
                                        const ObjectProperties& properties, const Precondition& precondition) {
  SLUICE_RETURN_IF_ERROR(CheckKey(key));
  Call call = PutBlobCall(key, bytes, properties);
  call.action = "writing " + key + " conditionally";
  if (precondition.version) call.headers.emplace_back("If-Match", *precondition.version);
  else call.headers.emplace_back("If-None-Match", "*");
  auto response = Send(call);
  if (!response.ok()) return response.status();
  if (response->status == 409 || response->status == 412) {
    return UnsafeError(fmt::format("{}/{} {} (HTTP {} {})", Describe(), key,
                                   precondition.version ? "changed under this run: its ETag is no longer " + *precondition.version
                                                        : "appeared while this run expected none",
                                   response->status, azure::ErrorCode(*response)));
  }
  SLUICE_RETURN_IF_ERROR(CheckPut(call, response));
  auto etag = response->Header("ETag");
  if (!etag || etag->empty()) {
    return ExternalError(fmt::format("{} at {}: the service answered 201 without an ETag", call.action, UrlWithoutQuery(call)));
  }
  return *etag;
}

Result<std::vector<std::string>> AzureBackend::List() {
  const std::string prefix = url_.prefix.empty() ? "" : url_.prefix + "/";
  std::vector<std::string> keys;
  std::string marker;
  do {
    Call call{"GET", "", {{"restype", "container"}, {"comp", "list"}, {"maxresults", std::to_string(kListPageSize)}}, {}, "",
              "listing " + Describe()};
    if (!prefix.empty()) call.query.emplace_back("prefix", prefix);
    if (!marker.empty()) call.query.emplace_back("marker", marker);
    auto response = Send(call);
    if (!response.ok()) return response.status();
    if (response->status != 200) return Failure(call, *response);
    for (std::string& name : azure::XmlTexts(response->body, "Name")) {
      if (name.rfind(prefix, 0) == 0 && name.size() > prefix.size()) keys.push_back(name.substr(prefix.size()));
    }
    marker = azure::XmlText(response->body, "NextMarker");
  } while (!marker.empty());
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<Confirmation> AzureBackend::ConfirmAll(const std::vector<ConfirmItem>& items, int parallel,
                                                   Verification verification) {
  parallel = std::max(parallel, 1);
  std::vector<Confirmation> confirmations(items.size());
  std::vector<std::size_t> by_blocks;
  std::vector<std::size_t> by_bytes;
  for (std::size_t i = 0; i < items.size(); ++i) {
    confirmations[i].status = CheckKey(items[i].key);
    if (!confirmations[i].status.ok()) continue;
    auto proven = proven_by_md5_.find(items[i].key);
    if (verification == Verification::kUploadHash && proven != proven_by_md5_.end() &&
        proven->second.size == items[i].size && proven->second.sha256 == items[i].sha256) {
      confirmations[i].by = ConfirmedBy::kUploadHash;
      continue;
    }
    auto blocks = committed_blocks_.find(items[i].key);
    if (blocks != committed_blocks_.end() && blocks->second.size == items[i].size) by_blocks.push_back(i);
    else by_bytes.push_back(i);
  }

  // A blob put in blocks: its committed block list and its properties, two small requests.
  std::vector<Call> calls;
  std::vector<http::Transfer> transfers;
  for (std::size_t i : by_blocks) {
    const std::string blob = BlobName(items[i].key);
    calls.push_back({"GET", blob, {{"comp", "blocklist"}, {"blocklisttype", "committed"}}, {}, "",
                     "reading the committed block list of " + items[i].key});
    calls.push_back({"HEAD", blob, {}, {}, "", "reading the properties of " + items[i].key});
  }
  for (const Call& call : calls) transfers.push_back(Prepare(call));
  std::vector<Result<http::Response>> responses = client_.PerformAll(transfers, parallel);
  for (std::size_t j = 0; j < by_blocks.size(); ++j) {
    const std::size_t i = by_blocks[j];
    confirmations[i] = {ConfirmBlocks(items[i], committed_blocks_.at(items[i].key), calls[2 * j], responses[2 * j],
                                      calls[2 * j + 1], responses[2 * j + 1]),
                        ConfirmedBy::kBlockList};
  }

  // Everything else is read back whole, in rounds so that bodies do not all sit in memory at once.
  const std::size_t round = std::max<std::size_t>(static_cast<std::size_t>(parallel) * 4, 32);
  for (std::size_t start = 0; start < by_bytes.size(); start += round) {
    const std::size_t end = std::min(by_bytes.size(), start + round);
    calls.clear();
    transfers.clear();
    for (std::size_t j = start; j < end; ++j) {
      calls.push_back({"GET", BlobName(items[by_bytes[j]].key), {}, {}, "", "reading back " + items[by_bytes[j]].key});
      transfers.push_back(Prepare(calls.back()));
    }
    responses = client_.PerformAll(transfers, parallel);
    for (std::size_t j = start; j < end; ++j) {
      const ConfirmItem& item = items[by_bytes[j]];
      confirmations[by_bytes[j]].status = ConfirmReadBack(item, calls[j - start], responses[j - start]);
    }
  }
  return confirmations;
}

Status AzureBackend::ConfirmReadBack(const ConfirmItem& item, const Call& call, const Result<http::Response>& response) const {
  if (!response.ok()) return response.status().WithContext(call.action);
  const std::string where = Describe() + "/" + item.key;
  if (response->status == 404 && azure::ErrorCode(*response) == "BlobNotFound") return CompareReadBack(where, item, std::nullopt);
  if (response->status != 200) return Failure(call, *response);
  if (auto md5 = response->Header("Content-MD5"); md5 && *md5 != azure::Md5Base64(response->body)) {
    return ExternalError(fmt::format("{}: the bytes read back do not match the blob's Content-MD5 {}", where, *md5));
  }
  return CompareReadBack(where, item, response->body);
}

// The committed list must be exactly the ids this Backend committed: each id names the MD5 the
// service checked when that block arrived, so the blob is the bytes that were put, in order.
// Its properties must show the length and the sluice-sha256 metadata that were committed.
Status AzureBackend::ConfirmBlocks(const ConfirmItem& item, const CommittedBlocks& blocks, const Call& list_call,
                                   const Result<http::Response>& list, const Call& properties_call,
                                   const Result<http::Response>& properties) const {
  if (!list.ok()) return list.status().WithContext(list_call.action);
  if (list->status != 200) return Failure(list_call, *list);
  if (!properties.ok()) return properties.status().WithContext(properties_call.action);
  if (properties->status != 200) return Failure(properties_call, *properties);
  const std::string where = Describe() + "/" + item.key;
  const std::vector<std::string> ids = azure::XmlTexts(list->body, "Name");
  std::uint64_t listed = 0;
  for (const std::string& size : azure::XmlTexts(list->body, "Size")) listed += std::strtoull(size.c_str(), nullptr, 10);
  if (ids != blocks.ids || listed != item.size) {
    return ExternalError(fmt::format("{}: the committed block list ({} blocks, {} bytes) is not the one this run committed "
                                     "({} blocks, {} bytes): another writer replaced the blob; rerun",
                                     where, ids.size(), listed, blocks.ids.size(), item.size));
  }
  const std::string length = properties->Header("Content-Length").value_or("");
  const std::string sha256 = properties->Header("x-ms-meta-sluice_sha256").value_or("");
  if (length != std::to_string(item.size) || sha256 != item.sha256) {
    return ExternalError(fmt::format("{}: the blob's properties show {} bytes and sha256 {} where {} bytes of sha256 {} were "
                                     "committed: another writer changed it; rerun",
                                     where, length.empty() ? "no length" : length, sha256.empty() ? "none" : sha256.substr(0, 12),
                                     item.size, item.sha256.substr(0, 12)));
  }
  return Status::Ok();
}

}  // namespace sluice::storage
