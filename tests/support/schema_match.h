// sluice's own JSON Schema validator as tests use it: a shipped schema file compiled, and a
// value checked with every error shown when the check fails.
#pragma once

#include <filesystem>

#include <rapidjson/document.h>

#include "schema/validator.h"

namespace sluice {

// Parses and compiles the schema file at `path`; a failure fails the test.
schema::Validator CompileSchemaFile(const std::filesystem::path& path);

// Whether `value` is valid against `validator`. Each error ("<pointer>: <keyword>: <message>")
// is attached to the test's next assertion, so `CHECK(MatchesSchema(...))` says why it failed.
bool MatchesSchema(const schema::Validator& validator, const rapidjson::Value& value);

}  // namespace sluice
