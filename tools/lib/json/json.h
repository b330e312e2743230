// RapidJSON helpers: parsing with line:column errors, JSON pointers, output. Schema validation
// is schema/validator.h.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "core/status.h"

namespace sluice::json {

struct TextPosition {
  std::size_t line = 1;    // 1-based
  std::size_t column = 1;  // 1-based, in bytes
};

// Line and column of byte `offset` in `text`.
TextPosition PositionAt(std::string_view text, std::size_t offset);

// How deep the JSON sluice reads may nest (objects and arrays), unless a source sets its own:
// every recursive walk of a parsed value (writing, hashing, comparing, copying, schema
// evaluation) is proven on a small stack at this depth (tests/unit/nesting_test.cpp).
inline constexpr std::size_t kDefaultMaxDepth = 512;

// The message for a container opened past `max_depth`, after "<origin>:<line>:<column>: ".
std::string NestingMessage(std::size_t max_depth);

// Parses `text` (UTF-8, a leading BOM allowed). An error is an InputError worded
// "<origin>:<line>:<column>: <what RapidJSON found>", also for a container nested deeper than
// `max_depth` ("nesting deeper than 512 levels"). Parsing is iterative, so even a document
// nested a million levels deep is refused without overflowing the stack.
Result<rapidjson::Document> Parse(std::string_view text, const std::string& origin,
                                  std::size_t max_depth = kDefaultMaxDepth);
Result<rapidjson::Document> ParseFile(const std::filesystem::path& path, std::size_t max_depth = kDefaultMaxDepth);

// Serialises `value` (compact, or indented by 2).
std::string Write(const rapidjson::Value& value, bool pretty = false);

// A JSON pointer token escaped per RFC 6901 (~ -> ~0, / -> ~1).
std::string EscapePointerToken(std::string_view token);

// The JSON pointer of the first member, at any depth, whose name repeats an earlier member of the
// same object; "" when none does. RapidJSON keeps both members and a lookup finds the first, so in
// a configuration file a repeated key silently loses one of its values.
std::string FirstRepeatedKey(const rapidjson::Value& value);

// A deep copy of `from` into `to`, every string copied into `memory` (a value's strings may
// point into a buffer its reader reuses). Recursive: for values of bounded depth.
void DeepCopy(const rapidjson::Value& from, rapidjson::Value& to, rapidjson::MemoryPoolAllocator<>& memory);

// Typed member access that returns nullptr/fallback when absent or of another type.
const rapidjson::Value* Member(const rapidjson::Value& object, const char* name);
// The member's string items (items of other types left out); empty when absent or not an array.
std::vector<std::string> Strings(const rapidjson::Value& object, const char* name);
std::string StringOr(const rapidjson::Value& object, const char* name, std::string fallback = "");

}  // namespace sluice::json
