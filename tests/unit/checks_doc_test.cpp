// docs/checks.md against the code: every check type of the manifest schema has a section that
// names each option the check reads (tools/lib/checks/options.cpp), and an option the table
// does not know is refused with its pointer and the closest known name.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include "checks/check.h"
#include "checks/options.h"
#include "core/fs.h"
#include "json/json.h"

namespace fs = std::filesystem;
using namespace sluice;
using namespace sluice::checks;
using Catch::Matchers::Contains;

namespace {

// The "type" enum of schemas/pipeline.schema.json's check definition.
std::vector<std::string> SchemaCheckTypes() {
  auto schema = json::ParseFile(fs::path(SLUICE_SOURCE_DIR) / "schemas/pipeline.schema.json");
  REQUIRE(schema.ok());
  const rapidjson::Value* types = rapidjson::Pointer("/definitions/check/properties/type/enum").Get(*schema);
  REQUIRE(types != nullptr);
  REQUIRE(types->IsArray());
  std::vector<std::string> names;
  for (const auto& type : types->GetArray()) {
    REQUIRE(type.IsString());
    names.emplace_back(type.GetString(), type.GetStringLength());
  }
  REQUIRE_FALSE(names.empty());
  return names;
}

// The "## " sections of a Markdown text by title (the heading without '#', spaces and
// backticks), each holding its text up to the next "# " or "## " heading. Headings inside
// fenced code blocks are text.
std::map<std::string, std::string> Sections(const std::string& markdown) {
  std::map<std::string, std::string> sections;
  std::istringstream lines(markdown);
  std::string line;
  std::string* current = nullptr;
  bool fenced = false;
  while (std::getline(lines, line)) {
    if (line.rfind("```", 0) == 0) fenced = !fenced;
    if (!fenced && line.rfind("## ", 0) == 0) {
      std::string title;
      for (char c : line.substr(3)) {
        if (c != '`' && c != '#') title += c;
      }
      while (!title.empty() && title.back() == ' ') title.pop_back();
      while (!title.empty() && title.front() == ' ') title.erase(title.begin());
      current = &sections[title];
      continue;
    }
    if (!fenced && line.rfind("# ", 0) == 0) {
      current = nullptr;
      continue;
    }
    if (current != nullptr) *current += line + "\n";
  }
  return sections;
}

std::map<std::string, std::string> DocSections() {
  auto text = ReadFile(fs::path(SLUICE_SOURCE_DIR) / "docs/checks.md");
  REQUIRE(text.ok());
  return Sections(*text);
}

rapidjson::Document Config(const std::string& text) {
  auto parsed = json::Parse(text, "test");
  INFO(text);
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

// A manifest entry as the engine describes it to MakeCheck; `config` must outlive the spec.
CheckSpec SpecFor(const rapidjson::Value& config) {
  CheckSpec spec;
  spec.type = json::StringOr(config, "type");
  spec.id = "cases." + spec.type;
  spec.output = "cases";
  spec.pointer = "/checks/0";
  spec.config = &config;
  spec.key = {"date", "county"};
  spec.manifest_path = "pipelines/p.json";
  return spec;
}

// One valid entry per type holding every option the type reads (and the common members), so
// that an option added to the table without a way to use it shows up here.
const std::map<std::string, std::string>& FullConfigs() {
  static const std::map<std::string, std::string> configs = {
      {"schema", R"({"type": "schema", "severity": "warn", "output": "cases", "id": "x"})"},
      {"row_count", R"({"type": "row_count", "severity": "warn", "output": "cases", "id": "x", "min": 1, "max": 10})"},
      {"row_count_change",
       R"({"type": "row_count_change", "severity": "warn", "output": "cases", "id": "x", "max_percent": 10,
          "max_decrease_percent": 5, "max_increase_percent": 20, "warn_percent": 4, "warn_decrease_percent": 2,
          "warn_increase_percent": 8, "per_day": true})"},
      {"value_change", R"({"type": "value_change", "severity": "warn", "output": "cases", "id": "x",
          "field": "cases", "fields": ["cases", "/data/*/NEW_*"], "key": ["date"], "max_percent": 50,
          "max_absolute": 100, "warn_percent": 25, "warn_absolute": 50, "max_decrease_percent": 40,
          "max_increase_percent": 60, "max_decrease_absolute": 80, "max_increase_absolute": 120,
          "warn_decrease_percent": 20, "warn_increase_percent": 30, "warn_decrease_absolute": 40,
          "warn_increase_absolute": 60, "per_day": true, "monotonic": "non_decreasing", "stale_after": 3})"},
      {"not_null", R"({"type": "not_null", "severity": "warn", "output": "cases", "id": "x",
          "field": "cases", "fields": ["cases", "county"]})"},
      {"range", R"({"type": "range", "severity": "warn", "output": "cases", "id": "x",
          "field": "cases", "fields": ["cases"], "min": 0, "max": 10})"},
      {"pattern", R"({"type": "pattern", "severity": "warn", "output": "cases", "id": "x",
          "field": "fips", "fields": ["fips"], "pattern": "^\\d{5}$"})"},
      {"enum", R"({"type": "enum", "severity": "warn", "output": "cases", "id": "x",
          "field": "county", "fields": ["county"], "values": ["Alameda", "Butte"]})"},
      {"unique", R"({"type": "unique", "severity": "warn", "output": "cases", "id": "x",
          "key": ["date", "county"], "fields": ["date", "county"]})"},
      {"complete", R"({"type": "complete", "severity": "warn", "output": "cases", "id": "x",
          "field": "date", "unit": "week", "group_by": ["county"], "from": "2026-01-05", "to": "2026-12-27"})"},
      {"reconcile", R"({"type": "reconcile", "severity": "warn", "output": "cases", "id": "x",
          "aggregate": "sum", "field": "cases", "group_by": ["date"],
          "against": {"output": "totals", "field": "total_cases", "key": ["date"], "where": {"kind": "total"}},
          "tolerance": 1, "tolerance_percent": 0.5})"},
      {"anomaly", R"({"type": "anomaly", "severity": "warn", "output": "cases", "id": "x",
          "metric": "sum", "field": "cases", "history": 10, "method": "zscore", "threshold": 3, "min_history": 3})"},
      {"freshness", R"({"type": "freshness", "severity": "warn", "output": "cases", "id": "x",
          "field": "date", "max_age_days": 2, "max_future_days": 1})"},
  };
  return configs;
}

