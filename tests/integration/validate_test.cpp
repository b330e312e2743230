// sluice-validate driven as a user drives it, in a real git repository (the previous version of
// each output is the committed one).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "core/fs.h"
#include "json/json.h"
#include "support/data_repo.h"
#include "support/process.h"
#include "support/schema_match.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const std::string kValidate = std::string(SLUICE_BIN_DIR) + "/sluice-validate";

const std::string kSchema = R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "array",
  "items": {
    "type": "object",
    "required": ["date", "county", "fips", "cases"],
    "properties": {
      "date": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"},
      "county": {"type": "string"},
      "fips": {"type": "string", "pattern": "^\\d{5}$"},
      "cases": {"type": "integer", "minimum": 0}
    }
  }
})";

std::string Rows(int n, const std::string& bad_row = "") {
  std::string csv = "date,county,fips,cases\n";
  for (int i = 0; i < n; ++i) csv += "2026-11-" + std::string(i < 9 ? "0" : "") + std::to_string(i + 1) + ",Alameda,06001," + std::to_string(100 + i) + "\n";
  return csv + bad_row;
}

// One pipeline over data/cases.csv, with `checks` as JSON, and a first committed version of the
// data.
struct CasesRepo : DataRepo {
  explicit CasesRepo(const std::string& checks, const std::string& committed = Rows(10)) {
    Write("pipelines/cases.json", R"({"name": "cases", "sources": [{"name": "cases", "url": "file:sources/c.csv",
      "format": "csv", "output": "data/cases.csv", "key": ["date", "county"], "schema": "schemas/cases.schema.json"}],
      "checks": )" + checks + "}");
    Write("schemas/cases.schema.json", kSchema);
    Write("data/cases.csv", committed);
    Commit("data");
  }
  ProcessResult Validate(const std::vector<std::string>& args, EnvOverrides env = {}) const {
    return RunTool(kValidate, "pipelines/cases.json", args, std::move(env));
  }
};

}  // namespace

TEST_CASE("valid data passes and the JSON report matches its schema", "[validate]") {
  CasesRepo repo(R"([{"type": "row_count", "min": 1}, {"type": "unique"}])");
  repo.Write("data/cases.csv", Rows(11));
  auto run = repo.Validate({"--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto report = json::Parse(run.out, "report").value();
  CHECK(std::string(report["status"].GetString()) == "passed");
  CHECK(report["outputs"][0]["records"].GetInt() == 11);
  CHECK(std::string(report["outputs"][0]["previous"].GetString()) == "HEAD:data/cases.csv");
  auto schema = CompileSchemaFile(std::string(SLUICE_SOURCE_DIR) + "/schemas/validation-report.schema.json");
  CHECK(MatchesSchema(schema, report));
}

TEST_CASE("a schema violation exits 1 and names the line, also as an annotation", "[validate]") {
  CasesRepo repo("[]");
  repo.Write("data/cases.csv", Rows(3, "2026-11-04,Alameda,6001,7\n"));
  TempDir gh;
  fs::path output = gh.path() / "out", summary = gh.path() / "summary";
  auto run = repo.Validate({}, {{"GITHUB_ACTIONS", "true"}, {"GITHUB_OUTPUT", output.string()},
                                {"GITHUB_STEP_SUMMARY", summary.string()}});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Catch::Contains("::error file=data/cases.csv,line=5"));
  CHECK_THAT(run.out, Catch::Contains("6001"));
  CHECK_THAT(ReadFile(output).value(), Catch::Contains("errors=1") && Catch::Contains("passed=false"));
  CHECK_THAT(ReadFile(summary).value(), Catch::Contains("❌") && Catch::Contains("cases.schema"));
}

TEST_CASE("a drop in rows against the committed version fails row_count_change", "[validate]") {
  CasesRepo repo(R"([{"type": "row_count_change", "max_percent": 20}])");
  repo.Write("data/cases.csv", Rows(5));
  auto run = repo.Validate({});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Catch::Contains("10 → 5"));
  // Against an older revision where the file did not exist, there is nothing to compare.
  auto explicit_rev = repo.Validate({"--previous", "no-such-rev"});
  CHECK(explicit_rev.exit_code == 2);
  CHECK_THAT(explicit_rev.err, Catch::Contains("no-such-rev"));
}

TEST_CASE("anomaly reads its history from git, an empty oldest version included", "[validate]") {
  CasesRepo repo(R"([{"type": "anomaly", "metric": "row_count", "history": 4, "min_history": 4}])", Rows(0));
  for (int rows : {10, 12, 11}) {
    repo.Write("data/cases.csv", Rows(rows));
    repo.Commit("data");
  }
  repo.Write("data/cases.csv", Rows(10));
  auto run = repo.Validate({});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  // Four versions: 11, 12, 10 and the first, with no rows (not skipped for having three).
  CHECK_THAT(run.out, Catch::Contains("of the last 4 versions"));
}

