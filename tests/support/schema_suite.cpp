#include "support/schema_suite.h"

#include <cstdlib>

namespace sluice {

namespace fs = std::filesystem;

namespace {

// A folder holds the suite when it has both parts the tests read.
bool HoldsSuite(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "tests", ec) && fs::is_directory(dir / "remotes", ec);
}

}  // namespace

SchemaSuiteLookup FindSchemaSuite(const fs::path& source_dir) {
  SchemaSuiteLookup lookup;
  if (const char* env = std::getenv("SLUICE_SCHEMA_SUITE"); env != nullptr && *env != '\0') {
    // Named on purpose: a wrong folder is a mistake to report, not a reason to look elsewhere.
    if (HoldsSuite(env)) {
      lookup.path = env;
      lookup.origin = "$SLUICE_SCHEMA_SUITE";
    } else {
      lookup.problem = std::string("SLUICE_SCHEMA_SUITE=") + env +
                       " holds no JSON Schema Test Suite (no tests/ and remotes/ folders in it)";
    }
    return lookup;
  }
  const fs::path shared = source_dir.parent_path() / "shared" / "json-schema-test-suite";
  if (HoldsSuite(shared)) {
    lookup.path = shared;
    lookup.origin = "../shared beside the checkout";
    return lookup;
  }
  const fs::path submodule = source_dir / "tests" / "json-schema-test-suite";
  if (HoldsSuite(submodule)) {
    lookup.path = submodule;
    lookup.origin = "the tests/json-schema-test-suite submodule";
  }
  return lookup;
}

std::string SchemaSuiteMissingMessage(const fs::path& source_dir) {
  return "the official JSON Schema Test Suite was not found ($SLUICE_SCHEMA_SUITE unset, no " +
         (source_dir.parent_path() / "shared" / "json-schema-test-suite").string() + ", " +
         (source_dir / "tests" / "json-schema-test-suite").string() +
         " empty): get it with `git submodule update --init tests/json-schema-test-suite` "
         "(or clone with --recurse-submodules), or point SLUICE_SCHEMA_SUITE at a copy";
}

}  // namespace sluice
