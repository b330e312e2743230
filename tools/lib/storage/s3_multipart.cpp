// S3Backend's multipart upload: Create, UploadPart a few at a time, Complete; Abort on failure,
// so no invisible parts are left to be billed.
#include <algorithm>

#include <fmt/format.h>

#include "storage/s3_backend.h"
#include "storage/s3_xml.h"

namespace sluice::storage {
namespace {

// Parts in flight at once: each holds a copy of its part's bytes.
constexpr std::size_t kPartsAtOnce = 4;

}  // namespace

Result<std::string> S3Backend::PutMultipart(const std::string& key, std::string_view bytes,
                                            const ObjectProperties& properties) {
  auto created = Send({"POST", key, {{"uploads", ""}}, ObjectHeaders(properties), ""});
  if (!created.ok()) return created.status();
  if (created->status != 200) return Failure(*created, "CreateMultipartUpload", key);
  const std::string upload_id = s3xml::Text(created->body, "UploadId").value_or("");
  if (upload_id.empty()) {
    return ExternalError(fmt::format("{}: CreateMultipartUpload answered without an UploadId", Where(key)));
  }
  auto etag = UploadParts(key, upload_id, bytes);
  if (!etag.ok()) Abort(key, upload_id);
  return etag;
}

Result<std::string> S3Backend::UploadParts(const std::string& key, const std::string& upload_id, std::string_view bytes) {
  // At most kMaxParts parts: bigger files get bigger parts.
  const std::size_t part_size = std::max(target_.part_size, (bytes.size() + kMaxParts - 1) / kMaxParts);
  const std::size_t count = (bytes.size() + part_size - 1) / part_size;
  std::vector<std::string> etags(count);
  std::string md5s;  // the parts' raw MD5s, for S3's multipart ETag
  for (std::size_t first = 0; first < count; first += kPartsAtOnce) {
    std::vector<http::Transfer> transfers;
    for (std::size_t part = first; part < std::min(count, first + kPartsAtOnce); ++part) {
      const std::string_view slice = bytes.substr(part * part_size, part_size);
      md5s += sigv4::Md5(slice);
      auto transfer = Prepare({"PUT", key, {{"partNumber", std::to_string(part + 1)}, {"uploadId", upload_id}},
                               {{"Content-Type", "application/octet-stream"}}, std::string(slice)});
      if (!transfer.ok()) return transfer.status();
      transfers.push_back(std::move(transfer).value());
    }
    auto responses = client_.PerformAll(transfers, static_cast<int>(kPartsAtOnce));
    for (std::size_t j = 0; j < responses.size(); ++j) {
      const std::size_t part = first + j;
      if (!responses[j].ok()) return responses[j].status().WithContext(fmt::format("{} part {}", Where(key), part + 1));
      if (responses[j]->status != 200) return Failure(*responses[j], fmt::format("UploadPart {}", part + 1), key);
      etags[part] = responses[j]->Header("etag").value_or("");
      if (etags[part].empty()) return ExternalError(fmt::format("{}: UploadPart {} answered without an ETag", Where(key), part + 1));
    }
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
  // (the s3rver emulator among them) give the MD5 of the whole object instead.
  const std::string of_parts = fmt::format("{}-{}", sigv4::Hex(sigv4::Md5(md5s)), count);
  const std::string of_whole = sigv4::Hex(sigv4::Md5(bytes));
  if (etag != of_parts && etag != of_whole) {
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
