// The official JSON Schema Test Suite (required tests, not optional/) run against our
// validator, draft by draft. A pass count below its floor fails: a regression cannot hide.
// The fast verdict (Validator::PassesFast, on simdjson's parse) rides along: it may never pass
// an instance the validator fails, and it must keep passing what it passes today.
// SLUICE_WRITE_CONFORMANCE=<file> writes the Markdown table and the failing tests
// (the source of docs/conformance.md).
// The suite is found as support/schema_suite.h says. Where it is missing, the tests print one
// line starting with kSkipped (ctest then reports them skipped: tests/CMakeLists.txt) and pass,
// except under CI=true, where a missing suite fails: CI must prove conformance.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "json/json.h"
#include "schema/validator.h"
#include "support/schema_suite.h"

namespace fs = std::filesystem;
using sluice::schema::CompileOptions;
using sluice::schema::Draft;
using sluice::schema::NamedSchema;
using sluice::schema::ValidationError;
using sluice::schema::Validator;

namespace {

constexpr const char* kSkipped = "SLUICE-TEST-SKIPPED: ";

// The checkout the suite is looked for in and beside: this build's, unless $SLUICE_TEST_CHECKOUT
// names another (.ci/fresh-clone names a fresh clone, to see what these tests would find there
// without building them there again).
fs::path Checkout() {
  const char* other = std::getenv("SLUICE_TEST_CHECKOUT");
  return other != nullptr && *other != '\0' ? fs::path(other) : fs::path(SLUICE_SOURCE_DIR);
}

// The suite's folder, or nothing after saying why (a skip, or a failure under CI=true).
std::optional<fs::path> SuiteOrSkip() {
  const fs::path source_dir = Checkout();
  sluice::SchemaSuiteLookup lookup = sluice::FindSchemaSuite(source_dir);
  if (!lookup.problem.empty()) FAIL(lookup.problem);
  if (lookup.found()) {
    std::cout << "JSON Schema Test Suite from " << lookup.origin << ": " << lookup.path.string() << "\n";
    return lookup.path;
  }
  std::string message = sluice::SchemaSuiteMissingMessage(source_dir);
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string(ci) == "true") FAIL("CI=true and " << message);
  std::cout << kSkipped << message << "\n";
  return std::nullopt;
}

struct DraftSuite {
  const char* directory;
  const char* title;
  Draft draft;
  int floor;  // what we pass today (every required test): any regression fails
  int fast_floor;  // valid instances the fast verdict passes today
};

constexpr DraftSuite kDrafts[] = {
    {"draft4", "draft-04", Draft::kDraft4, 618, 301},
    {"draft6", "draft-06", Draft::kDraft6, 839, 375},
    {"draft7", "draft-07", Draft::kDraft7, 927, 430},
    {"draft2019-09", "2019-09", Draft::kDraft2019_09, 1259, 479},
    {"draft2020-12", "2020-12", Draft::kDraft2020_12, 1299, 494},
};

// The suite serves remotes/ at http://localhost:1234/ (see the suite's README).
struct Remotes {
  std::vector<rapidjson::Document> documents;
  std::vector<NamedSchema> named;
};

Remotes LoadRemotes(const fs::path& suite) {
  Remotes remotes;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(suite / "remotes")) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  remotes.documents.reserve(files.size());
  for (const fs::path& file : files) {
    auto parsed = sluice::json::ParseFile(file);
    REQUIRE(parsed.ok());
    remotes.documents.push_back(std::move(parsed).value());
    std::string relative = fs::relative(file, suite / "remotes").generic_string();
    remotes.named.push_back({"http://localhost:1234/" + relative, &remotes.documents.back()});
  }
  return remotes;
}

struct Tally {
  int passed = 0;
  int total = 0;
  int fast_passed = 0;  // valid instances the fast verdict passed
  std::map<std::string, std::vector<std::string>> failures;  // file -> "group: test (why)"
};

// Validator::PassesFast on simdjson's parse of the instance (written out by RapidJSON).
bool PassesFast(const Validator& validator, const rapidjson::Value& data) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string text(sluice::json::Write(data));
  simdjson::dom::element parsed;
  REQUIRE(parser.parse(text).get(parsed) == simdjson::SUCCESS);
  return validator.PassesFast(parsed);
}

