#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "core/fs.h"
#include "core/secrets.h"
#include "json/json.h"
#include "pipeline/explain.h"
#include "pipeline/manifest.h"
#include "schema/validator.h"
#include "support/schema_match.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;

namespace {

// A valid manifest with one HTTP source; `source_extra` and `top_extra` are spliced in as
// members (each with a trailing comma) so that a test changes one thing.
std::string ManifestText(const std::string& source_extra = "", const std::string& top_extra = "") {
  return R"({
  "name": "cases",
  )" + top_extra + R"(
  "sources": [{)" + source_extra + R"(
    "name": "cases", "url": "https://example.org/cases.csv", "format": "csv",
    "output": "data/cases.csv", "key": ["date", "county"]
  }]
})";
}

// The manifest with its source's format changed (splicing "format" in would repeat the key).
std::string WithFormat(const std::string& format, const std::string& source_extra = "", const std::string& top_extra = "") {
  std::string text = ManifestText(source_extra, top_extra);
  text.replace(text.find(R"("format": "csv")"), 15, R"("format": ")" + format + "\"");
  return text;
}

Result<pipeline::Manifest> Load(const TempDir& dir, const std::string& text,
                                const Environment& env = Environment::FromMap({})) {
  fs::path file = dir.Write("pipelines/cases.json", text);
  return pipeline::LoadManifest(file, dir.path(), env);
}

std::string LoadError(const std::string& text, ErrorKind kind = ErrorKind::kConfig) {
  TempDir dir;
  auto manifest = Load(dir, text);
  REQUIRE_FALSE(manifest.ok());
  CHECK(manifest.status().kind() == kind);
  std::string message = manifest.status().message();
  // Errors name the file first, and the temporary directory is of no interest beyond that.
  std::string file = (dir.path() / "pipelines/cases.json").string();
  REQUIRE_THAT(message, StartsWith(file));
  return message.substr(file.size());
}

}  // namespace

TEST_CASE("a valid manifest loads with defaults filled in", "[manifest]") {
  TempDir dir;
  auto manifest = Load(dir, ManifestText());
  REQUIRE(manifest.ok());
  CHECK(manifest->name == "cases");
  CHECK(manifest->review == "manual");
  REQUIRE(manifest->sources.size() == 1);
  const pipeline::Source& source = manifest->sources[0];
  CHECK(source.format == pipeline::DataFormat::kCsv);
  CHECK(source.output == "data/cases.csv");
  CHECK(source.key == std::vector<std::string>{"date", "county"});
  CHECK_FALSE(source.attempts.has_value());
  CHECK(manifest->FindSource("cases") == &source);
  CHECK(manifest->FindSource("other") == nullptr);
  REQUIRE(manifest->document);
  CHECK((*manifest->document)["name"] == "cases");
}

TEST_CASE("a relative manifest path is taken relative to the workspace", "[manifest]") {
  TempDir dir;
  dir.Write("pipelines/cases.json", WithFormat("xml"));
  auto manifest = pipeline::LoadManifest("pipelines/cases.json", dir.path(), Environment::FromMap({}));
  REQUIRE_FALSE(manifest.ok());
  CHECK_THAT(manifest.status().message(), StartsWith("pipelines/cases.json: /sources/0/format: enum "));
  dir.Write("pipelines/cases.json", ManifestText());
  auto loaded = pipeline::LoadManifest("pipelines/cases.json", dir.path(), Environment::FromMap({}));
  REQUIRE(loaded.ok());
  CHECK(loaded->path == dir.path() / "pipelines/cases.json");
}

TEST_CASE("malformed manifest names line and column", "[manifest]") {
  CHECK(LoadError("{\n  \"name\": \"cases\",\n  \"sources\": [}\n") == ":3:15: Invalid value.");
}

TEST_CASE("unknown source format names the JSON pointer", "[manifest]") {
  std::string message = LoadError(WithFormat("xml"));
  CHECK(message == R"(: /sources/0/format: enum "xml" is not one of "json", "ndjson", "csv")");
}

