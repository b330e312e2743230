// What the Blob service answers, in words: the values of its XML bodies (List Blobs, errors)
// and a Status for every failed request, with the service's error code and message, the URL
// (never a credential) and what to do.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/client.h"

namespace sluice::storage::azure {

// The text of every <tag>…</tag> in `xml`, entities decoded. Enough for the service's flat
// answers (no attributes on the tags read, no CDATA).
std::vector<std::string> XmlTexts(std::string_view xml, std::string_view tag);
std::string XmlText(std::string_view xml, std::string_view tag);  // the first, or ""

// The service's error code: the x-ms-error-code header, else <Code> of the body.
std::string ErrorCode(const http::Response& response);

struct FailureContext {
  std::string action;      // "uploading data/cases.csv"
  std::string url;         // the request URL without its query (no SAS)
  std::string account;
  std::string container;
  std::string credential_variable;
};

// A Status for a response that is not the success expected:
// 401/403 (refused credentials or permissions) and 404 ContainerNotFound: ConfigError (exit 2),
// naming the variable or the container to fix; any other status: ExternalError (exit 3) with the
// service's code and message (5xx arrive here only after the http layer's retries).
Status ResponseFailure(const http::Response& response, const FailureContext& context);

}  // namespace sluice::storage::azure
