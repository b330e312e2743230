#include "storage/azure_backend.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "storage/azure_response.h"

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
  request.body = call.body;
  request.max_redirects = 0;
  std::string query = QueryString(call.query);
  if (!access_.sas.empty()) query += (query.empty() ? "" : "&") + access_.sas;
  request.url = UrlWithoutQuery(call) + (query.empty() ? "" : "?" + query);
  if (access_.sas.empty()) {
    const std::string path =
        endpoint_path_ + "/" + url_.container + (call.blob.empty() ? "" : "/" + azure::EncodePath(call.blob));
    azure::SignSharedKey(access_, call.method, request.headers, call.body.size(), path, call.query,
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
  Call call{"PUT", BlobName(key), {}, {}, std::string(bytes), "uploading " + key};
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
  return PutAll({PutItem{key, bytes, properties}}, 1, nullptr).front();
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
    } else if (items[i].bytes.size() <= kSinglePutLimit) {
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
      calls.push_back(PutBlobCall(item.key, item.bytes, item.properties));
      transfers.push_back(Prepare(calls.back()));
      calls.back().body.clear();  // the transfer holds its own copy
    }
    std::vector<Result<http::Response>> responses = client_.PerformAll(transfers, parallel);
    for (std::size_t j = start; j < end; ++j) {
      const Call& call = calls[j - start];
      const Result<http::Response>& response = responses[j - start];
      statuses[small[j]] = response.ok() ? CheckPut(call, response) : response.status().WithContext(call.action);
      if (progress) progress(++done, items.size());
    }
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!statuses[i].ok() || items[i].bytes.size() <= kSinglePutLimit) continue;
    statuses[i] = PutInBlocks(items[i], parallel);
    if (progress) progress(++done, items.size());
  }
  return statuses;
}

// Blocks go up `parallel` at a time; the blob exists (or changes) only when the block list is
// committed, so a failure midway leaves the previous blob as it was.
Status AzureBackend::PutInBlocks(const PutItem& item, int parallel) {
  const std::string blob = BlobName(item.key);
  const std::size_t count = (item.bytes.size() + kBlockSize - 1) / kBlockSize;
  std::string list = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  for (std::size_t first = 0; first < count; first += static_cast<std::size_t>(parallel)) {
    const std::size_t last = std::min(count, first + static_cast<std::size_t>(parallel));
    std::vector<Call> calls;
    std::vector<http::Transfer> transfers;
    for (std::size_t b = first; b < last; ++b) {
      std::string_view bytes = item.bytes.substr(b * kBlockSize, kBlockSize);
      const std::string id = azure::BlockId(b);
      Call call{"PUT", blob, {{"comp", "block"}, {"blockid", id}}, {{"Content-MD5", azure::Md5Base64(bytes)}},
                std::string(bytes), fmt::format("uploading block {} of {} of {}", b + 1, count, item.key)};
      transfers.push_back(Prepare(call));
      call.body.clear();  // the transfer holds its own copy
      calls.push_back(std::move(call));
      list += "<Latest>" + id + "</Latest>";
    }
    std::vector<Result<http::Response>> responses = client_.PerformAll(transfers, parallel);
    for (std::size_t j = 0; j < calls.size(); ++j) SLUICE_RETURN_IF_ERROR(CheckPut(calls[j], responses[j]));
  }
  list += "</BlockList>";
  Call commit{"PUT", blob, {{"comp", "blocklist"}}, {}, list, "committing the blocks of " + item.key};
  commit.headers = {{"Content-Type", "application/xml"}, {"Content-MD5", azure::Md5Base64(list)},
                    {"x-ms-blob-content-md5", azure::Md5Base64(item.bytes)}};
  AddProperties(commit.headers, item.properties);
  return CheckPut(commit, Send(commit));
}

Result<std::optional<StoredObject>> AzureBackend::Get(const std::string& key) {
  SLUICE_RETURN_IF_ERROR(CheckKey(key));
  Call call{"GET", BlobName(key), {}, {}, "", "reading " + key};
  auto response = Send(call);
  if (!response.ok()) return response.status();
  if (response->status == 404 && azure::ErrorCode(*response) != "ContainerNotFound") return std::optional<StoredObject>();
  if (response->status != 200) return Failure(call, *response);
  // The blob's stored MD5 (Put Blob's Content-MD5, or x-ms-blob-content-md5 of a block list).
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

}  // namespace sluice::storage