TEST_CASE("a misspelt top-level member is refused by name", "[manifest]") {
  CHECK_THAT(LoadError(ManifestText("", R"("reveiw": "auto",)")),
             StartsWith(": /reveiw: additionalProperties property \"reveiw\" is not allowed"));
}

TEST_CASE("a digit-class pattern in a manifest schema is enforced", "[manifest]") {
  auto with_time = [](const std::string& time) {
    return ManifestText("", R"("publish": {"production": "az://acct/container/cases",
      "window": {"time": ")" + time + R"(", "timezone": "America/Los_Angeles"}},)");
  };
  CHECK_THAT(LoadError(with_time("9am")), StartsWith(": /publish/window/time: pattern "));
  CHECK_THAT(LoadError(with_time("25:00")), StartsWith(": /publish/window/time: pattern "));
  TempDir dir;
  auto manifest = Load(dir, with_time("09:00"));
  REQUIRE(manifest.ok());
  REQUIRE(manifest->window.has_value());
  CHECK(manifest->window->time == "09:00");
  CHECK(manifest->window->timezone == "America/Los_Angeles");
}

TEST_CASE("violation inside a $ref'd definition is caught", "[manifest]") {
  // sources[] items are #/definitions/source; RapidJSON ignores refs it cannot resolve.
  CHECK(LoadError(ManifestText(R"("attempts": 11,)")) == ": /sources/0/attempts: maximum 11 is greater than 10");
  CHECK_THAT(LoadError(ManifestText("", R"("owners": {"primary": {"github": "octocat", "slak": "U1"}},)")),
             StartsWith(": /owners/primary/slak: additionalProperties "));
}

TEST_CASE("every schema problem is reported, not only the first", "[manifest]") {
  std::string message = LoadError(WithFormat("xml", R"("attempts": 11,)", R"("reveiw": "auto",)"));
  CHECK_THAT(message, Contains("/sources/0/format: enum"));
  CHECK_THAT(message, Contains("/sources/0/attempts: maximum"));
  CHECK_THAT(message, Contains("/reveiw: additionalProperties"));
}

TEST_CASE("a missing required member is named", "[manifest]") {
  CHECK(LoadError(R"({"name": "cases"})") == ": /: required missing required property \"sources\"");
}

TEST_CASE("missing ${ENV} names the variable and the pointer", "[manifest]") {
  std::string message = LoadError(ManifestText(R"("headers": {"Authorization": "Bearer ${CASES_TOKEN}"},)"));
  CHECK_THAT(message, StartsWith(": /sources/0/headers/Authorization: "));
  CHECK_THAT(message, Contains("CASES_TOKEN"));
}

TEST_CASE("header values are expanded and registered as secrets", "[manifest]") {
  ClearSecretsForTesting();
  TempDir dir;
  auto env = Environment::FromMap({{"CASES_TOKEN", "tok-123456"}});
  auto manifest = Load(dir, ManifestText(R"("headers": {"Authorization": "Bearer ${CASES_TOKEN}"},)"), env);
  REQUIRE(manifest.ok());
  using Header = std::pair<std::string, std::string>;
  CHECK(manifest->sources[0].headers == std::vector<Header>{{"Authorization", "Bearer tok-123456"}});
  CHECK(Mask("token tok-123456") == "token ***");
  ClearSecretsForTesting();
}

TEST_CASE("output path escaping the workspace is refused as unsafe", "[manifest]") {
  std::string text = ManifestText();
  text.replace(text.find("data/cases.csv"), 14, "data/../../cases.csv");
  CHECK_THAT(LoadError(text, ErrorKind::kUnsafe), StartsWith(": /sources/0/output: "));
}

TEST_CASE("an output through a symlink out of the workspace is refused as unsafe", "[manifest]") {
  TempDir dir;
  TempDir outside;
  fs::create_symlink(outside.path(), dir.path() / "data");
  auto manifest = Load(dir, ManifestText());
  REQUIRE_FALSE(manifest.ok());
  CHECK(manifest.status().kind() == ErrorKind::kUnsafe);
  CHECK_THAT(manifest.status().message(), Contains("/sources/0/output"));
}