// Entries for members that exclude others of the full entry: reconcile's "against": {"value": N}
// states the figure itself, so it takes none of against's other members.
const std::map<std::string, std::string>& AlternativeConfigs() {
  static const std::map<std::string, std::string> configs = {
      {"reconcile", R"({"type": "reconcile", "aggregate": "sum", "field": "percent", "group_by": ["county"],
          "against": {"value": 100}, "tolerance": 0.5})"},
  };
  return configs;
}

bool InAlternative(const std::string& type, const std::string& option, const std::string& member) {
  auto text = AlternativeConfigs().find(type);
  if (text == AlternativeConfigs().end()) return false;
  rapidjson::Document config = Config(text->second);
  return config.HasMember(option.c_str()) && config[option.c_str()].HasMember(member.c_str());
}

}  // namespace

TEST_CASE("every check type of the manifest schema has an option table", "[checks][docs]") {
  const std::vector<std::string>& known = KnownCheckTypes();
  for (const std::string& type : SchemaCheckTypes()) {
    INFO("type " << type);
    CHECK(std::find(known.begin(), known.end(), type) != known.end());
  }
  // And the table names no type that manifests cannot hold.
  const std::vector<std::string> in_schema = SchemaCheckTypes();
  for (const std::string& type : known) {
    INFO("type " << type);
    CHECK(std::find(in_schema.begin(), in_schema.end(), type) != in_schema.end());
  }
}

TEST_CASE("docs/checks.md has a section per check type naming each of its options", "[checks][docs]") {
  const auto sections = DocSections();
  for (const std::string& type : SchemaCheckTypes()) {
    INFO("docs/checks.md, section for " << type);
    auto section = sections.find(type);
    REQUIRE(section != sections.end());
    for (const std::string& option : KnownOptions(type)) {
      INFO("option " << option);
      CHECK_THAT(section->second, Contains("`" + option + "`"));
      for (const std::string& member : KnownSubOptions(type, option)) {
        CHECK_THAT(section->second, Contains("`" + option + "." + member + "`"));
      }
    }
  }
  auto common = sections.find("Common members");
  REQUIRE(common != sections.end());
  for (const std::string& option : CommonOptions()) CHECK_THAT(common->second, Contains("`" + option + "`"));
}

TEST_CASE("a misspelled option is refused with its pointer and the option meant", "[checks][docs]") {
  rapidjson::Document config = Config(R"({"type": "row_count_change", "max_percnt": 10})");
  auto check = MakeCheck(SpecFor(config));
  REQUIRE_FALSE(check.ok());
  CHECK(check.status().kind() == ErrorKind::kConfig);
  CHECK_THAT(check.status().message(), Contains("pipelines/p.json: /checks/0/max_percnt: "));
  CHECK_THAT(check.status().message(), Contains("\"max_percnt\" is not an option of the row_count_change check"));
  CHECK_THAT(check.status().message(), Contains("did you mean \"max_percent\"?"));
  CHECK_THAT(check.status().message(), Contains("docs/checks.md"));

  // Also when every required option is there, and inside reconcile's "against".
  rapidjson::Document valid_but_typo = Config(R"({"type": "range", "field": "cases", "min": 0, "sevrity": "warn"})");
  auto range = MakeCheck(SpecFor(valid_but_typo));
  REQUIRE_FALSE(range.ok());
  CHECK_THAT(range.status().message(), Contains("/checks/0/sevrity: ") && Contains("did you mean \"severity\"?"));

  rapidjson::Document nested = Config(R"({"type": "reconcile", "aggregate": "count",
      "against": {"outptu": "totals", "field": "n"}})");
  auto reconcile = MakeCheck(SpecFor(nested));
  REQUIRE_FALSE(reconcile.ok());
  CHECK_THAT(reconcile.status().message(),
             Contains("/checks/0/against/outptu: ") && Contains("did you mean \"output\"?"));
}

