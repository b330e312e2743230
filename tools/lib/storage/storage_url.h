// Storage URLs (DESIGN.md "Conventions"): az://<account>/<container>/<prefix>,
// s3://<bucket>/<prefix>, gs://<bucket>/<prefix>, file:///<dir> (or file://<dir> relative to the
// workspace).
#pragma once

#include <filesystem>
#include <string>

#include "core/status.h"

namespace sluice::storage {

enum class Scheme { kAzure, kS3, kGcs, kFile };
const char* SchemeName(Scheme scheme);

struct StorageUrl {
  Scheme scheme = Scheme::kFile;
  std::string account;    // az only
  std::string container;  // az: the container; s3/gs: the bucket
  std::string prefix;     // "" or "a/b" (no leading or trailing '/')
  std::filesystem::path directory;  // file only: absolute once resolved against the workspace
  std::string text;       // as given, for messages (no credentials can appear in these forms)
};

// Parses `text`. A relative file:// directory is resolved against `workspace`. Unknown schemes,
// missing parts and '.'/'..' in the prefix are UsageErrors that show the accepted forms.
Result<StorageUrl> ParseStorageUrl(const std::string& text, const std::filesystem::path& workspace);

}  // namespace sluice::storage