TEST_CASE("a file: source outside the workspace is refused as unsafe", "[manifest]") {
  std::string relative = ManifestText();
  relative.replace(relative.find("https://example.org/cases.csv"), 29, "file:../secrets.csv");
  CHECK_THAT(LoadError(relative, ErrorKind::kUnsafe), StartsWith(": /sources/0/url: "));
  std::string absolute = ManifestText();
  absolute.replace(absolute.find("https://example.org/cases.csv"), 29, "file:///etc/passwd");
  CHECK_THAT(LoadError(absolute, ErrorKind::kUnsafe), StartsWith(": /sources/0/url: "));
}

TEST_CASE("a source needs exactly one of url or command", "[manifest]") {
  CHECK(LoadError(ManifestText(R"("command": ["./fetch.sh"],)")) ==
        ": /sources/0: give exactly one of \"url\" or \"command\"");
  std::string neither = ManifestText();
  neither.replace(neither.find(R"("url": "https://example.org/cases.csv", )"), 40, "");
  CHECK(LoadError(neither) == ": /sources/0: give exactly one of \"url\" or \"command\"");
}

TEST_CASE("an unsupported url scheme is refused", "[manifest]") {
  std::string text = ManifestText();
  text.replace(text.find("https://"), 8, "ftp://");
  CHECK_THAT(LoadError(text), StartsWith(": /sources/0/url: pattern "));
}

TEST_CASE("source names and outputs must be unique", "[manifest]") {
  const std::string second = R"(, {"name": "cases", "command": ["cat"], "output": "data/other.csv"}]})";
  std::string names = ManifestText();
  names.replace(names.rfind("]"), 3, second);
  CHECK(LoadError(names) == ": /sources/1/name: source name 'cases' is already used at /sources/0/name");
  std::string outputs = names;
  outputs.replace(outputs.rfind("\"cases\""), 7, "\"deaths\"");
  outputs.replace(outputs.find("data/other.csv"), 14, "data/./cases.csv");
  CHECK(LoadError(outputs) ==
        ": /sources/1/output: output 'data/./cases.csv' is already written by /sources/0/output");
}

TEST_CASE("a check must name an existing source", "[manifest]") {
  std::string message =
      LoadError(ManifestText("", R"("checks": [{"type": "row_count", "output": "deaths", "min": 1}],)"));
  CHECK(message == ": /checks/0/output: no source is named 'deaths' (sources: cases)");
  CHECK_THAT(LoadError(ManifestText("", R"("checks": [{"type": "vibes"}],)")), StartsWith(": /checks/0/type: enum "));
}

TEST_CASE("the compiled-in schema is schemas/pipeline.schema.json", "[manifest]") {
  auto file = ReadFile(fs::path(SLUICE_SOURCE_DIR) / "schemas/pipeline.schema.json");
  REQUIRE(file.ok());
  CHECK(*file == pipeline::ManifestSchemaText());
}

TEST_CASE("the demo repository's manifests load", "[manifest][demo]") {
  fs::path demo = fs::path(SLUICE_SOURCE_DIR) / "examples/demo";
  auto cases = pipeline::LoadManifest(demo / "pipelines/cases.json", demo, Environment::FromMap({}));
  REQUIRE(cases.ok());
  CHECK(cases->sources.at(0).format == pipeline::DataFormat::kCsv);
  CHECK(cases->window->timezone == "America/Los_Angeles");
  auto vaccines = pipeline::LoadManifest(demo / "pipelines/vaccines.json", demo, Environment::FromMap({}));
  REQUIRE(vaccines.ok());
  CHECK(vaccines->sources.at(0).volatile_fields == std::vector<std::string>{"updated_at"});
  CHECK(vaccines->production_target.rfind("az://devstoreaccount1/", 0) == 0);
  for (const auto* manifest : {&*cases, &*vaccines}) {
    CHECK(fs::exists(demo / manifest->sources.at(0).schema));
    CHECK(json::ParseFile(demo / manifest->sources.at(0).schema).ok());
  }
}

TEST_CASE("the demo sources satisfy their data schemas", "[manifest][demo]") {
  fs::path demo = fs::path(SLUICE_SOURCE_DIR) / "examples/demo";
  schema::Validator vaccines_schema = CompileSchemaFile(demo / "schemas/vaccines.schema.json");
  auto vaccines = json::ParseFile(demo / "sources/vaccines.json");
  REQUIRE(vaccines.ok());
  REQUIRE(vaccines->IsArray());
  for (const auto& record : vaccines->GetArray()) CHECK(MatchesSchema(vaccines_schema, record));
  REQUIRE_FALSE(vaccines->Empty());
  rapidjson::Document incomplete;
  incomplete.CopyFrom((*vaccines)[0], incomplete.GetAllocator());
  REQUIRE(incomplete.RemoveMember("county"));
  CHECK_FALSE(vaccines_schema.IsValid(incomplete));  // so the loop above can fail

  // The demo CSV has no quoted cells, so splitting on commas is enough here.
  schema::Validator cases_schema = CompileSchemaFile(demo / "schemas/cases.schema.json");
  auto csv = ReadFile(demo / "sources/cases.csv");
  REQUIRE(csv.ok());
  std::istringstream lines(*csv);
  std::string header;
  std::getline(lines, header);
  REQUIRE(header == "date,county,fips,cases,deaths");
  auto to_record = [](const std::string& line) {
    rapidjson::Document record(rapidjson::kObjectType);
    std::istringstream cells(line);
    std::string cell;
    for (const char* column : {"date", "county", "fips", "cases", "deaths"}) {
      std::getline(cells, cell, ',');
      record.AddMember(rapidjson::StringRef(column), rapidjson::Value(cell.c_str(), record.GetAllocator()),
                       record.GetAllocator());
    }
    return record;
  };
  int rows = 0;
  for (std::string line; std::getline(lines, line); ++rows) {
    INFO("cases.csv:" << rows + 2);
    CHECK(MatchesSchema(cases_schema, to_record(line)));
  }
  CHECK(rows >= 30);
  CHECK_FALSE(cases_schema.IsValid(to_record("2024-01-01,Alameda,6001,1400,14")));  // FIPS lost its leading zero
}

TEST_CASE("a data format comes from --format or the file's extension", "[manifest]") {
  using pipeline::DataFormat;
  CHECK(pipeline::FormatFromExtension("data/cases.CSV") == DataFormat::kCsv);
  CHECK(pipeline::FormatFromExtension("x.jsonl") == DataFormat::kNdjson);
  CHECK(pipeline::FormatFromExtension("x.json") == DataFormat::kJson);
  CHECK(pipeline::FormatFromFlag("csv", "x.json").value() == DataFormat::kCsv);
  CHECK(pipeline::FormatFromFlag("", "x.ndjson").value() == DataFormat::kNdjson);
  auto bad = pipeline::FormatFromFlag("xml", "x.json");
  CHECK(bad.status().kind() == ErrorKind::kUsage);
  CHECK_THAT(bad.status().message(), Contains("--format xml"));
  // An extension that names no format is not taken for JSON.
  auto unknown = pipeline::FormatFromFlag("", "download.bin");
  CHECK(unknown.status().kind() == ErrorKind::kUsage);
  CHECK_THAT(unknown.status().message(), Contains("download.bin") && Contains("--format"));
  CHECK(pipeline::FormatFromFlag("csv", "download.bin").value() == DataFormat::kCsv);
}

TEST_CASE("the pipeline page says what the manifest says, each check in plain words", "[manifest][explain]") {
  TempDir dir;
  dir.Write("pipelines/cases.json", R"({"name": "cases", "description": "Daily cases by county.", "review": "auto",
    "sources": [{"name": "cases", "url": "https://data.example.org/cases.csv", "format": "csv",
                 "output": "data/cases.csv", "key": ["date", "county"], "schema": "schemas/cases.schema.json"}],
    "checks": [{"type": "row_count", "output": "cases", "min": 50},
               {"type": "value_change", "severity": "warn", "output": "cases", "field": "cases", "max_percent": 25,
                "warn_percent": 10},
               {"type": "not_null", "output": "cases", "fields": ["fips", "cases"]},
               {"type": "complete", "output": "cases", "field": "date", "unit": "day", "group_by": ["county"]}],
    "owners": {"primary": {"github": "alice", "slack": "U012AB3CD"}},
    "publish": {"production": "az://acct/public/cases", "production_url": "https://acct.blob.core.windows.net/public/cases/",
                "window": {"time": "09:00", "timezone": "America/Los_Angeles", "days": ["mon", "fri"]}},
    "sla": {"max_age_hours": 26},
    "schedule": {"at": ["07:05", "15:00"], "timezone": "America/Los_Angeles", "skip_dates": ["2026-12-25"]},
    "notify": {"routes": {"failure": {"channel": "C0INCIDENTS"}}},
    "runbook": "runbooks/cases.md"})");
  dir.Write("schemas/cases.schema.json", R"({"type": "object"})");
  auto manifest = pipeline::LoadManifest(dir.path() / "pipelines/cases.json", dir.path(), Environment::FromMap({}));
  REQUIRE(manifest.ok());
  std::string page = pipeline::ExplainPipeline(*manifest);
  CHECK_THAT(page, Catch::StartsWith("# Pipeline `cases`\n\nDaily cases by county."));
  CHECK_THAT(page, Catch::Contains("| cases | `https://data.example.org/cases.csv` | csv | `data/cases.csv` | date, county | "
                                   "`schemas/cases.schema.json` |"));
  CHECK_THAT(page, Catch::Contains("- cases (row_count): at least 50 records — when it fails, the data PR is not opened"));
  CHECK_THAT(page, Catch::Contains("- cases (value_change): `cases` of each record moves by at most 25% from the published "
                                   "version (a move past 10% only warns) — when it fails, auto-approval is withheld"));
  CHECK_THAT(page, Catch::Contains("`fips`, `cases` are never empty"));
  CHECK_THAT(page, Catch::Contains("every day from the first `date` to the last has data for each `county`"));
  CHECK_THAT(page, Catch::Contains("- Primary owner: @alice, Slack `U012AB3CD`") && Catch::Contains("Review: **auto**"));
  CHECK_THAT(page, Catch::Contains("- Window: 09:00 America/Los_Angeles for 180 minutes, mon, fri."));
  CHECK_THAT(page, Catch::Contains("(read at https://acct.blob.core.windows.net/public/cases/)"));
  CHECK_THAT(page, Catch::Contains("older than 26 hours") && Catch::Contains("- failure: channel `C0INCIDENTS`"));
  CHECK_THAT(page, Catch::Contains("This pipeline's own runbook: runbooks/cases.md"));
  CHECK_THAT(page, Catch::Contains("- Runs: at 07:05, 15:00 America/Los_Angeles, every day, not on 2026-12-25; a slot "
                                   "may run up to 180 minutes late"));
}

TEST_CASE("a value of the wrong type says what it must be", "[manifest][loader]") {
  CHECK(LoadError(ManifestText(R"("max_bytes": "ten",)")) == R"(: /sources/0/max_bytes: max_bytes must be a whole number, not "ten")");
  // A check's limit is in the schema, so every tool refuses it, not only sluice-validate.
  CHECK(LoadError(ManifestText("", R"("checks": [{"type": "row_count", "min": "one"}],)")) ==
        R"(: /checks/0/min: min must be a number, not "one")");
}

TEST_CASE("a key given twice in one object is refused with its pointer", "[manifest][loader]") {
  // Issue 29: RapidJSON kept both and every reader saw the first.
  CHECK_THAT(LoadError(ManifestText(R"("max_bytes": 10, "max_bytes": 20,)")),
             StartsWith(R"(: /sources/0/max_bytes: the key "max_bytes" is given twice in the same object)"));
  CHECK_THAT(LoadError(R"({"name": "a", "name": "b", "sources": []})"), StartsWith(": /name: the key \"name\" is given twice"));
}
