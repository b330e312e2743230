// The "schema" check: every record against the output's JSON Schema (our own validator: all
// drafts 4 to 2020-12, PCRE2 patterns, every error with its pointer).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <rapidjson/document.h>

#include "checks/check.h"

namespace sluice::checks {

// The record schema of a data schema: an array schema ("type": "array" with "items") describes
// the whole file, so each record is checked against "/items"; any other schema describes one
// record. Returns that JSON pointer ("" or "/items").
std::string RecordSchemaPointer(const rapidjson::Value& schema);

// Compiles `schema_document` (read from `schema_path`, for messages). ConfigError naming the
// schema file and pointer when it cannot be compiled.
Result<std::unique_ptr<Check>> MakeSchemaCheck(const CheckSpec& spec, const rapidjson::Document& schema_document,
                                               const std::string& schema_path);

}  // namespace sluice::checks
