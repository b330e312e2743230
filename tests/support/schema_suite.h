// Where the official JSON Schema Test Suite is (json-schema-org/JSON-Schema-Test-Suite).
// Looked for in this order:
//   1. $SLUICE_SCHEMA_SUITE (a folder holding the suite's tests/ and remotes/);
//   2. ../shared/json-schema-test-suite beside the checkout (where this project's CI keeps it);
//   3. tests/json-schema-test-suite, the git submodule pinned in .gitmodules.
// The same order as scripts/schema-suite, which bench/validate and scripts/setup use.
#pragma once

#include <filesystem>
#include <string>

namespace sluice {

struct SchemaSuiteLookup {
  std::filesystem::path path;  // empty when no suite was found
  std::string origin;          // which of the three places it came from
  std::string problem;         // set when $SLUICE_SCHEMA_SUITE names a folder that is not the suite
  bool found() const { return !path.empty(); }
};

// `source_dir` is the checkout; ../shared is looked for beside it.
SchemaSuiteLookup FindSchemaSuite(const std::filesystem::path& source_dir);

// One line saying where the suite was looked for and how to get it.
std::string SchemaSuiteMissingMessage(const std::filesystem::path& source_dir);

}  // namespace sluice
