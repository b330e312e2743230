// What the last successful fetch of each source saw, for conditional requests: ETag,
// Last-Modified and the SHA-256 of the file it wrote. A workflow keeps this file between runs
// (actions/cache); without it every fetch is a full download, which is always safe.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "core/status.h"

namespace sluice::fetch {

struct SourceValidators {
  std::string url;  // redacted; a changed URL invalidates the validators
  std::string etag;
  std::string last_modified;
  std::string sha256;  // of the output file as written
  std::string fetched_at;
};

struct FetchState {
  std::map<std::string, SourceValidators> sources;  // by source name
};

// A missing file is an empty state; a damaged one is an InputError naming line and column.
Result<FetchState> LoadFetchState(const std::filesystem::path& path);
Status SaveFetchState(const std::filesystem::path& path, const FetchState& state);

}  // namespace sluice::fetch
