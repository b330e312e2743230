// What the Blob service (or anything answering in its place) sends back, as sluice-publish reads
// it: List Blobs bodies (Name, Size, NextMarker), the error code from x-ms-error-code or <Code>,
// and the Status a failed answer becomes. The input is an HTTP answer (http_reply.h).
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "http_reply.h"
#include "storage/azure_response.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  namespace azure = sluice::storage::azure;
  sluice::http::Response response = sluice::fuzz::ResponseOf(text);
  azure::XmlTexts(response.body, "Name");
  azure::XmlTexts(response.body, "Size");
  azure::XmlText(response.body, "NextMarker");
  azure::ErrorCode(response);
  const azure::FailureContext context{"uploading data/cases.csv", "https://acct.blob.core.windows.net/data/cases.csv",
                                      "acct", "data", "AZURE_STORAGE_SAS_TOKEN"};
  if (azure::ResponseFailure(response, context).ok()) {
    sluice::fuzz::Broken("azure_xml", "ResponseFailure called a failed answer a success");
  }
  return 0;
}
