#include "storage/s3_backend.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "core/hash.h"
#include "core/secrets.h"
#include "storage/s3_xml.h"

namespace sluice::storage {
namespace {

std::string Unquoted(std::string etag) {
  etag.erase(std::remove(etag.begin(), etag.end(), '"'), etag.end());
  return etag;
}

bool AuthCode(std::string_view code) {
  return code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "AccessDenied" ||
         code == "InvalidToken" || code == "ExpiredToken" || code == "TokenRefreshRequired" || code.empty();
}

}  // namespace

http::Headers ObjectHeaders(const ObjectProperties& properties) {
  http::Headers headers;
  headers.emplace_back("Content-Type",
                       properties.content_type.empty() ? "application/octet-stream" : properties.content_type);
  if (!properties.cache_control.empty()) headers.emplace_back("Cache-Control", properties.cache_control);
  for (const auto& [name, value] : properties.metadata) headers.emplace_back("x-amz-meta-" + name, value);
  return headers;
}

S3Backend::S3Backend(S3Target target) : target_(std::move(target)) {}

std::string S3Backend::Describe() const {
  return fmt::format("{}://{}{}{}", SchemeName(target_.scheme), target_.bucket, target_.prefix.empty() ? "" : "/",
                     target_.prefix);
}

std::string S3Backend::Where(const std::string& key) const { return Describe() + (key.empty() ? "" : "/" + key); }

Result<http::Transfer> S3Backend::Prepare(const Call& call) const {
  const std::string object = target_.prefix.empty() || call.key.empty() ? call.key : target_.prefix + "/" + call.key;
  std::string path = target_.bucket_path + "/" + sigv4::UriEncode(object, true);
  if (call.key.empty() && !target_.bucket_path.empty()) path = target_.bucket_path;  // the bucket, path style
  const std::string_view payload = call.Payload();
  sigv4::RequestToSign signing{call.method, path, call.query, {{"Host", target_.host}},
                               call.payload_sha256.empty() ? Sha256Hex(payload) : call.payload_sha256};
  for (const auto& header : call.headers) signing.headers.push_back(header);
  if (!payload.empty()) {
    signing.headers.emplace_back("Content-MD5",
                                 sigv4::Base64(call.payload_md5.empty() ? sigv4::Md5(payload) : call.payload_md5));
  }
  SLUICE_RETURN_IF_ERROR(sigv4::Sign(signing, target_.credentials, target_.scope, std::chrono::system_clock::now()));

  std::string query;
  for (const auto& [name, value] : call.query) {
    query += (query.empty() ? "?" : "&") + sigv4::UriEncode(name, false);
    if (!value.empty()) query += "=" + sigv4::UriEncode(value, false);
  }
  http::Transfer transfer;
  transfer.request.method = call.method;
  transfer.request.url = target_.origin + path + query;
  transfer.request.headers = signing.headers;
  if (call.body_view) transfer.request.body_view = call.body_view;
  else transfer.request.body = call.body;
  transfer.request.max_redirects = 0;  // a 301/307 names another region: reported, not followed
  return transfer;
}

Result<http::Response> S3Backend::Send(const Call& call) {
  auto transfer = Prepare(call);
  if (!transfer.ok()) return transfer.status();
  auto response = client_.Perform(*transfer);
  if (!response.ok()) return response.status().WithContext(Where(call.key));
  return response;
}

Status S3Backend::Failure(const http::Response& response, std::string_view action, const std::string& key) const {
  const std::string code = s3xml::Text(response.body, "Code").value_or("");
  const std::string message = s3xml::Text(response.body, "Message").value_or("");
  const std::string said = code.empty() ? fmt::format("HTTP {}", response.status)
                                        : fmt::format("HTTP {} {}: {}", response.status, code, message);
  const std::string where = Where(key);
  if ((response.status == 401 || response.status == 403) && AuthCode(code)) {
    return ConfigError(Mask(fmt::format(
        "{}: {} was refused ({}). Check {}{}: the key must exist, the secret must be its own, and it must be allowed "
        "to read, write and list the bucket",
        where, action, said, target_.key_variables,
        target_.credentials.session_token.empty() ? "" : " and AWS_SESSION_TOKEN (temporary credentials expire)")));
  }
  if (response.status == 404 && code == "NoSuchBucket") {
    return ConfigError(fmt::format("{}: the bucket '{}' does not exist at {} ({}); check the storage URL{}", where,
                                   target_.bucket, target_.origin, said,
                                   target_.scheme == Scheme::kS3 ? " and AWS_REGION" : ""));
  }
  if (response.status == 301 || response.status == 307 || code == "PermanentRedirect" ||
      code == "AuthorizationHeaderMalformed") {
    return ConfigError(fmt::format("{}: {} answered {} (endpoint {}): the bucket is in another region; set "
                                   "AWS_REGION to the bucket's region", where, action, said,
                                   s3xml::Text(response.body, "Endpoint").value_or("not given")));
  }
  if (response.status == 412 || (response.status == 409 && code == "ConditionalRequestConflict")) {
    return UnsafeError(fmt::format("{}: {} refused: the object changed under this run ({})", where, action, said));
  }
  if (response.status >= 500 || response.status == 429) {
    return ExternalError(fmt::format("{}: {} failed after {} attempts ({}); the service is unwell, rerun later", where,
                                     action, response.attempts, said));
  }
  return ExternalError(fmt::format("{}: {} failed: {}", where, action, said));
}

std::string S3Backend::VersionOf(const http::Response& response) const {
  if (target_.scheme == Scheme::kGcs) {
    if (auto generation = response.Header("x-goog-generation")) return *generation;
  }
  return response.Header("etag").value_or("");
}

S3Backend::Call S3Backend::PutObjectCall(const std::string& key, std::string_view bytes,
                                         const ObjectProperties& properties) const {
  Call call{"PUT", key, {}, ObjectHeaders(properties), ""};
  call.body_view = bytes;  // the caller's bytes outlive the request
  return call;
}

Result<bool> S3Backend::CheckPutObject(const Result<http::Response>& response, const std::string& key,
                                       std::string_view bytes) const {
  if (!response.ok()) return response.status();
  if (response->status != 200) return Failure(*response, "PutObject", key);
  const std::string md5 = sigv4::Md5(bytes);
  // GCS: "x-goog-hash: crc32c=…,md5=<base64>" (cloud.google.com/storage/docs/xml-api/reference-headers#xgooghash).
  if (auto hashes = response->Header("x-goog-hash")) {
    const std::size_t at = hashes->find("md5=");
    if (at != std::string::npos) {
      const std::string given = hashes->substr(at + 4, hashes->find(',', at) - at - 4);
      if (given == sigv4::Base64(md5)) return true;
      return ExternalError(fmt::format("{}: the put was answered with MD5 {} where the bytes sent have {}: the stored "
                                       "object is not what was sent; rerun", Where(key), given, sigv4::Base64(md5)));
    }
  }
  // SSE-KMS objects have ETags that are not the MD5 of their bytes.
  if (response->Header("x-amz-server-side-encryption").value_or("") == "aws:kms") return false;
  const std::string etag = Unquoted(response->Header("etag").value_or(""));
  if (etag == sigv4::Hex(md5)) return true;
  const bool md5_shaped = etag.size() == 32 && etag.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!md5_shaped) return false;  // none, or not an MD5 (a composite object's): read back instead
  return ExternalError(fmt::format("{}: PutObject answered ETag '{}' where the MD5 of the bytes sent is {}: the "
                                   "stored object is not what was sent; rerun", Where(key), etag, sigv4::Hex(md5)));
}

