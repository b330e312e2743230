// Where values sit in a JSON file: the line and column of the value at a JSON pointer, so a
// finding in a pretty-printed document points at its line, not at the record's first line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "core/status.h"

namespace sluice::records {

struct TextPosition {
  std::uint64_t line = 0;    // 1-based
  std::uint64_t column = 0;  // 1-based, in bytes
};

// The position where the value at each of `pointers` (RFC 6901, from the document's root)
// starts in the JSON file. One streaming pass that walks only into containers on the way to a
// wanted pointer, and stops when every one is found. Pointers the file does not hold are
// absent from the result; a file that is not JSON gives what was found before the error.
Result<std::map<std::string, TextPosition>> LocatePointers(const std::filesystem::path& file,
                                                           const std::set<std::string>& pointers);

}  // namespace sluice::records