TEST_CASE("warnings alone exit 0 and say so in the outputs", "[validate]") {
  CasesRepo repo(R"([{"type": "row_count", "max": 2, "severity": "warn"}])");
  TempDir gh;
  fs::path output = gh.path() / "out";
  auto run = repo.Validate({}, {{"GITHUB_OUTPUT", output.string()}});
  CHECK(run.exit_code == 0);
  CHECK_THAT(ReadFile(output).value(), Catch::Contains("warnings=true"));
  CHECK_THAT(run.out, Catch::Contains("warning"));
}

TEST_CASE("a known failure is accepted for one run with --allow", "[validate]") {
  CasesRepo repo(R"([{"type": "row_count_change", "max_percent": 20, "id": "cases-rebased"}])");
  repo.Write("data/cases.csv", Rows(5));
  auto allowed = repo.Validate({"--allow", "cases-rebased", "--json"});
  CHECK(allowed.exit_code == 0);
  CHECK_THAT(allowed.out, Catch::Contains("\"status\":\"allowed\""));
  CHECK(repo.Validate({}).exit_code == 1);
  auto unknown = repo.Validate({"--allow", "typo"});
  CHECK(unknown.exit_code == 2);
}

TEST_CASE("malformed CSV exits 2 naming line and column", "[validate]") {
  CasesRepo repo("[]");
  repo.Write("data/cases.csv", "date,county,fips,cases\n2026-11-01,\"Alameda,06001,1\n");
  auto run = repo.Validate({});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("data/cases.csv:2"));
}

TEST_CASE("a bad check configuration exits 2 naming its pointer", "[validate]") {
  CasesRepo repo(R"([{"type": "range", "field": "cases"}])");
  auto run = repo.Validate({});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("/checks/0/min"));
}

TEST_CASE("ad hoc: --schema validates one file without a manifest or git", "[validate][adhoc]") {
  TempDir dir;
  auto schema = dir.Write("s.json", kSchema);
  auto good = dir.Write("good.csv", Rows(2));
  auto bad = dir.Write("bad.ndjson", "{\"date\": \"2026-11-01\", \"county\": \"A\", \"fips\": \"06001\", \"cases\": -1}\n");
  CHECK(RunProcess({kValidate, "--schema", schema.string(), good.string()}).exit_code == 0);
  auto run = RunProcess({kValidate, "--schema", schema.string(), bad.string()});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Catch::Contains("minimum"));
}

namespace {

// Each (threads, fast lane) setting gives the reference run's exit code, report and errors.
template <typename Run>
void RequireSameReport(const ProcessResult& one, const Run& run_with,
                       std::initializer_list<std::pair<const char*, const char*>> settings) {
  for (auto [threads, lane] : settings) {
    INFO(threads << " threads, fast lane " << lane);
    auto other = run_with(threads, lane);
    CHECK(other.exit_code == one.exit_code);
    CHECK(other.out == one.out);
    CHECK(other.err == one.err);
  }
}

}  // namespace

TEST_CASE("NDJSON read on several threads gives the report one thread gives", "[validate][threads]") {
  TempDir dir;
  auto schema = dir.Write("s.json", kSchema);
  // 30,000 records over many blocks: every 4,001st has a negative count, record 12,000 repeats
  // a key, and record 20,000 is too large to hand between threads.
  std::string data;
  for (int i = 0; i < 30000; ++i) {
    std::string extra;
    if (i == 12000) extra = ", \"county\": \"B\"";
    if (i == 20000) extra = ", \"note\": \"" + std::string(100000, 'x') + "\"";
    data += "{\"date\": \"2026-11-01\", \"county\": \"A\", \"fips\": \"06001\", \"cases\": " +
            std::to_string(i % 4001 == 7 ? -1 : i) + extra + "}\n";
  }
  auto file = dir.Write("d.ndjson", data);
  auto run_with = [&](const char* threads, const char* lane) {
    return RunProcess({kValidate, "--schema", schema.string(), file.string(), "--json"},
                      {{"SLUICE_THREADS", threads}, {"SLUICE_FAST_LANE", lane}});
  };
  auto one = run_with("1", "off");  // the ordinary path on one thread: the reference
  for (auto [threads, lane] : {std::pair{"3", "off"}, std::pair{"3", "on"}, std::pair{"1", "on"}}) {
    INFO(threads << " threads, fast lane " << lane);
    auto other = run_with(threads, lane);
    CHECK(other.exit_code == one.exit_code);
    CHECK(other.out == one.out);
  }
  CHECK(one.exit_code == 1);
  CHECK_THAT(one.out, Catch::Contains("/7/cases") && Catch::Contains("/12000/county"));
  CHECK_THAT(one.out, Catch::Contains("9 of 30000 records invalid"));
}