// One test passes when IsValid and Validate agree with the suite, an invalid verdict comes
// with at least one error, and the fast verdict passes nothing IsValid fails.
bool RunOne(const Validator& validator, const rapidjson::Value& test, std::string& why, int& fast_passed) {
  bool expected = test["valid"].GetBool();
  std::vector<ValidationError> errors;
  bool reported = validator.Validate(test["data"], errors);
  bool quick = validator.IsValid(test["data"]);
  bool fast = PassesFast(validator, test["data"]);
  fast_passed += fast && quick ? 1 : 0;
  if (reported != quick) why = "IsValid and Validate disagree";
  else if (quick != expected) why = expected ? "rejected a valid instance" : "accepted an invalid instance";
  else if (!reported && errors.empty()) why = "invalid without an error message";
  else if (fast && !quick) why = "the fast verdict passed an invalid instance";
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
      if (validator.ok() && RunOne(*validator, test, why, tally.fast_passed)) {
        ++tally.passed;
        continue;
      }
      tally.failures[name].push_back(std::string(group["description"].GetString()) + ": " + test["description"].GetString() +
                                     " (" + why + ")");
    }
  }
}

Tally RunDraft(const fs::path& suite, const DraftSuite& draft, const Remotes& remotes) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(suite / "tests" / draft.directory)) {
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
  out << "\nThe fast verdict (Validator::PassesFast on simdjson's parse, the fast lane of NDJSON validation)\n"
         "rides along on every test: it passed no invalid instance, and these valid ones (the rest it leaves\n"
         "to the validator):";
  for (const auto& [draft, tally] : results) out << " " << draft->title << " " << tally.fast_passed << ";";
  out << "\n";
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

// The optional files about ECMA-262 patterns, which every draft's "pattern" means.
constexpr const char* kRegexFiles[] = {"ecmascript-regex.json", "non-bmp-regex.json"};

}  // namespace

TEST_CASE("schema patterns follow ECMA-262: the suite's optional regex tests pass on every draft",
          "[schema][conformance][regex]") {
  std::optional<fs::path> suite = SuiteOrSkip();
  if (!suite) return;
  Remotes remotes = LoadRemotes(*suite);
  for (const DraftSuite& draft : kDrafts) {
    for (const char* file : kRegexFiles) {
      fs::path path = *suite / "tests" / draft.directory / "optional" / file;
      if (!fs::exists(path)) continue;  // draft-04 has no non-bmp file
      Tally tally;
      RunFile(path, draft, remotes, tally);
      std::cout << "JSON Schema Test Suite " << draft.title << " optional/" << file << ": " << tally.passed << "/"
                << tally.total << " passed\n";
      for (const auto& [name, tests] : tally.failures) {
        for (const std::string& test : tests) UNSCOPED_INFO(draft.title << " " << name << ": " << test);
      }
      CHECK(tally.passed == tally.total);
      CHECK(tally.total > 0);
    }
  }
}

TEST_CASE("schema validator passes the required tests of the JSON Schema Test Suite", "[schema][conformance]") {
  std::optional<fs::path> suite = SuiteOrSkip();
  if (!suite) return;
  Remotes remotes = LoadRemotes(*suite);
  std::vector<std::pair<const DraftSuite*, Tally>> results;
  for (const DraftSuite& draft : kDrafts) results.emplace_back(&draft, RunDraft(*suite, draft, remotes));
  std::string report = Report(results);
  for (const auto& [draft, tally] : results) {
    std::cout << "JSON Schema Test Suite " << draft->title << ": " << tally.passed << "/" << tally.total
              << " passed; the fast verdict passed " << tally.fast_passed << " valid instances\n";
  }
  if (const char* path = std::getenv("SLUICE_WRITE_CONFORMANCE")) std::ofstream(path) << report;
  for (const auto& [draft, tally] : results) {
    INFO(draft->title << " passes " << tally.passed << " of " << tally.total << ", floor " << draft->floor);
    CHECK(tally.passed >= draft->floor);
    INFO("the fast verdict passes " << tally.fast_passed << " valid instances, floor " << draft->fast_floor);
    CHECK(tally.fast_passed >= draft->fast_floor);
  }
}
