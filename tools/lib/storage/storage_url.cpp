#include "storage/storage_url.h"

#include <regex>
#include <vector>

#include <fmt/format.h>

namespace sluice::storage {
namespace {

constexpr const char* kForms =
    "use az://<account>/<container>/<prefix>, s3://<bucket>/<prefix>, gs://<bucket>/<prefix> or file:///<dir>";

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t slash = text.find('/', start);
    if (slash == std::string::npos) slash = text.size();
    parts.push_back(text.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// The prefix's components joined by '/', empty ones (a trailing '/') dropped.
Result<std::string> Prefix(const std::vector<std::string>& parts, std::size_t from, const std::string& text) {
  std::string prefix;
  for (std::size_t i = from; i < parts.size(); ++i) {
    if (parts[i].empty()) continue;
    if (parts[i] == "." || parts[i] == "..") {
      return UsageError(fmt::format("storage URL '{}': '{}' is not allowed in the prefix", text, parts[i]));
    }
    prefix += (prefix.empty() ? "" : "/") + parts[i];
  }
  return prefix;
}

}  // namespace

const char* SchemeName(Scheme scheme) {
  switch (scheme) {
    case Scheme::kAzure: return "az";
    case Scheme::kS3: return "s3";
    case Scheme::kGcs: return "gs";
    case Scheme::kFile: return "file";
  }
  return "?";
}

Result<StorageUrl> ParseStorageUrl(const std::string& text, const std::filesystem::path& workspace) {
  StorageUrl url;
  url.text = text;
  const std::size_t colon = text.find("://");
  if (colon == std::string::npos) return UsageError(fmt::format("storage URL '{}' has no scheme: {}", text, kForms));
  const std::string scheme = text.substr(0, colon);
  const std::string rest = text.substr(colon + 3);
  if (scheme == "file") {
    if (rest.empty()) return UsageError(fmt::format("storage URL '{}' names no directory: {}", text, kForms));
    std::filesystem::path dir(rest);
    url.scheme = Scheme::kFile;
    url.directory = (dir.is_absolute() ? dir : workspace / dir).lexically_normal();
    if (!url.directory.has_filename()) url.directory = url.directory.parent_path();
    return url;
  }
  static const std::regex kBucket("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  static const std::regex kAccount("[a-z0-9]{3,24}");
  static const std::regex kContainer("[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]");
  std::vector<std::string> parts = Split(rest);
  if (scheme == "az") {
    url.scheme = Scheme::kAzure;
    if (parts.size() < 2 || !std::regex_match(parts[0], kAccount) || !std::regex_match(parts[1], kContainer)) {
      return UsageError(fmt::format("storage URL '{}': expected az://<account>/<container>/<prefix> (account: 3-24 "
                                    "lower-case letters and digits; container: 3-63 lower-case letters, digits, dashes)",
                                    text));
    }
    url.account = parts[0];
    url.container = parts[1];
    auto prefix = Prefix(parts, 2, text);
    if (!prefix.ok()) return prefix.status();
    url.prefix = *prefix;
    return url;
  }
  if (scheme == "s3" || scheme == "gs") {
    url.scheme = scheme == "s3" ? Scheme::kS3 : Scheme::kGcs;
    if (parts.empty() || !std::regex_match(parts[0], kBucket)) {
      return UsageError(fmt::format("storage URL '{}': expected {}://<bucket>/<prefix> (bucket: 3-63 lower-case letters, "
                                    "digits, dots, dashes)", text, scheme));
    }
    url.container = parts[0];
    auto prefix = Prefix(parts, 1, text);
    if (!prefix.ok()) return prefix.status();
    url.prefix = *prefix;
    return url;
  }
  return UsageError(fmt::format("storage URL '{}': unknown scheme '{}': {}", text, scheme, kForms));
}

}  // namespace sluice::storage
