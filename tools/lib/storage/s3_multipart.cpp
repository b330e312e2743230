// S3Backend's multipart upload: Create, UploadPart `parallel` at a time, Complete; Abort on failure,
// so no invisible parts are left to be billed.
#include <algorithm>

#include <fmt/format.h>

#include "core/hash.h"
#include "core/md5_lanes.h"
#include "storage/block_digests.h"
#include "storage/s3_backend.h"
#include "storage/s3_xml.h"

namespace sluice::storage {
namespace {

// What a part's request needs: its MD5 (Content-MD5, and S3's multipart ETag) and its SHA-256
// (the SigV4 payload hash).
struct PartDigest {
  std::string md5;  // raw
  std::string sha256;  // hex
};

// The parts' MD5s together (core/md5_lanes.h), then each part's SHA-256.
void DigestsOf(std::span<const std::string_view> parts, PartDigest* out) {
  std::vector<Md5Digest> md5s(parts.size());
  Md5Many(parts, md5s.data());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out[i] = {std::string(reinterpret_cast<const char*>(md5s[i].data()), md5s[i].size()), Sha256Hex(parts[i])};
  }
}

}  // namespace

Result<std::string> S3Backend::PutMultipart(const std::string& key, std::string_view bytes,
                                            const ObjectProperties& properties, int parallel) {
  auto created = Send({"POST", key, {{"uploads", ""}}, ObjectHeaders(properties), ""});
  if (!created.ok()) return created.status();
  if (created->status != 200) return Failure(*created, "CreateMultipartUpload", key);
  const std::string upload_id = s3xml::Text(created->body, "UploadId").value_or("");
  if (upload_id.empty()) {
    return ExternalError(fmt::format("{}: CreateMultipartUpload answered without an UploadId", Where(key)));
  }
  auto etag = UploadParts(key, upload_id, bytes, parallel);
  if (!etag.ok()) Abort(key, upload_id);
  return etag;
}

// Every part is handed to the client at once and goes up `parallel` at a time, straight from the
// caller's bytes, signed when its turn comes (its SHA-256 is in the signature, its MD5 in
// Content-MD5): no part is copied, and the digests of the next parts are worked out while the
// earlier ones are sent.
Result<std::string> S3Backend::UploadParts(const std::string& key, const std::string& upload_id, std::string_view bytes,
                                           int parallel) {
  // At most kMaxParts parts: bigger files get bigger parts.
  const std::size_t part_size = std::max(target_.part_size, (bytes.size() + kMaxParts - 1) / kMaxParts);
  BlockDigests<PartDigest> digests(bytes, part_size, DigestsOf, Md5Lanes());
  const std::size_t count = digests.size();
  std::vector<Call> calls(count);
  std::vector<http::Transfer> transfers(count);
  for (std::size_t part = 0; part < count; ++part) {
    calls[part] = {"PUT", key, {{"partNumber", std::to_string(part + 1)}, {"uploadId", upload_id}},
                   {{"Content-Type", "application/octet-stream"}}, ""};
    calls[part].body_view = bytes.substr(part * part_size, part_size);
    transfers[part].request.method = "PUT";
    transfers[part].request.url = Where(key);  // for messages until it is finished
    transfers[part].finish = [this, part, &digests, &calls](http::Request& request) -> Status {
      const PartDigest& digest = digests.Get(part);
      calls[part].payload_md5 = digest.md5;
      calls[part].payload_sha256 = digest.sha256;
      auto prepared = Prepare(calls[part]);
      if (!prepared.ok()) return prepared.status();
      request = std::move(prepared->request);
      return Status::Ok();
    };
    transfers[part].finish_ready = [part, &digests] { return digests.Ready(part); };
  }
  auto responses = client_.PerformAll(transfers, std::max(parallel, 1));
  std::vector<std::string> etags(count);
  std::string md5s;  // the parts' raw MD5s, for S3's multipart ETag
  for (std::size_t part = 0; part < count; ++part) {
    if (!responses[part].ok()) return responses[part].status().WithContext(fmt::format("{} part {}", Where(key), part + 1));
    if (responses[part]->status != 200) return Failure(*responses[part], fmt::format("UploadPart {}", part + 1), key);
    etags[part] = responses[part]->Header("etag").value_or("");
    if (etags[part].empty()) return ExternalError(fmt::format("{}: UploadPart {} answered without an ETag", Where(key), part + 1));
    md5s += digests.Get(part).md5;
  }
  std::string xml = "<CompleteMultipartUpload>";
  for (std::size_t part = 0; part < count; ++part) {
    xml += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", part + 1, s3xml::EscapeText(etags[part]));
  }
  xml += "</CompleteMultipartUpload>";
  auto completed = Send({"POST", key, {{"uploadId", upload_id}}, {{"Content-Type", "application/xml"}}, xml});
  if (!completed.ok()) return completed.status();
  // Complete can fail after answering 200: the error is then in the body.
  if (completed->status != 200 || completed->body.find("<Error>") != std::string::npos) {
    return Failure(*completed, "CompleteMultipartUpload", key);
  }
  std::string etag = s3xml::Text(completed->body, "ETag").value_or("");
  etag.erase(std::remove(etag.begin(), etag.end(), '"'), etag.end());
  // S3's multipart ETag is the MD5 of the parts' MD5s, "-", the part count; some services
  // (the s3rver emulator among them) give the MD5 of the whole object instead, worked out here
  // only then (a second pass over the file).
  const std::string of_parts = fmt::format("{}-{}", sigv4::Hex(sigv4::Md5(md5s)), count);
  if (etag != of_parts && etag != sigv4::Hex(sigv4::Md5(bytes))) {
    return ExternalError(fmt::format("{}: CompleteMultipartUpload answered ETag '{}', expected {} ({} parts): the stored "
                                     "object is not what was sent; rerun", Where(key), etag, of_parts, count));
  }
  return etag;
}

void S3Backend::Abort(const std::string& key, const std::string& upload_id) {
  // Best effort: the failure being reported matters more; a lifecycle rule cleans what is left.
  (void)Send({"DELETE", key, {{"uploadId", upload_id}}, {}, ""});
}

}  // namespace sluice::storage