TEST_CASE("records inside a document read on several threads give the report one thread gives",
          "[validate][threads][nested]") {
  TempDir dir;
  auto schema = dir.Write("s.json", kSchema);
  // Three series of 10,000 records over many blocks: every 4,001st has a negative count, record
  // 12,000 repeats a key, and, in the second file, the document breaks after the records.
  std::string doc = "{\"meta\": {\"note\": \"]}[{\\\"\"},\n \"data\": {";
  for (int s = 0; s < 3; ++s) {
    doc += std::string(s ? "," : "") + "\"S" + std::to_string(s) + "\": {\"VALUES\": [\n";
    for (int i = s * 10000; i < (s + 1) * 10000; ++i) {
      std::string extra = i == 12000 ? ", \"cases\": 3" : "";
      doc += std::string(i % 10000 ? ",\n" : "") + "{\"date\": \"2026-11-01\", \"fips\": \"06001\", \"cases\": " +
             std::to_string(i % 4001 == 7 ? -1 : i) + extra + "}";
    }
    doc += "]}";
  }
  auto whole = dir.Write("whole.json", doc + "}}\n");
  auto broken = dir.Write("broken.json", doc + "}, \"after\": [1,]}\n");
  for (const auto& file : {whole, broken}) {
    auto run_with = [&](const char* threads, const char* lane) {
      return RunProcess({kValidate, "--schema", schema.string(), "--records", "/data/{county}/VALUES", file.string(),
                         "--json"},
                        {{"SLUICE_THREADS", threads}, {"SLUICE_FAST_LANE", lane}});
    };
    auto one = run_with("1", "off");  // the one-thread reader: the reference
    INFO(file << ": " << one.out << one.err);
    RequireSameReport(one, run_with, {std::pair{"3", "on"}, std::pair{"2", "on"}, std::pair{"3", "off"}, std::pair{"1", "on"}});
    if (file == whole) {
      CHECK(one.exit_code == 1);
      CHECK_THAT(one.out, Catch::Contains("/7/cases") && Catch::Contains("/12000/cases"));
      CHECK_THAT(one.out, Catch::Contains("9 of 30000 records invalid"));
    } else {
      CHECK(one.exit_code == 2);
    }
  }
}

TEST_CASE("a JSON array read on several threads gives the report one thread gives", "[validate][threads]") {
  // A top-level array is read as records inside a document whose pointer is the root (issue 33):
  // one thread finds the elements, the others parse and validate them.
  TempDir dir;
  auto schema = dir.Write("s.json", kSchema);
  std::string doc = "\xEF\xBB\xBF [\n";
  for (int i = 0; i < 30000; ++i) {
    std::string extra = i == 12000 ? ", \"county\": \"B\"" : "";
    doc += std::string(i ? ",\n" : "") + "{\"date\": \"2026-11-01\", \"county\": \"A\", \"fips\": \"06001\", \"cases\": " +
           std::to_string(i % 4001 == 7 ? -1 : i) + extra + "}";
  }
  auto whole = dir.Write("whole.json", doc + "]\n");
  auto broken = dir.Write("broken.json", doc + ", {\"cases\": 1,}]\n");
  for (const auto& file : {whole, broken}) {
    auto run_with = [&](const char* threads, const char* lane) {
      return RunProcess({kValidate, "--schema", schema.string(), file.string(), "--json"},
                        {{"SLUICE_THREADS", threads}, {"SLUICE_FAST_LANE", lane}});
    };
    auto one = run_with("1", "off");  // the one-thread reader: the reference
    INFO(file << ": " << one.out << one.err);
    RequireSameReport(one, run_with, {std::pair{"3", "on"}, std::pair{"2", "on"}, std::pair{"1", "on"}});
    if (file == whole) {
      CHECK(one.exit_code == 1);
      CHECK_THAT(one.out, Catch::Contains("/7/cases") && Catch::Contains("/12000/county"));
      CHECK_THAT(one.out, Catch::Contains("9 of 30000 records invalid"));
    } else {
      CHECK(one.exit_code == 2);
      CHECK_THAT(one.err, Catch::Contains("broken.json:30001:"));
    }
  }
}

