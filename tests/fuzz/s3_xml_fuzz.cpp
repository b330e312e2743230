// What an S3 endpoint (or anything answering in its place) sends back: the ListObjectsV2,
// InitiateMultipartUpload and error documents sluice-publish reads with s3xml::Texts / Text,
// and the entity decoding of keys. EscapeText then DecodeEntities must give the text back.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "storage/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  namespace s3xml = sluice::storage::s3xml;
  s3xml::Texts(text, "Key", "Contents");
  s3xml::Texts(text, "ETag", "Contents");
  s3xml::Texts(text, "Size");
  s3xml::Text(text, "NextContinuationToken");
  s3xml::Text(text, "IsTruncated");
  s3xml::Text(text, "UploadId");
  s3xml::Text(text, "Code");
  s3xml::Text(text, "Message");
  s3xml::DecodeEntities(text);
  if (s3xml::DecodeEntities(s3xml::EscapeText(text)) != text) {
    sluice::fuzz::Broken("s3_xml", "DecodeEntities(EscapeText(x)) is not x");
  }
  return 0;
}
