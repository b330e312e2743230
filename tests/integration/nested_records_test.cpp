// Records inside a document, through the built tools: a dashboard file of several daily series
// ({DATE_RANGE, VALUES} keyed by series name under /data/time_series) validated and diffed as a
// flat array would be, its previous versions read from git the same way.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/fs.h"
#include "json/json.h"
#include "support/data_repo.h"
#include "support/process.h"
#include "support/schema_match.h"

namespace fs = std::filesystem;
using namespace sluice;
using Catch::Matchers::Contains;

namespace {

const std::string kValidate = std::string(SLUICE_BIN_DIR) + "/sluice-validate";
const std::string kDiff = std::string(SLUICE_BIN_DIR) + "/sluice-diff";

struct Series {
  std::string minimum, maximum;  // the stated DATE_RANGE
  std::vector<std::pair<std::string, int>> values;  // DATE, VALUE
};

std::string Day(int day) { return fmt::format("2026-11-{:02}", day); }

// Days `first`..`last` of November, VALUE = base + day, without the days in `skip`.
Series Daily(int first, int last, int base, std::vector<int> skip = {}) {
  Series series{Day(first), Day(last), {}};
  for (int d = first; d <= last; ++d) {
    if (std::find(skip.begin(), skip.end(), d) == skip.end()) series.values.emplace_back(Day(d), base + d);
  }
  return series;
}

// Pretty-printed as dashboards are, one value per line.
std::string Dashboard(const std::map<std::string, Series>& all) {
  std::string text = "{\n  \"meta\": {\"PUBLISHED\": \"2026-11-20\"},\n  \"data\": {\n    \"time_series\": {\n";
  std::size_t n = 0;
  for (const auto& [name, series] : all) {
    text += fmt::format("      \"{}\": {{\n        \"DATE_RANGE\": {{\"MINIMUM\": \"{}\", \"MAXIMUM\": \"{}\"}},\n"
                        "        \"VALUES\": [\n", name, series.minimum, series.maximum);
    for (std::size_t i = 0; i < series.values.size(); ++i) {
      text += fmt::format("          {{\"DATE\": \"{}\", \"VALUE\": {}}}{}\n", series.values[i].first, series.values[i].second,
                          i + 1 < series.values.size() ? "," : "");
    }
    text += fmt::format("        ]\n      }}{}\n", ++n < all.size() ? "," : "");
  }
  return text + "    }\n  }\n}\n";
}

const std::string kChecks = R"([
  {"type": "row_count", "min": 2},
  {"type": "row_count_change", "max_percent": 50},
  {"type": "unique"},
  {"type": "not_null", "fields": ["DATE", "VALUE"]},
  {"type": "range", "field": "VALUE", "min": 0},
  {"type": "complete", "field": "DATE", "group_by": ["series"],
   "from": {"pointer": "/data/time_series/{series}/DATE_RANGE/MINIMUM"},
   "to": {"pointer": "/data/time_series/{series}/DATE_RANGE/MAXIMUM"}},
  {"type": "value_change", "field": "VALUE", "max_percent": 50}
])";

struct DashboardRepo : DataRepo {
  explicit DashboardRepo(const std::string& records = "/data/time_series/{series}/VALUES",
                         const std::string& checks = kChecks) {
    Write("pipelines/positivity.json", fmt::format(R"({{"name": "positivity", "sources": [{{"name": "positivity",
      "url": "file:sources/p.json", "format": "json", "records": "{}", "output": "data/positivity.json",
      "key": ["series", "DATE"], "metrics": {{"trend": {{"field": "VALUE", "history": 5}}}}}}],
      "checks": {}}})", records, checks));
    Write("data/positivity.json", Dashboard({{"cases", Daily(1, 6, 10)}, {"tests", Daily(1, 6, 100)}}));
    Commit("data");
  }
  ProcessResult Validate(const std::vector<std::string>& args) const {
    return RunTool(kValidate, "pipelines/positivity.json", args);
  }
  ProcessResult Diff(const std::vector<std::string>& args) const { return RunTool(kDiff, "pipelines/positivity.json", args); }
};

const rapidjson::Value& CheckNamed(const rapidjson::Value& report, const std::string& type) {
  for (const auto& check : report["outputs"][0]["checks"].GetArray()) {
    if (check["type"].GetString() == type) return check;
  }
  FAIL("no check of type " << type);
  return report;
}

}  // namespace

