#include "storage/content_type.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace sluice::storage {

std::string ContentTypeFor(std::string_view key) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kTypes = {{
      {"json", "application/json"},
      {"geojson", "application/geo+json"},
      {"topojson", "application/json"},
      {"ndjson", "application/x-ndjson"},
      {"jsonl", "application/x-ndjson"},
      {"csv", "text/csv; charset=utf-8"},
      {"tsv", "text/tab-separated-values; charset=utf-8"},
      {"txt", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"},
      {"html", "text/html; charset=utf-8"},
      {"xml", "application/xml"},
      {"parquet", "application/vnd.apache.parquet"},
      {"zip", "application/zip"},
      {"gz", "application/gzip"},
      {"png", "image/png"},
      {"svg", "image/svg+xml"},
  }};
  const std::size_t slash = key.rfind('/');
  std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "application/octet-stream";
  std::string extension(name.substr(dot + 1));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [ext, type] : kTypes) {
    if (ext == extension) return std::string(type);
  }
  return "application/octet-stream";
}

}  // namespace sluice::storage