void S3Backend::Remember(const PutItem& item, std::optional<ConfirmedBy> proof) {
  if (proof) proven_[item.key] = {ItemSha256(item), item.bytes.size(), *proof};
  else proven_.erase(item.key);
}

Status S3Backend::Put(const std::string& key, std::string_view bytes, const ObjectProperties& properties) {
  return PutAll({PutItem{key, bytes, properties, nullptr}}, 1, nullptr).front();
}

std::vector<Status> S3Backend::PutAll(const std::vector<PutItem>& items, int parallel, const PutProgress& progress) {
  std::vector<Status> statuses(items.size());
  std::vector<std::size_t> small;
  std::vector<std::size_t> large;
  for (std::size_t i = 0; i < items.size(); ++i) {
    statuses[i] = CheckKey(items[i].key);
    if (!statuses[i].ok()) continue;
    (items[i].bytes.size() > target_.multipart_threshold ? large : small).push_back(i);
  }
  std::size_t done = items.size() - small.size() - large.size();
  // Batches bound the requests prepared at once.
  const std::size_t batch = static_cast<std::size_t>(std::max(parallel, 1)) * 4;
  for (std::size_t from = 0; from < small.size(); from += batch) {
    std::vector<std::size_t> indexes(small.begin() + static_cast<std::ptrdiff_t>(from),
                                     small.begin() + static_cast<std::ptrdiff_t>(std::min(small.size(), from + batch)));
    std::vector<http::Transfer> transfers;
    std::vector<std::size_t> sent;
    for (std::size_t i : indexes) {
      auto transfer = Prepare(PutObjectCall(items[i].key, items[i].bytes, items[i].Properties()));
      if (!transfer.ok()) {
        statuses[i] = transfer.status();
        continue;
      }
      transfers.push_back(std::move(transfer).value());
      sent.push_back(i);
    }
    auto responses = client_.PerformAll(transfers, std::max(parallel, 1));
    for (std::size_t j = 0; j < sent.size(); ++j) {
      const std::size_t i = sent[j];
      Result<http::Response> response = responses[j].ok() ? std::move(responses[j])
                                                           : Result<http::Response>(responses[j].status().WithContext(Where(items[i].key)));
      auto checked = CheckPutObject(response, items[i].key, items[i].bytes);
      statuses[i] = checked.status();
      Remember(items[i], checked.ok() && *checked ? std::optional(ConfirmedBy::kUploadHash) : std::nullopt);
    }
    done += indexes.size();
    if (progress) progress(done, items.size());
  }
  for (std::size_t i : large) {
    statuses[i] = PutMultipart(items[i].key, items[i].bytes, items[i].Properties(), parallel).status();
    Remember(items[i], statuses[i].ok() ? std::optional(ConfirmedBy::kBlockList) : std::nullopt);
    if (progress) progress(++done, items.size());
  }
  return statuses;
}

