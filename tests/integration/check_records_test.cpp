// A check's own "records" pointer, through sluice-validate: a statewide summary file is one
// document (the source's one record, checked as a whole), and one check reads the counties
// listed inside it, per region, as records of its own: findings at their line and column,
// previous versions read from git with the same pointer, the self-test proving the rule fails.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "json/json.h"
#include "support/data_repo.h"
#include "support/process.h"

using namespace sluice;
using Catch::Matchers::Contains;

namespace {

const std::string kValidate = std::string(SLUICE_BIN_DIR) + "/sluice-validate";

struct County {
  std::string fips, name;
  int cases;
};
using Region = std::pair<std::string, std::vector<County>>;

const std::vector<Region> kRegions = {
    {"Bay Area", {{"06001", "Alameda", 120}, {"06013", "Contra Costa", 80}, {"06075", "San Francisco", 95}}},
    {"Southern California", {{"06037", "Los Angeles", 600}, {"06059", "Orange", 150}}},
};

// Pretty-printed as the state's dashboard publishes it: a statewide figure, then the counties
// of each region, one per line.
std::string Summary(const std::vector<Region>& regions, int statewide_cases = 1045) {
  std::string text = fmt::format("{{\n  \"meta\": {{\"PUBLISHED\": \"2026-11-20\", \"STATE\": \"California\"}},\n"
                                 "  \"data\": {{\n    \"statewide\": {{\"DATE\": \"2026-11-19\", \"CASES\": {}}},\n"
                                 "    \"regions\": {{\n", statewide_cases);
  for (std::size_t r = 0; r < regions.size(); ++r) {
    text += fmt::format("      \"{}\": {{\n        \"counties\": [\n", regions[r].first);
    const auto& counties = regions[r].second;
    for (std::size_t c = 0; c < counties.size(); ++c) {
      text += fmt::format("          {{\"FIPS\": \"{}\", \"COUNTY\": \"{}\", \"CASES\": {}}}{}\n", counties[c].fips,
                          counties[c].name, counties[c].cases, c + 1 < counties.size() ? "," : "");
    }
    text += fmt::format("        ]\n      }}{}\n", r + 1 < regions.size() ? "," : "");
  }
  return text + "    }\n  }\n}\n";
}

// The 1-based line of the first line of `text` holding `needle`, searched from the end.
std::size_t LastLineWith(const std::string& text, const std::string& needle) {
  std::size_t at = text.rfind(needle);
  REQUIRE(at != std::string::npos);
  return static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1;
}

const std::string kCounties = "/data/regions/{region}/counties";

// The document's own check first, then checks that read the counties.
std::string Checks(const std::string& counties = kCounties) {
  return fmt::format(R"([
    {{"type": "not_null", "fields": ["/data/statewide/CASES", "/meta/PUBLISHED"]}},
    {{"type": "unique", "records": "{0}", "key": ["FIPS"]}},
    {{"type": "row_count", "records": "{0}", "min": 5}},
    {{"type": "row_count_change", "records": "{0}", "max_percent": 30}},
    {{"type": "range", "records": "{0}", "field": "CASES", "min": 0}},
    {{"type": "reconcile", "records": "{0}", "aggregate": "count", "group_by": ["region"],
      "against": {{"value": 3}}, "severity": "warn"}}
  ])", counties);
}

struct SummaryRepo : DataRepo {
  explicit SummaryRepo(const std::string& checks = Checks(), const std::string& format = "json") {
    Write("pipelines/summary.json", fmt::format(R"({{"name": "summary", "sources": [{{"name": "summary",
      "url": "file:sources/s.json", "format": "{}", "output": "data/summary.json"}}], "checks": {}}})", format, checks));
    Write("data/summary.json", Summary(kRegions));
    Commit("data");
  }
  ProcessResult Validate(const std::vector<std::string>& args) const {
    return RunTool(kValidate, "pipelines/summary.json", args);
  }
};

const rapidjson::Value& CheckWithId(const rapidjson::Value& report, const std::string& id) {
  for (const auto& check : report["outputs"][0]["checks"].GetArray()) {
    if (check["id"].GetString() == id) return check;
  }
  FAIL("no check " << id);
  return report;
}

}  // namespace

TEST_CASE("a check's records pointer: the counties inside a summary file are its records, the document stays one",
          "[check_records][validate]") {
  SummaryRepo repo;
  auto run = repo.Validate({"--json"});
  INFO(run.out << run.err);
  // The Southern California region lists 2 counties, not the 3 the warn-level reconcile wants.
  REQUIRE(run.exit_code == 0);
  auto report = json::Parse(run.out, "report").value();
  CHECK(report["outputs"][0]["records"].GetInt() == 1);  // the source's record: the document
  std::vector<std::string> ids;
  for (const auto& check : report["outputs"][0]["checks"].GetArray()) ids.emplace_back(check["id"].GetString());
  CHECK(ids == std::vector<std::string>{"summary.not_null", "summary.unique", "summary.row_count",
                                        "summary.row_count_change", "summary.range", "summary.reconcile"});
  CHECK_THAT(CheckWithId(report, "summary.unique")["summary"].GetString(), Contains("5 records, every FIPS unique"));
  CHECK(std::string(CheckWithId(report, "summary.row_count")["status"].GetString()) == "passed");
  CHECK(std::string(CheckWithId(report, "summary.row_count_change")["status"].GetString()) == "passed");
  const auto& reconcile = CheckWithId(report, "summary.reconcile");
  CHECK(std::string(reconcile["status"].GetString()) == "warning");
  CHECK(reconcile["failures"].GetInt() == 1);
  CHECK_THAT(reconcile["examples"][0]["message"].GetString(), Contains("Southern California: record count 2"));
  // At the first of the group's records: Los Angeles.
  CHECK(reconcile["examples"][0]["line"].GetUint64() == LastLineWith(Summary(kRegions), "\"06037\""));
}