TEST_CASE("a dashboard's series are records: every check passes on good data, previous version read alike",
          "[nested][validate]") {
  DashboardRepo repo;
  // Two more days in each series: 12 -> 16 records is +33%, within row_count_change's 50%. Had
  // the committed version been read as one record, it would be +1500%.
  repo.Write("data/positivity.json", Dashboard({{"cases", Daily(1, 8, 10)}, {"tests", Daily(1, 8, 100)}}));
  auto run = repo.Validate({"--json"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto report = json::Parse(run.out, "report").value();
  CHECK(report["outputs"][0]["records"].GetInt() == 16);
  for (const auto& check : report["outputs"][0]["checks"].GetArray()) CHECK(std::string(check["status"].GetString()) == "passed");
  CHECK_THAT(CheckNamed(report, "complete")["summary"].GetString(), Contains("of all 2 groups is present"));
  auto schema = CompileSchemaFile(std::string(SLUICE_SOURCE_DIR) + "/schemas/validation-report.schema.json");
  CHECK(MatchesSchema(schema, report));
}

TEST_CASE("a day missing inside a series' stated range fails complete, naming the series and the date",
          "[nested][validate][complete]") {
  DashboardRepo repo;
  repo.Write("data/positivity.json", Dashboard({{"cases", Daily(1, 6, 10, {4})}, {"tests", Daily(1, 6, 100)}}));
  auto run = repo.Validate({"--json"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 1);
  auto report = json::Parse(run.out, "report").value();
  const auto& complete = CheckNamed(report, "complete");
  CHECK(std::string(complete["status"].GetString()) == "failed");
  REQUIRE(complete["examples"].Size() == 1);
  CHECK(std::string(complete["examples"][0]["message"].GetString()) ==
        "cases: missing 2026-11-04 (1 of 6 days from 2026-11-01 to 2026-11-06)");
}

TEST_CASE("a stated range that does not match a series' first or last date is reported at its place",
          "[nested][validate][complete]") {
  DashboardRepo repo;
  Series cases = Daily(2, 6, 10);
  cases.minimum = Day(1);  // the range says the 1st, the values start on the 2nd
  repo.Write("data/positivity.json", Dashboard({{"cases", cases}, {"tests", Daily(1, 6, 100)}}));
  auto run = repo.Validate({"--json"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 1);
  auto report = json::Parse(run.out, "report").value();
  const auto& complete = CheckNamed(report, "complete");
  REQUIRE(complete["examples"].Size() == 2);
  CHECK(std::string(complete["examples"][0]["message"].GetString()) ==
        "cases: /data/time_series/cases/DATE_RANGE/MINIMUM says 2026-11-01, but the first DATE is 2026-11-02");
  CHECK(complete["examples"][0]["line"].GetInt() == 6);
  CHECK(complete["examples"][0]["column"].GetInt() == 35);
  CHECK_THAT(complete["examples"][1]["message"].GetString(), Contains("cases: missing 2026-11-01"));
}

TEST_CASE("findings on nested records name the file, line and column of the record", "[nested][validate]") {
  DashboardRepo repo;
  Series tests = Daily(1, 6, 100);
  tests.values[2].second = -5;  // the third value of "tests"
  repo.Write("data/positivity.json", Dashboard({{"cases", Daily(1, 6, 10)}, {"tests", tests}}));
  auto run = repo.Validate({});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  // cases spans lines 5-15; tests starts at line 16, its first value on line 19: the third is on 21.
  CHECK_THAT(run.out + run.err, Contains("data/positivity.json:21:11"));
}

TEST_CASE("records pointer mistakes exit 2 naming the manifest's pointer or the data's place", "[nested][validate]") {
  SECTION("syntax: the manifest's pointer") {
    DashboardRepo repo("/data/time_series/{series/VALUES");
    auto run = repo.Validate({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains("/sources/0/records: token 3"));
  }
  SECTION("nothing matches: the pointer, not zero records") {
    DashboardRepo repo("/data/timeseries/{series}/VALUES");
    auto run = repo.Validate({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains("data/positivity.json: no array at /data/timeseries/{series}/VALUES"));
  }
  SECTION("a wildcard named like a field") {
    DashboardRepo repo("/data/time_series/{DATE}/VALUES");
    auto run = repo.Validate({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains("data/positivity.json:8:11: the record at /data/time_series/cases/VALUES/0 already has a "
                                 "field \"DATE\", the name of the wildcard {DATE}"));
  }
  SECTION("a stated bound whose wildcards are not the groups") {
    DashboardRepo repo("/data/time_series/{series}/VALUES", R"([{"type": "complete", "field": "DATE",
      "from": {"pointer": "/data/time_series/{series}/DATE_RANGE/MINIMUM"}}])");
    auto run = repo.Validate({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains("/checks/0/from/pointer: its named wildcards (series) must be the group_by fields ()"));
  }
}

TEST_CASE("ad hoc: --records reads a document's records without a manifest", "[nested][validate][adhoc]") {
  DashboardRepo repo;
  fs::path data = repo.path() / "data/positivity.json";
  auto run = RunProcess({kValidate, data.string(), "--check", R"({"type": "row_count", "min": 12, "max": 12})", "--records",
                         "/data/time_series/{series}/VALUES", "--check", R"({"type": "unique", "key": ["series", "DATE"]})"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  auto bad = RunProcess({kValidate, data.string(), "--check", R"({"type": "row_count", "min": 1})", "--records", "data"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Contains("--records 'data': a JSON pointer starts with '/'"));
}

TEST_CASE("sluice-diff pairs a dashboard's records by series and date, and charts the trend from git",
          "[nested][diff]") {
  DashboardRepo repo;
  repo.CommitFile("data/positivity.json", Dashboard({{"cases", Daily(1, 6, 20)}, {"tests", Daily(1, 6, 100)}}), "v2");
  Series cases = Daily(1, 7, 20);
  cases.values[1].second = 99;  // 2026-11-02 changes
  repo.Write("data/positivity.json", Dashboard({{"cases", cases}, {"tests", Daily(1, 6, 100)}}));
  fs::path body = repo.path() / "body.md";
  auto run = repo.Diff({"--json", "--markdown", body.string()});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto report = json::Parse(run.out, "report").value();
  const auto& file = report["files"][0];
  CHECK(file["added"].GetUint() == 1);
  CHECK(file["removed"].GetUint() == 0);
  REQUIRE(file["changed_rows"].Size() == 1);
  CHECK(std::string(file["changed_rows"][0]["key"]["series"].GetString()) == "cases");
  CHECK(std::string(file["changed_rows"][0]["key"]["DATE"].GetString()) == "2026-11-02");
  auto schema = CompileSchemaFile(std::string(SLUICE_SOURCE_DIR) + "/schemas/diff-report.schema.json");
  CHECK(MatchesSchema(schema, report));
  // The trend sums VALUE over each version's records: 81 + 621 in the first, 141 + 621 in v2 (cases
  // at base 20), then the new data: cases 21..27 with 99 for 22, 245, and 621.
  std::string markdown = ReadFile(body).value();
  CHECK_THAT(markdown, Contains("```mermaid\nxychart-beta"));
  CHECK_THAT(markdown, Contains("line [702, 762, 866]"));
}

TEST_CASE("self-test of a dashboard source: a fail stub patches the document, a missing day is caught",
          "[nested][validate][selftest]") {
  DashboardRepo repo;
  repo.Write("tests/positivity/positivity/pass/good.json",
             Dashboard({{"cases", Daily(1, 7, 10)}, {"tests", Daily(1, 7, 100)}}));
  // The VALUES of "cases" replaced by five of its six days: the 4th is missing.
  std::string values;
  for (int d : {1, 2, 3, 5, 6}) values += fmt::format("{}{{\"DATE\": \"{}\", \"VALUE\": {}}}", values.empty() ? "" : ", ", Day(d), 10 + d);
  repo.Write("tests/positivity/positivity/fail/missing-day.json",
             R"({"data": {"time_series": {"cases": {"VALUES": [)" + values + "]}}}}");
  auto run = repo.Validate({"--self-test"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Contains("missing-day.json") && Contains("caught: fails") && Contains("positivity.complete"));
  CHECK_THAT(run.out, Contains("all 2 samples behave"));

  repo.Write("tests/positivity/positivity/fail/harmless.json", R"({"meta": {"PUBLISHED": "2026-11-21"}})");
  repo.Write("tests/positivity/positivity/fail/by-record.json", R"({"$record": 1, "VALUE": -1})");
  repo.Write("tests/positivity/positivity/fail/by-removal.json", R"({"$remove": true})");
  auto broken = repo.Validate({"--self-test"});
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.out, Contains("BROKEN") && Contains("harmless.json"));
  CHECK_THAT(broken.out, Contains("\"$record\" works on a record of a flat file; the records of this source are inside a document"));
  CHECK_THAT(broken.out, Contains("\"$remove\" works on a record of a flat file"));
}