TEST_CASE("an option nothing resembles is refused with the list of options", "[checks][docs]") {
  rapidjson::Document config = Config(R"({"type": "row_count", "min": 1, "zzz": true})");
  auto check = MakeCheck(SpecFor(config));
  REQUIRE_FALSE(check.ok());
  CHECK_THAT(check.status().message(), Contains("/checks/0/zzz: "));
  CHECK_THAT(check.status().message(), Contains("which takes min, max, type, severity, output, id"));
  // schema entries take the common members only.
  rapidjson::Document schema = Config(R"({"type": "schema", "id": "x", "strict": true})");
  Status refused = CheckKnownOptions(SpecFor(schema));
  CHECK(refused.kind() == ErrorKind::kConfig);
  CHECK_THAT(refused.message(), Contains("/checks/0/strict: "));
}

TEST_CASE("an unknown check type is still refused as a type, not as its options", "[checks][docs]") {
  rapidjson::Document config = Config(R"({"type": "telepathy", "min": 1})");
  CHECK(CheckKnownOptions(SpecFor(config)).ok());
  auto check = MakeCheck(SpecFor(config));
  REQUIRE_FALSE(check.ok());
  CHECK_THAT(check.status().message(), Contains("/checks/0/type: "));
}

TEST_CASE("every known option of every check type is accepted", "[checks][docs]") {
  for (const std::string& type : KnownCheckTypes()) {
    INFO("type " << type);
    auto text = FullConfigs().find(type);
    REQUIRE(text != FullConfigs().end());
    rapidjson::Document config = Config(text->second);
    for (const std::string& option : CommonOptions()) CHECK(config.HasMember(option.c_str()));
    for (const std::string& option : KnownOptions(type)) {
      INFO("option " << option);
      REQUIRE(config.HasMember(option.c_str()));
      for (const std::string& member : KnownSubOptions(type, option)) {
        INFO("member " << member);
        CHECK((config[option.c_str()].HasMember(member.c_str()) || InAlternative(type, option, member)));
      }
    }
    Status known = CheckKnownOptions(SpecFor(config));
    INFO(known.message());
    CHECK(known.ok());
    if (type == "schema") continue;  // built by the engine from the source's schema file
    auto check = MakeCheck(SpecFor(config));
    INFO(check.status().message());
    CHECK(check.ok());
  }
}

TEST_CASE("the entries for members that exclude others are accepted too", "[checks][docs]") {
  for (const auto& [type, text] : AlternativeConfigs()) {
    INFO("type " << type);
    rapidjson::Document config = Config(text);
    auto check = MakeCheck(SpecFor(config));
    INFO(check.status().message());
    CHECK(check.ok());
  }
}

TEST_CASE("the demo manifests use only known options", "[checks][docs]") {
  int entries = 0;
  for (const auto& file : fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / "examples/demo/pipelines")) {
    if (file.path().extension() != ".json") continue;
    auto manifest = json::ParseFile(file.path());
    REQUIRE(manifest.ok());
    const rapidjson::Value* checks = json::Member(*manifest, "checks");
    if (checks == nullptr) continue;
    for (const auto& entry : checks->GetArray()) {
      CheckSpec spec = SpecFor(entry);
      spec.manifest_path = file.path().filename().string();
      Status known = CheckKnownOptions(spec);
      INFO(known.message());
      CHECK(known.ok());
      ++entries;
    }
  }
  CHECK(entries > 0);
}

TEST_CASE("every check type but schema takes a records pointer of its own", "[checks][docs][check_records]") {
  for (const std::string& type : KnownCheckTypes()) {
    INFO("type " << type);
    rapidjson::Document config = Config(FullConfigs().at(type));
    config.AddMember("records", "/data/regions/{region}/counties", config.GetAllocator());
    Status known = CheckKnownOptions(SpecFor(config));
    if (type == "schema") {
      CHECK_THAT(known.message(), Contains("/checks/0/records: \"records\" is not an option of the schema check"));
    } else {
      INFO(known.message());
      CHECK(known.ok());
    }
  }
  auto sections = DocSections();
  CHECK_THAT(sections.at("Common members"), Contains("`records`"));
}