TEST_CASE("NDJSON through a manifest: the fast lane and the ordinary path report alike", "[validate][threads]") {
  // Schema and row counts only: records that pass reach the checks as runs. Row 5,000 is
  // invalid, row 7,000 repeats a key nested in a value no subschema constrains.
  DataRepo repo;
  auto data = [](int rows) {
    std::string text;
    for (int i = 0; i < rows; ++i) {
      std::string extra = i == 7000 ? R"(, "note": {"a": 1, "a": 2})" : "";
      text += R"({"date": "2026-11-01", "county": "A", "fips": ")" + std::string(i == 5000 ? "6001" : "06001") +
              R"(", "cases": )" + std::to_string(i) + extra + "}\n";
    }
    return text;
  };
  repo.Write("pipelines/n.json", R"({"name": "n", "sources": [{"name": "n", "url": "file:s.ndjson", "format": "ndjson",
    "output": "data/n.ndjson", "schema": "schemas/n.schema.json"}],
    "checks": [{"type": "row_count", "min": 100}, {"type": "row_count_change", "max_percent": 1}]})");
  repo.Write("schemas/n.schema.json", kSchema);
  repo.Write("data/n.ndjson", data(20000));
  repo.Commit("data");
  repo.Write("data/n.ndjson", data(20500));
  auto run_with = [&](const char* threads, const char* lane) {
    return repo.RunTool(kValidate, "pipelines/n.json", {"--json"}, {{"SLUICE_THREADS", threads}, {"SLUICE_FAST_LANE", lane}});
  };
  auto one = run_with("1", "off");  // the ordinary path on one thread: the reference
  INFO(one.out << one.err);
  CHECK(one.exit_code == 1);
  auto several = run_with("3", "on");
  CHECK(several.exit_code == one.exit_code);
  CHECK(several.out == one.out);
  auto alone = run_with("1", "on");
  CHECK(alone.out == one.out);
  auto report = json::Parse(several.out, "report").value();
  CHECK(report["outputs"][0]["records"].GetInt() == 20500);
  CHECK_THAT(several.out, Catch::Contains("2 of 20500 records invalid") && Catch::Contains("/5000/fips") &&
                              Catch::Contains("/7000/note/a") && Catch::Contains("2.5%"));
}

TEST_CASE("field checks on the fast lane report what the ordinary path reports", "[validate][threads]") {
  // not_null, range, pattern and enum judge records that simdjson parsed, without building their
  // values (issue 33); a record any of them is unsure of takes the ordinary path. Each way, NDJSON
  // and a JSON array, on one thread and several, gives the same report.
  DataRepo repo;
  std::vector<std::string> records;
  for (int i = 0; i < 20000; ++i) {
    std::string positivity = i % 997 == 3 ? "\"0.5\"" : i % 1009 == 5 ? "1.5" : i % 1051 == 23 ? "null" : "0.25";
    std::string note = i % 1013 == 7 ? R"(, "note": "")" : i % 1019 == 9 ? R"(, "note": null)"
                       : i % 1039 == 17 ? "" : i % 1049 == 19 ? R"(, "note": "ABC")" : R"(, "note": "fine")";
    std::string kind = i % 1021 == 11 ? R"("c")" : i % 1031 == 13 ? "5" : R"("a")";
    std::string repeat = i == 7000 ? R"(, "kind": "c")" : "";
    records.push_back(R"({"date": "2026-11-01", "county": "A", "fips": "06001", "cases": )" + std::to_string(i) +
                      R"(, "positivity": )" + positivity + note + R"(, "kind": )" + kind + repeat + "}");
  }
  std::string ndjson, array = "[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    ndjson += records[i] + "\n";
    array += (i ? ",\n" : "\n") + records[i];
  }
  repo.Write("data/n.ndjson", ndjson);
  repo.Write("data/a.json", array + "]\n");
  repo.Write("schemas/n.schema.json", kSchema);
  const std::string checks = R"("checks": [{"type": "row_count", "min": 100},
      {"type": "not_null", "fields": ["county", "note"]}, {"type": "range", "field": "positivity", "min": 0, "max": 1},
      {"type": "pattern", "field": "note", "pattern": "^[a-z ]*$", "severity": "warn"},
      {"type": "enum", "field": "kind", "values": ["a", "b"]}]})";
  repo.Write("pipelines/n.json", R"({"name": "n", "sources": [{"name": "n", "url": "file:s.ndjson", "format": "ndjson",
    "output": "data/n.ndjson", "schema": "schemas/n.schema.json"}], )" + checks);
  repo.Write("pipelines/a.json", R"({"name": "a", "sources": [{"name": "a", "url": "file:s.json", "format": "json",
    "output": "data/a.json", "schema": "schemas/n.schema.json"}], )" + checks);
  for (const char* manifest : {"pipelines/n.json", "pipelines/a.json"}) {
    auto run_with = [&](const char* threads, const char* lane) {
      return repo.RunTool(kValidate, manifest, {"--json"}, {{"SLUICE_THREADS", threads}, {"SLUICE_FAST_LANE", lane}});
    };
    auto one = run_with("1", "off");  // the ordinary path on one thread: the reference
    INFO(manifest << ": " << one.out << one.err);
    CHECK(one.exit_code == 1);
    RequireSameReport(one, run_with, {std::pair{"3", "on"}, std::pair{"2", "on"}, std::pair{"1", "on"}});
    auto report = json::Parse(one.out, "report").value();
    CHECK(report["outputs"][0]["records"].GetInt() == 20000);
    CHECK_THAT(one.out, Catch::Contains("/5/positivity") && Catch::Contains("/7/note") && Catch::Contains("/9/note") &&
                            Catch::Contains("/11/kind") && Catch::Contains("/13/kind") && Catch::Contains("/17/note") &&
                            Catch::Contains("/19/note") && Catch::Contains("/7000/kind"));
    CHECK_THAT(one.out, !Catch::Contains("/3/positivity") && !Catch::Contains("/23/positivity"));
  }
}

