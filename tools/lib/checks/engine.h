// Running a pipeline's checks: each output's new data streamed once past every check, with the
// previous version and older versions read from git through libgit2 (never a second checkout).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/status.h"
#include "json/json.h"
#include "pipeline/manifest.h"

namespace sluice::checks {

struct OutputReport {
  std::string name;  // source name
  std::string path;  // data file, relative to the workspace
  std::string previous;  // "HEAD:data/cases.csv", or "" when there was none
  std::uint64_t records = 0;
  std::vector<CheckOutcome> checks;
};

struct ValidationReport {
  std::string pipeline;
  std::vector<OutputReport> outputs;
  std::vector<std::string> allowed;  // check ids overridden for this run

  int errors() const;    // failed, error severity, not overridden
  int warnings() const;  // failed with warn severity, or overridden
  int passed() const;
  int skipped() const;
};

struct ValidateOptions {
  std::filesystem::path workspace;
  std::string previous_revision = "HEAD";  // where the previous version comes from (git rev)
  std::vector<std::string> allow;          // check ids whose failure is accepted for this run
  std::vector<std::string> only_outputs;   // source names; empty = all
  bool schema = true;                      // run the "schema" check for outputs with a schema
  std::optional<std::size_t> max_depth;    // --max-depth: every output's nesting limit
};

// Validates a manifest's outputs. Errors: unreadable or malformed data (InputError naming
// file:line:column), a bad check configuration (ConfigError naming its pointer), an unknown
// --allow id (UsageError).
Result<ValidationReport> ValidatePipeline(const pipeline::Manifest& manifest, const ValidateOptions& options);

// Validates `data` as if it were `source`'s output: its schema and the manifest's checks for
// it, against `previous` as the previous version (without one, checks that need one are
// skipped), and no older history. For schema self-tests.
Result<OutputReport> ValidateAsOutput(const pipeline::Manifest& manifest, const pipeline::Source& source,
                                      const std::filesystem::path& data, const ValidateOptions& options,
                                      std::optional<std::string> previous = std::nullopt);

// One check's configuration (the manifest's syntax) and where it was written, for messages.
struct CheckConfig {
  const rapidjson::Value* config = nullptr;  // the check object; owned by the caller
  std::string origin;   // "pipelines/cases.json", "checks.json", "--check"
  std::string pointer;  // "/checks/3"
  bool single_output = false;  // ad hoc: the one data file is the output, whatever "output" says
};

// Ad hoc: one data file against a schema and/or checks, optionally a previous version from a
// file (checks that need older history are skipped).
struct AdHocValidation {
  std::filesystem::path data;
  pipeline::DataFormat format = pipeline::DataFormat::kJson;
  std::filesystem::path schema;  // empty: no schema check
  std::optional<std::filesystem::path> previous;
  std::vector<CheckConfig> checks;
  std::vector<std::string> key;    // the record key (default of value_change and unique)
  std::vector<std::string> allow;  // check ids whose failure is accepted for this run
  std::size_t max_depth = json::kDefaultMaxDepth;  // how deep the records may nest
  std::optional<json::PointerPattern> records;     // where the records are inside a JSON document
};
Result<ValidationReport> ValidateFile(const AdHocValidation& request);

}  // namespace sluice::checks