Result<std::optional<StoredObject>> S3Backend::Get(const std::string& key) {
  SLUICE_RETURN_IF_ERROR(CheckKey(key));
  auto response = Send({"GET", key, {}, {}, ""});
  if (!response.ok()) return response.status();
  if (response->status == 404 && s3xml::Text(response->body, "Code").value_or("NoSuchKey") == "NoSuchKey") {
    return std::optional<StoredObject>();
  }
  if (response->status != 200) return Failure(*response, "GetObject", key);
  return std::optional<StoredObject>(StoredObject{std::move(response->body), VersionOf(*response)});
}

Result<std::optional<std::string>> S3Backend::Head(const std::string& key) {
  auto response = Send({"HEAD", key, {}, {}, ""});
  if (!response.ok()) return response.status();
  if (response->status == 404) return std::optional<std::string>();
  if (response->status != 200) return Failure(*response, "HeadObject", key);
  return std::optional<std::string>(VersionOf(*response));
}

Status S3Backend::Delete(const std::string& key) {
  SLUICE_RETURN_IF_ERROR(CheckKey(key));
  auto response = Send({"DELETE", key, {}, {}, ""});
  if (!response.ok()) return response.status();
  if (response->status == 204 || response->status == 200) return Status::Ok();
  if (response->status == 404 && s3xml::Text(response->body, "Code").value_or("NoSuchKey") == "NoSuchKey") {
    return Status::Ok();
  }
  return Failure(*response, "DeleteObject", key);
}