TEST_CASE("a county listed twice fails the check's unique at the record's line and column, the document's check passes",
          "[check_records][validate]") {
  SummaryRepo repo;
  auto regions = kRegions;
  regions[1].second.push_back({"06001", "Alameda", 120});  // Bay Area's first county again, under Southern California
  std::string text = Summary(regions);
  repo.Write("data/summary.json", text);
  auto run = repo.Validate({"--json"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  auto report = json::Parse(run.out, "report").value();
  const auto& unique = CheckWithId(report, "summary.unique");
  CHECK(std::string(unique["status"].GetString()) == "failed");
  CHECK(unique["failures"].GetInt() == 1);
  const auto& example = unique["examples"][0];
  CHECK(example["line"].GetUint64() == LastLineWith(text, "\"06001\""));
  CHECK(example["column"].GetUint64() == 11);
  CHECK_THAT(example["message"].GetString(), Contains("duplicate key FIPS = 06001"));
  CHECK(std::string(CheckWithId(report, "summary.not_null")["status"].GetString()) == "passed");

  auto text_run = repo.Validate({});
  CHECK_THAT(text_run.out + text_run.err, Contains(fmt::format("data/summary.json:{}:11", LastLineWith(text, "\"06001\""))));
}

TEST_CASE("the previous version is read with the check's records pointer too", "[check_records][validate]") {
  SummaryRepo repo;
  // 5 counties committed, 3 now: -40% is past row_count_change's 30%. Read as the source's one
  // record, both versions would count 1 and pass.
  repo.Write("data/summary.json", Summary({{"Bay Area", kRegions[0].second}}));
  auto run = repo.Validate({"--json"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  auto report = json::Parse(run.out, "report").value();
  const auto& change = CheckWithId(report, "summary.row_count_change");
  CHECK(std::string(change["status"].GetString()) == "failed");
  CHECK_THAT(change["summary"].GetString(), Contains("5") && Contains("3"));
  CHECK(std::string(CheckWithId(report, "summary.row_count")["status"].GetString()) == "failed");
}

TEST_CASE("a check's records pointer mistakes exit 2 naming the manifest's pointer", "[check_records][validate]") {
  SECTION("syntax") {
    SummaryRepo repo(Checks("data/regions/{region}/counties"));
    auto run = repo.Validate({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains("pipelines/summary.json: /checks/1/records: a JSON pointer starts with '/'"));
  }
  SECTION("a misspelled member") {
    SummaryRepo repo(R"([{"type": "unique", "recrods": "/data/regions/{region}/counties", "key": ["FIPS"]}])");
    auto run = repo.Validate({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains("/checks/0/recrods: ") && Contains("did you mean \"records\"?"));
  }
  SECTION("not a string") {
    SummaryRepo repo(R"([{"type": "unique", "records": 3, "key": ["FIPS"]}])");
    auto run = repo.Validate({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains("/checks/0/records"));
  }
  SECTION("a schema entry takes none: the schema describes the source's records") {
    SummaryRepo repo(R"([{"type": "schema", "records": "/data/regions/{region}/counties"}])");
    auto run = repo.Validate({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains("/checks/0/records: \"records\" is not an option of the schema check"));
  }
  SECTION("a source that is not one JSON document") {
    SummaryRepo repo(R"([{"type": "unique", "records": "/data", "key": ["FIPS"]}])", "ndjson");
    auto run = repo.Validate({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains("/checks/0/records: records inside a document need format json; source summary is ndjson"));
  }
  SECTION("nothing matches: the pointer, not zero records") {
    SummaryRepo repo(Checks("/data/region/{region}/counties"));
    auto run = repo.Validate({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains("data/summary.json: no array at /data/region/{region}/counties"));
  }
}

TEST_CASE("ad hoc: --check takes a records pointer of its own beside the whole document",
          "[check_records][validate][adhoc]") {
  SummaryRepo repo;
  std::string data = (repo.path() / "data/summary.json").string();
  auto run = RunProcess({kValidate, data, "--check", R"({"type": "row_count", "min": 1, "max": 1})", "--check",
                         R"({"type": "row_count", "records": "/data/regions/*/counties", "min": 5, "max": 5})"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  auto wrong = RunProcess({kValidate, data, "--check",
                           R"({"type": "row_count", "records": "/data/regions/*/counties", "min": 6})"});
  CHECK(wrong.exit_code == 1);
}

TEST_CASE("self-test: a fail stub patches the summary document, a duplicate county is caught by the check's unique",
          "[check_records][validate][selftest]") {
  SummaryRepo repo;
  repo.Write("tests/summary/summary/pass/good.json", Summary(kRegions));
  repo.Write("tests/summary/summary/fail/duplicate-county.json",
             R"({"data": {"regions": {"Bay Area": {"counties": [
                 {"FIPS": "06001", "COUNTY": "Alameda", "CASES": 120},
                 {"FIPS": "06001", "COUNTY": "Alameda", "CASES": 120},
                 {"FIPS": "06075", "COUNTY": "San Francisco", "CASES": 95}]}}}})");
  auto run = repo.Validate({"--self-test"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Contains("duplicate-county.json") && Contains("caught: fails summary.unique"));
  CHECK_THAT(run.out, Contains("all 2 samples behave"));

  // A stub that changes nothing the checks look at is reported as broken.
  repo.Write("tests/summary/summary/fail/harmless.json", R"({"meta": {"STATE": "CA"}})");
  auto broken = repo.Validate({"--self-test"});
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.out, Contains("BROKEN") && Contains("harmless.json"));
}
