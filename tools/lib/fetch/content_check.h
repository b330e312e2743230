// Is what arrived the data we asked for? The most common real failure of a scheduled fetch is
// an upstream that answers 200 with an HTML error or maintenance page; a truncated or
// malformed body is the next. Both must fail the run before the file replaces good data.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"
#include "pipeline/manifest.h"

namespace sluice::fetch {

// Checks the file at `path` (the fetched body) against the declared `format`. `content_type`
// is the response's Content-Type ("" when not HTTP). JSON is parsed in full (streaming, so
// memory stays flat); NDJSON line by line; CSV must have a header line. Failures are
// ExternalErrors that name the line and column and show the first bytes.
Status CheckContent(const std::filesystem::path& path, pipeline::DataFormat format, std::string_view content_type);

// The first `limit` bytes of `bytes`, fit to print on one line (control characters escaped).
std::string PrintableExcerpt(std::string_view bytes, size_t limit = 160);

}  // namespace sluice::fetch