TEST_CASE("a record with a duplicated JSON key fails the schema check with its location", "[validate]") {
  TempDir dir;
  auto schema = dir.Write("s.json", kSchema);
  auto data = dir.Write("d.json", "[\n{\"date\": \"2026-11-01\", \"county\": \"A\", \"fips\": \"06001\", \"cases\": 1, \"cases\": 2}\n]\n");
  auto run = RunProcess({kValidate, "--schema", schema.string(), data.string()});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Catch::Contains("duplicated key /cases"));
  CHECK_THAT(run.out, Catch::Contains(":2:65 at /0/cases:"));
}

TEST_CASE("self-test: good samples pass, bad stubs are caught, and a stub that passes is reported broken",
          "[validate][selftest]") {
  CasesRepo repo(R"([{"type": "range", "field": "cases", "min": 0}])");
  repo.Write("tests/cases/cases/pass/good.csv", Rows(3));
  repo.Write("tests/cases/cases/fail/bad-fips.json", R"({"fips": "6001"})");
  repo.Write("tests/cases/cases/fail/negative.json", R"({"$record": 2, "cases": -5})");
  repo.Write("tests/cases/cases/fail/no-date.json", R"({"date": null})");
  auto run = repo.Validate({"--self-test"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("all 4 samples behave"));

  // A stub whose change no check notices: the validation no longer protects against it.
  repo.Write("tests/cases/cases/fail/harmless.json", R"({"county": "Berkeley"})");
  auto broken = repo.Validate({"--self-test"});
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.out, Catch::Contains("BROKEN") && Catch::Contains("harmless.json"));
}

TEST_CASE("a check whose field no record has exits 2 naming the check, the field and the closest pointer",
          "[validate][fields]") {
  TempDir dir;
  auto now = dir.Write("now.json", R"({"data": {"cases": {"TOTAL_CASES": 120, "date": "2026-12-01"}}})");
  auto before = dir.Write("before.json", R"({"data": {"cases": {"TOTAL_CASES": 100, "date": "2026-11-30"}}})");
  auto run = RunProcess({kValidate, "--previous-file", before.string(), "--check",
                         R"({"type": "value_change", "field": "TOTAL_CASES", "max_percent": 10})", now.string()});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("now.value_change") && Catch::Contains("\"TOTAL_CASES\"") &&
                          Catch::Contains("did you mean \"/data/cases/TOTAL_CASES\"?"));
  // The pointer it suggests is the one that works.
  auto fixed = RunProcess({kValidate, "--previous-file", before.string(), "--check",
                           R"({"type": "value_change", "field": "/data/cases/TOTAL_CASES", "max_percent": 10})", now.string()});
  CHECK(fixed.exit_code == 1);
  CHECK_THAT(fixed.out, Catch::Contains("100 → 120"));
}

TEST_CASE("a misspelled key, group_by, where or fields of a manifest check exits 2 with its pointer", "[validate][fields]") {
  struct Case {
    std::string checks;
    std::string pointer;
    std::string suggestion;
  };
  const std::vector<Case> cases = {
      {R"([{"type": "not_null", "fields": ["date", "countyy"]}])", "/checks/0/fields", "did you mean \"county\"?"},
      {R"([{"type": "unique", "key": ["date", "Country"]}])", "/checks/0/key", "did you mean \"county\"?"},
      {R"([{"type": "complete", "field": "date", "unit": "day", "group_by": ["contry"]}])", "/checks/0/group_by",
       "did you mean \"county\"?"},
      {R"([{"type": "reconcile", "aggregate": "sum", "field": "cases", "against": {"field": "cases", "where": {"County": "All"}}}])",
       "/checks/0/against/where", "did you mean \"county\"?"},
      {R"([{"type": "value_change", "field": "case", "max_percent": 50}])", "/checks/0/field", "did you mean \"cases\"?"},
  };
  for (const Case& c : cases) {
    INFO(c.checks);
    CasesRepo repo(c.checks);
    auto run = repo.Validate({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains("pipelines/cases.json: " + c.pointer) && Catch::Contains(c.suggestion));
  }
  // Spelled right, the same checks run (and pass on good data).
  CasesRepo good(R"([{"type": "not_null", "fields": ["date", "county"]}, {"type": "unique", "key": ["date", "county"]},
                     {"type": "value_change", "field": "cases", "max_percent": 50}])");
  CHECK(good.Validate({}).exit_code == 0);
}