Result<std::string> S3Backend::PutIf(const std::string& key, std::string_view bytes, const ObjectProperties& properties,
                                     const Precondition& precondition) {
  SLUICE_RETURN_IF_ERROR(CheckKey(key));
  const std::string expected = precondition.version ? *precondition.version : "none";
  // Checked before writing too: see the top of s3_backend.h.
  auto before = Head(key);
  if (!before.ok()) return before.status();
  if (precondition.version != *before) {
    return UnsafeError(fmt::format("{} changed under this run: expected version {}, found {}", Where(key), expected,
                                   before->value_or("none")));
  }
  Call call = PutObjectCall(key, bytes, properties);
  const bool generation = target_.scheme == Scheme::kGcs &&
                          (!precondition.version || precondition.version->find_first_not_of("0123456789") == std::string::npos);
  if (generation) call.headers.emplace_back("x-goog-if-generation-match", precondition.version.value_or("0"));
  else if (precondition.version) call.headers.emplace_back("If-Match", *precondition.version);
  else call.headers.emplace_back("If-None-Match", "*");
  auto response = Send(call);
  proven_.erase(key);
  SLUICE_RETURN_IF_ERROR(CheckPutObject(response, key, bytes).status());
  const std::string written = VersionOf(*response);
  auto after = Head(key);
  if (!after.ok()) return after.status();
  if (*after != written) {
    return UnsafeError(fmt::format("{} was replaced right after this run wrote it (wrote version {}, found {}): another "
                                   "publisher is writing here", Where(key), written, after->value_or("none")));
  }
  return written;
}

std::vector<Confirmation> S3Backend::ConfirmAll(const std::vector<ConfirmItem>& items, int parallel,
                                                Verification verification) {
  std::vector<Confirmation> confirmations(items.size());
  std::vector<std::size_t> by_bytes;
  for (std::size_t i = 0; i < items.size(); ++i) {
    confirmations[i].status = CheckKey(items[i].key);
    if (!confirmations[i].status.ok()) continue;
    auto proven = proven_.find(items[i].key);
    const bool accepted = proven != proven_.end() && proven->second.size == items[i].size &&
                          proven->second.sha256 == items[i].sha256 &&
                          (verification == Verification::kUploadHash || proven->second.by == ConfirmedBy::kBlockList);
    if (accepted) confirmations[i].by = proven->second.by;
    else by_bytes.push_back(i);
  }
  // Read back in rounds, so that bodies do not all sit in memory at once.
  const std::size_t round = static_cast<std::size_t>(std::max(parallel, 1)) * 4;
  for (std::size_t start = 0; start < by_bytes.size(); start += round) {
    const std::size_t end = std::min(by_bytes.size(), start + round);
    std::vector<http::Transfer> to_send;
    std::vector<std::size_t> which;
    for (std::size_t j = start; j < end; ++j) {
      auto transfer = Prepare({"GET", items[by_bytes[j]].key, {}, {}, ""});
      if (!transfer.ok()) {
        confirmations[by_bytes[j]].status = transfer.status();
        continue;
      }
      to_send.push_back(std::move(transfer).value());
      which.push_back(by_bytes[j]);
    }
    auto responses = client_.PerformAll(to_send, std::max(parallel, 1));
    for (std::size_t k = 0; k < which.size(); ++k) {
      const ConfirmItem& item = items[which[k]];
      Status& status = confirmations[which[k]].status;
      if (!responses[k].ok()) {
        status = responses[k].status().WithContext("reading back " + Where(item.key));
      } else if (responses[k]->status == 404 && s3xml::Text(responses[k]->body, "Code").value_or("NoSuchKey") == "NoSuchKey") {
        status = CompareReadBack(Where(item.key), item, std::nullopt);
      } else if (responses[k]->status != 200) {
        status = Failure(*responses[k], "GetObject", item.key);
      } else {
        status = CompareReadBack(Where(item.key), item, responses[k]->body);
      }
    }
  }
  return confirmations;
}

Result<std::vector<std::string>> S3Backend::List() {
  const std::string prefix = target_.prefix.empty() ? "" : target_.prefix + "/";
  std::vector<std::string> keys;
  std::string token;
  for (;;) {
    Call call{"GET", "", {{"list-type", "2"}, {"prefix", prefix}}, {}, ""};
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    auto response = Send(call);
    if (!response.ok()) return response.status();
    if (response->status != 200) return Failure(*response, "ListObjectsV2", "");
    for (std::string& key : s3xml::Texts(response->body, "Key", "Contents")) {
      if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) keys.push_back(key.substr(prefix.size()));
    }
    if (s3xml::Text(response->body, "IsTruncated").value_or("false") != "true") break;
    token = s3xml::Text(response->body, "NextContinuationToken").value_or("");
    if (token.empty()) {
      return ExternalError(fmt::format("{}: ListObjectsV2 said the list is truncated but gave no continuation token",
                                       Describe()));
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace sluice::storage
