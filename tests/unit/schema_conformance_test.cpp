// The official JSON Schema Test Suite (required tests, not optional/) run against our
// validator, draft by draft. A pass count below its floor fails: a regression cannot hide.
// SLUICE_WRITE_CONFORMANCE=<file> writes the Markdown table and the failing tests
// (the source of docs/conformance.md).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <catch2/catch.hpp>

#include "json/json.h"
#include "schema/validator.h"

namespace fs = std::filesystem;
using sluice::schema::CompileOptions;
using sluice::schema::Draft;
using sluice::schema::NamedSchema;
using sluice::schema::ValidationError;
using sluice::schema::Validator;

namespace {

const fs::path kSuite = fs::path(SLUICE_SHARED_DIR) / "json-schema-test-suite";

struct DraftSuite {
  const char* directory;
  const char* title;
  Draft draft;
  int floor;  // what we pass today (every required test): any regression fails
};

constexpr DraftSuite kDrafts[] = {
    {"draft4", "draft-04", Draft::kDraft4, 618},
    {"draft6", "draft-06", Draft::kDraft6, 839},
    {"draft7", "draft-07", Draft::kDraft7, 927},
    {"draft2019-09", "2019-09", Draft::kDraft2019_09, 1259},
    {"draft2020-12", "2020-12", Draft::kDraft2020_12, 1299},
};

// The suite serves remotes/ at http://localhost:1234/ (see the suite's README).
struct Remotes {
  std::vector<rapidjson::Document> documents;
  std::vector<NamedSchema> named;
};

Remotes LoadRemotes() {
  Remotes remotes;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kSuite / "remotes")) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  remotes.documents.reserve(files.size());
  for (const fs::path& file : files) {
    auto parsed = sluice::json::ParseFile(file);
    REQUIRE(parsed.ok());
    remotes.documents.push_back(std::move(parsed).value());
    std::string relative = fs::relative(file, kSuite / "remotes").generic_string();
    remotes.named.push_back({"http://localhost:1234/" + relative, &remotes.documents.back()});
  }
  return remotes;
}

struct Tally {
  int passed = 0;
  int total = 0;
  std::map<std::string, std::vector<std::string>> failures;  // file -> "group: test (why)"
};

// One test passes when IsValid and Validate agree with the suite, and an invalid verdict
// comes with at least one error.
bool RunOne(const Validator& validator, const rapidjson::Value& test, std::string& why) {
  bool expected = test["valid"].GetBool();
  std::vector<ValidationError> errors;
  bool reported = validator.Validate(test["data"], errors);
  bool quick = validator.IsValid(test["data"]);
  if (reported != quick) why = "IsValid and Validate disagree";
  else if (quick != expected) why = expected ? "rejected a valid instance" : "accepted an invalid instance";
  else if (!reported && errors.empty()) why = "invalid without an error message";
  return why.empty();
}

void RunFile(const fs::path& file, const DraftSuite& draft, const Remotes& remotes, Tally& tally) {
  auto parsed = sluice::json::ParseFile(file);
  REQUIRE(parsed.ok());
  std::string name = file.filename().string();
  CompileOptions options;
  options.default_draft = draft.draft;
  options.named_schemas = remotes.named;
  for (const auto& group : parsed->GetArray()) {
    auto validator = Validator::Compile(group["schema"], options);
    for (const auto& test : group["tests"].GetArray()) {
      ++tally.total;
      std::string why = validator.ok() ? "" : "compile: " + validator.status().message();
      if (validator.ok() && RunOne(*validator, test, why)) {
        ++tally.passed;
        continue;
      }
      tally.failures[name].push_back(std::string(group["description"].GetString()) + ": " + test["description"].GetString() +
                                     " (" + why + ")");
    }
  }
}

Tally RunDraft(const DraftSuite& draft, const Remotes& remotes) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kSuite / "tests" / draft.directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  Tally tally;
  for (const fs::path& file : files) RunFile(file, draft, remotes, tally);
  return tally;
}

std::string Report(const std::vector<std::pair<const DraftSuite*, Tally>>& results) {
  std::ostringstream out;
  out << "| draft | sluice | ajv 8 | RapidJSON 1.1 |\n|---|---|---|---|\n";
  const char* ajv[] = {"610/618", "831/839", "919/927", "1231/1259", "1237/1299"};
  const char* rapidjson[] = {"604/618", "-", "778/927", "-", "-"};
  for (std::size_t i = 0; i < results.size(); ++i) {
    out << "| " << results[i].first->title << " | " << results[i].second.passed << "/" << results[i].second.total << " | "
        << ajv[i] << " | " << rapidjson[i] << " |\n";
  }
  for (const auto& [draft, tally] : results) {
    out << "\n### " << draft->title << ": failing tests\n\n";
    if (tally.failures.empty()) out << "None.\n";
    for (const auto& [file, tests] : tally.failures) {
      out << "- `" << file << "` (" << tests.size() << ")\n";
      for (const std::string& test : tests) out << "  - " << test << "\n";
    }
  }
  return out.str();
}

}  // namespace

TEST_CASE("schema validator passes the required tests of the JSON Schema Test Suite", "[schema][conformance]") {
  REQUIRE(fs::is_directory(kSuite / "tests"));
  Remotes remotes = LoadRemotes();
  std::vector<std::pair<const DraftSuite*, Tally>> results;
  for (const DraftSuite& draft : kDrafts) results.emplace_back(&draft, RunDraft(draft, remotes));
  std::string report = Report(results);
  for (const auto& [draft, tally] : results) {
    std::cout << "JSON Schema Test Suite " << draft->title << ": " << tally.passed << "/" << tally.total << " passed\n";
  }
  if (const char* path = std::getenv("SLUICE_WRITE_CONFORMANCE")) std::ofstream(path) << report;
  for (const auto& [draft, tally] : results) {
    INFO(draft->title << " passes " << tally.passed << " of " << tally.total << ", floor " << draft->floor);
    CHECK(tally.passed >= draft->floor);
  }
}