TEST_CASE("ad hoc: --checks and --check run thresholds against --previous-file, and the verdict names what ran",
          "[validate][adhoc]") {
  TempDir dir;
  auto schema = dir.Write("s.json", kSchema);
  auto before = dir.Write("before.csv", Rows(10));
  auto now = dir.Write("now.csv", Rows(5));
  // The schema alone: it passes, and says plainly that no threshold was checked.
  auto schema_only = RunProcess({kValidate, "--schema", schema.string(), "--previous-file", before.string(), now.string()});
  CHECK(schema_only.exit_code == 0);
  CHECK_THAT(schema_only.out, Catch::Contains("no data-quality check"));
  CHECK_THAT(schema_only.out, !Catch::Contains("every check passed"));
  // The same with a row_count_change threshold from a checks file in the manifest's syntax.
  auto checks = dir.Write("checks.json", R"({"checks": [{"type": "row_count_change", "max_percent": 20}]})");
  auto with_checks = RunProcess({kValidate, "--schema", schema.string(), "--checks", checks.string(), "--previous-file",
                                 before.string(), now.string()});
  CHECK(with_checks.exit_code == 1);
  CHECK_THAT(with_checks.out, Catch::Contains("now.row_count_change") && Catch::Contains("10 → 5"));
  // --check inline, keyed by --key, without a schema.
  auto inline_check = RunProcess({kValidate, "--key", "date,county", "--check",
                                  R"({"type": "value_change", "field": "cases", "max_percent": 50})", "--previous-file",
                                  before.string(), now.string()});
  CHECK(inline_check.exit_code == 0);
  CHECK_THAT(inline_check.out, Catch::Contains("every check passed (value_change)"));
  // --allow accepts a failing ad hoc check for this run.
  auto allowed = RunProcess({kValidate, "--checks", checks.string(), "--previous-file", before.string(), "--allow",
                             "now.row_count_change", now.string()});
  CHECK(allowed.exit_code == 0);
  // A bad checks file names its pointer.
  auto bad = dir.Write("bad.json", R"([{"type": "row_count", "minimum": 3}])");
  auto refused = RunProcess({kValidate, "--checks", bad.string(), now.string()});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("bad.json: /0/minimum") && Catch::Contains("did you mean \"min\"?"));
}

TEST_CASE("findings in a one-document JSON file show the value's pointer and line", "[validate][locations]") {
  TempDir dir;
  auto schema = dir.Write("s.json", R"({"type": "object", "properties": {"data": {"type": "object", "properties":
    {"cases": {"type": "object", "properties": {"TOTAL_CASES": {"type": "integer"}, "date": {"type": "string"}}}}}}})");
  auto data = dir.Write("summary.json", "{\n  \"data\": {\n    \"cases\": {\n      \"TOTAL_CASES\": \"12\",\n"
                                        "      \"date\": null\n    }\n  }\n}\n");
  auto run = RunProcess({kValidate, "--schema", schema.string(), data.string()});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Catch::Contains("summary.json:4:22 at /data/cases/TOTAL_CASES: type: expected integer, got string \"12\""));
  CHECK_THAT(run.out, Catch::Contains("summary.json:5:15 at /data/cases/date: type: expected string, got null\n"));
  auto json_run = RunProcess({kValidate, "--schema", schema.string(), data.string(), "--json"});
  CHECK_THAT(json_run.out, Catch::Contains(R"("pointer":"/data/cases/date","line":5,"column":15)"));
  // In a pretty-printed array, a finding points at the value's line, not the record's first.
  auto array = dir.Write("rows.json", "[\n  {\"date\": \"2026-11-01\",\n   \"county\": \"A\",\n   \"fips\": \"6001\",\n"
                                      "   \"cases\": 1}\n]\n");
  auto rows = RunProcess({kValidate, "--schema", dir.Write("rows.schema.json", kSchema).string(), array.string()});
  CHECK(rows.exit_code == 1);
  CHECK_THAT(rows.out, Catch::Contains("rows.json:4:12 at /0/fips"));
  // The run record carries the first findings with file and line, for sluice-notify's incident issue.
  auto log = dir.path() / "run.log";
  auto logged = RunProcess({kValidate, "--schema", schema.string(), data.string()}, {{"SLUICE_RUN_LOG", log.string()}});
  CHECK(logged.exit_code == 1);
  auto record = json::Parse(ReadFile(log).value(), "run.log");
  REQUIRE(record.ok());
  REQUIRE((*record)["findings"].Size() == 2);
  CHECK((*record)["findings"][0]["line"].GetUint64() == 4);
  CHECK_THAT((*record)["findings"][0]["file"].GetString(), Catch::EndsWith("summary.json"));
  CHECK_THAT((*record)["findings"][0]["message"].GetString(), Catch::Contains("expected integer"));
}

