// GitHub's paginated lists: every page of a list endpoint, following the Link header.
#pragma once

#include <string>

#include <rapidjson/document.h>

#include "core/status.h"
#include "github/api.h"

namespace sluice::github {

// GETs `path` (which may hold a query; per_page=100 is added) and every following page named
// by the Link header's rel="next", at most `max_pages`, as one JSON array. For endpoints that
// wrap their list in an object ({"total_count": 2, "check_runs": [...]}) name the `member`.
Result<rapidjson::Document> GetAllPages(Api& api, const std::string& path, const char* member = nullptr,
                                        int max_pages = 10);

// The rel="next" URL of a Link header, or "".
std::string NextPageUrl(const std::string& link_header);

}  // namespace sluice::github