TEST_CASE("checks that would silently do nothing are refused: no output among several, a limit as a string, "
          "an unknown member of a schema entry", "[validate][config]") {
  CasesRepo string_limit(R"([{"type": "row_count", "min": "10"}])");
  auto run = string_limit.Validate({});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("/checks/0/min: min must be a number, not \"10\""));

  CasesRepo schema_entry(R"([{"type": "schema", "severity": "warn", "sevrity": "error"}])");
  run = schema_entry.Validate({});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("/checks/0/sevrity") && Catch::Contains("did you mean \"severity\"?"));

  DataRepo two;
  two.Write("pipelines/two.json", R"({"name": "two", "sources": [
      {"name": "a", "url": "file:sources/a.csv", "format": "csv", "output": "data/a.csv"},
      {"name": "b", "url": "file:sources/b.csv", "format": "csv", "output": "data/b.csv"}],
    "checks": [{"type": "row_count", "min": 100}]})");
  two.Write("data/a.csv", Rows(2));
  two.Write("data/b.csv", Rows(2));
  run = two.RunTool(kValidate, "pipelines/two.json", {});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("/checks/0/output: the pipeline has several sources"));
}

TEST_CASE("explain: --explain prints the pipeline's page and validates nothing, a manifest is required", "[validate][explain]") {
  CasesRepo repo(R"([{"type": "row_count_change", "output": "cases", "max_percent": 20}])");
  repo.Write("data/cases.csv", "not,a,valid\nfile");  // --explain does not read the data
  auto page = repo.Validate({"--explain"});
  INFO(page.err);
  CHECK(page.exit_code == 0);
  CHECK_THAT(page.out, Catch::StartsWith("# Pipeline `cases`"));
  CHECK_THAT(page.out, Catch::Contains("- cases (row_count_change): the number of records differs from the published "
                                       "version by at most 20%"));
  CHECK_THAT(page.out, Catch::Contains("## When something fails"));
  auto adhoc = RunProcess({kValidate, "--explain", "--schema", (repo.path() / "schemas/cases.schema.json").string(),
                           (repo.path() / "data/cases.csv").string()});
  CHECK(adhoc.exit_code == 2);
  CHECK_THAT(adhoc.err, Catch::Contains("--explain needs a pipeline manifest"));
}

TEST_CASE("a file of NUL bytes exits 2 naming line and column, in every format, and an empty file fails row_count saying so",
          "[validate][binary]") {
  CasesRepo repo(R"([{"type": "row_count", "min": 1}])");
  repo.Write("data/cases.csv", std::string(8192, '\0'));
  auto run = repo.Validate({});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("data/cases.csv:1:1: NUL byte (binary data?)"));

  TempDir dir;
  auto schema = dir.Write("s.json", kSchema);
  for (std::string name : {"nul.ndjson", "nul.json", "nul.csv"}) {
    auto file = dir.Write(name, std::string(100, '\0'));
    auto adhoc = RunProcess({kValidate, "--schema", schema.string(), file.string()});
    INFO(name << ": " << adhoc.err);
    CHECK(adhoc.exit_code == 2);
    CHECK_THAT(adhoc.err, Catch::Contains(name + ":1:1: NUL byte (binary data?)"));
  }

  repo.Write("data/cases.csv", "");
  auto empty = repo.Validate({});
  INFO(empty.out << empty.err);
  CHECK(empty.exit_code == 1);
  CHECK_THAT(empty.out, Catch::Contains("no records"));
}

TEST_CASE("a record over the source's max_record_bytes exits 2 with its location", "[validate][limit]") {
  DataRepo repo;
  repo.Write("pipelines/cases.json", R"({"name": "cases", "sources": [{"name": "cases", "url": "file:sources/c.csv",
    "format": "csv", "output": "data/cases.csv", "max_record_bytes": 1024}],
    "checks": [{"type": "row_count", "min": 1}]})");
  repo.Write("data/cases.csv", Rows(10) + "2026-12-01,Alameda,06001," + std::string(1 << 20, '7'));  // no line break
  auto run = repo.RunTool(kValidate, "pipelines/cases.json", {});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("data/cases.csv:12:1: record larger than max_record_bytes (1 KiB)"));
  repo.Write("data/cases.csv", Rows(10));
  CHECK(repo.RunTool(kValidate, "pipelines/cases.json", {}).exit_code == 0);
}

TEST_CASE("a data file over the source's max_bytes exits 2 naming the file, its size and the limit, unread",
          "[validate][max_bytes]") {
  DataRepo repo;
  repo.Write("pipelines/cases.json", R"({"name": "cases", "sources": [
    {"name": "counties", "url": "file:sources/k.csv", "format": "csv", "output": "data/counties.csv"},
    {"name": "cases", "url": "file:sources/c.csv", "format": "csv", "output": "data/cases.csv", "max_bytes": 100}],
    "checks": [{"type": "row_count", "output": "cases", "min": 1}]})");
  repo.Write("data/counties.csv", "county\nAlameda\n");
  std::string data = Rows(10);
  repo.Write("data/cases.csv", data);
  auto run = repo.RunTool(kValidate, "pipelines/cases.json", {});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains(fmt::format("data/cases.csv: {} bytes, more than the source's max_bytes of 100", data.size())) &&
                          Catch::Contains("pipelines/cases.json: /sources/1/max_bytes"));
  repo.Write("data/cases.csv", Rows(1));
  CHECK(repo.RunTool(kValidate, "pipelines/cases.json", {}).exit_code == 0);
}

TEST_CASE("a schema whose $ref cycle never resolves exits 2 naming the pointer, a recursive tree schema validates",
          "[validate][cycle]") {
  TempDir dir;
  auto data = dir.Write("tree.ndjson", "{\"name\": \"a\", \"children\": [{\"name\": \"b\"}]}\n{\"name\": \"c\"}\n");
  auto endless = dir.Write("endless.json", R"({"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
    "$ref": "#/definitions/a"})");
  auto run = RunProcess({kValidate, "--schema", endless.string(), data.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("#/definitions/b/$ref: a $ref cycle that never resolves"));
  auto tree = dir.Write("tree.json", R"({"type": "object", "required": ["name"],
    "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}}})");
  CHECK(RunProcess({kValidate, "--schema", tree.string(), data.string()}).exit_code == 0);
  auto bad = dir.Write("bad.ndjson", "{\"name\": \"a\", \"children\": [{\"name\": 1}]}\n");
  auto invalid = RunProcess({kValidate, "--schema", tree.string(), bad.string()});
  CHECK(invalid.exit_code == 1);
  CHECK_THAT(invalid.out, Catch::Contains("/children/0/name"));
}

TEST_CASE("default check ids count only checks without an id of their own", "[validate][ids]") {
  // Issue 29: a check's own id shifted the default ids of the checks after it.
  CasesRepo repo(R"([{"type": "range", "field": "cases", "min": 0, "id": "mine"},
                     {"type": "range", "field": "cases", "min": 0},
                     {"type": "range", "field": "cases", "min": 0, "max": 5}])");
  auto run = repo.Validate({"--json"});
  INFO(run.out << run.err);
  auto report = json::Parse(run.out, "report").value();
  std::vector<std::string> ids;
  for (const auto& check : report["outputs"][0]["checks"].GetArray()) ids.emplace_back(check["id"].GetString());
  CHECK(ids == std::vector<std::string>{"cases.schema", "mine", "cases.range", "cases.range.2"});
  CHECK(run.exit_code == 1);  // cases.range.2: cases above 5
  CHECK(repo.Validate({"--allow", "cases.range.2"}).exit_code == 0);
}

TEST_CASE("a second schema entry for one output exits 2 naming its pointer", "[validate][ids]") {
  CasesRepo repo(R"([{"type": "schema", "severity": "warn"}, {"type": "row_count", "min": 1}, {"type": "schema", "id": "again"}])");
  auto run = repo.Validate({});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("/checks/2: a second schema entry for output 'cases' (the first is /checks/0)"));
}

TEST_CASE("a manifest path that does not exist names the manifest's pointer as well as the path", "[validate][loader]") {
  CasesRepo repo("[]");
  fs::remove(repo.path() / "data/cases.csv");
  auto no_data = repo.Validate({});
  INFO(no_data.err);
  CHECK(no_data.exit_code == 2);
  CHECK_THAT(no_data.err, Catch::Contains("data/cases.csv: no such file (the output of source cases, pipelines/cases.json: "
                                          "/sources/0/output); run sluice-fetch first"));
  repo.Write("data/cases.csv", Rows(2));
  fs::remove(repo.path() / "schemas/cases.schema.json");
  auto no_schema = repo.Validate({});
  INFO(no_schema.err);
  CHECK(no_schema.exit_code == 2);
  CHECK_THAT(no_schema.err, Catch::Contains("pipelines/cases.json: /sources/0/schema: schemas/cases.schema.json does not exist"));
}
