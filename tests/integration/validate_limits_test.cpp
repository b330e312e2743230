// sluice-validate on dashboard shapes (issue 31), driven as a user drives it: one-sided and
// two-level limits against the committed version, many fields of a one-document summary at
// once, and --self-test proving that those rules can fail.
#include <catch2/catch.hpp>

#include <string>

#include "support/data_repo.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace sluice;

namespace {

const std::string kValidate = std::string(SLUICE_BIN_DIR) + "/sluice-validate";

std::string Rows(int n, int bump_last = 0) {
  std::string csv = "date,county,fips,cases\n";
  for (int i = 0; i < n; ++i) {
    csv += "2026-11-" + std::string(i < 9 ? "0" : "") + std::to_string(i + 1) + ",Alameda,06001," +
           std::to_string(1000 + (i + 1 == n ? bump_last : 0)) + "\n";
  }
  return csv;
}

// One pipeline over data/cases.csv with `checks`, and 20 committed rows.
struct CasesRepo : DataRepo {
  explicit CasesRepo(const std::string& checks) {
    Write("pipelines/cases.json", R"({"name": "cases", "sources": [{"name": "cases", "url": "file:sources/c.csv",
      "format": "csv", "output": "data/cases.csv", "key": ["date", "county"]}], "checks": )" + checks + "}");
    Write("data/cases.csv", Rows(20));
    Commit("data");
  }
  ProcessResult Validate(const std::vector<std::string>& args = {}) const {
    return RunTool(kValidate, "pipelines/cases.json", args);
  }
};

std::string Summary(int new_cases, int total_cases, int new_tests) {
  return "{\"data\": {\"cases\": {\"NEW_CASES\": " + std::to_string(new_cases) + ", \"TOTAL_CASES\": " +
         std::to_string(total_cases) + "},\n \"tests\": {\"NEW_TESTS\": " + std::to_string(new_tests) + "}}}\n";
}

}  // namespace

TEST_CASE("a rise of 15% in rows passes when only falls are limited, and a fall fails", "[validate][limits]") {
  CasesRepo repo(R"([{"type": "row_count_change", "max_decrease_percent": 1}])");
  repo.Write("data/cases.csv", Rows(23));
  auto rise = repo.Validate();
  INFO(rise.out << rise.err);
  CHECK(rise.exit_code == 0);
  CHECK_THAT(rise.out, Catch::Contains("20 → 23 records (+15.0%, limit -1%)"));
  repo.Write("data/cases.csv", Rows(19));
  auto fall = repo.Validate();
  CHECK(fall.exit_code == 1);
  CHECK_THAT(fall.out, Catch::Contains("20 → 19 records (-5.0%"));
}

TEST_CASE("one check warns at its warning level and fails at its error level", "[validate][limits]") {
  CasesRepo repo(R"([{"type": "row_count_change", "warn_increase_percent": 10, "max_increase_percent": 20,
                      "max_decrease_percent": 1}])");
  repo.Write("data/cases.csv", Rows(23));
  auto warned = repo.Validate();
  INFO(warned.out << warned.err);
  CHECK(warned.exit_code == 0);
  CHECK_THAT(warned.out, Catch::Contains("warning") && Catch::Contains("warning level: +15.0%"));
  repo.Write("data/cases.csv", Rows(25));
  auto failed = repo.Validate();
  CHECK(failed.exit_code == 1);
  CHECK_THAT(failed.out, Catch::Contains("failed") && Catch::Contains("+25.0%"));
}

TEST_CASE("a one-sided limit written as a string is refused naming its pointer", "[validate][limits]") {
  CasesRepo repo(R"([{"type": "value_change", "field": "cases", "max_decrease_percent": "1"}])");
  auto run = repo.Validate();
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("/checks/0/max_decrease_percent"));
  CasesRepo inverted(R"([{"type": "value_change", "field": "cases", "warn_decrease_percent": 2,
                          "max_decrease_percent": 1}])");
  auto refused = inverted.Validate();
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("/checks/0/warn_decrease_percent: must be below max_decrease_percent"));
}

TEST_CASE("a running total in a summary: falling 0.5% passes, 2% fails max_decrease_percent 1", "[validate][limits]") {
  TempDir dir;
  auto before = dir.Write("before.json", Summary(100, 10000, 1000));
  const std::string check =
      R"({"type": "value_change", "field": "/data/cases/TOTAL_CASES", "max_decrease_percent": 1, "max_increase_percent": 25})";
  auto small = dir.Write("small.json", Summary(100, 9950, 1000));
  auto corrected = RunProcess({kValidate, "--previous-file", before.string(), "--check", check, small.string()});
  INFO(corrected.out << corrected.err);
  CHECK(corrected.exit_code == 0);
  auto large = dir.Write("large.json", Summary(100, 9800, 1000));
  auto fell = RunProcess({kValidate, "--previous-file", before.string(), "--check", check, large.string()});
  CHECK(fell.exit_code == 1);
  CHECK_THAT(fell.out, Catch::Contains("total /data/cases/TOTAL_CASES 10000 → 9800 (-2.0%, limit -1%)"));
}

TEST_CASE("a pointer pattern checks each NEW_ field of a summary, and one that matches nothing exits 2",
          "[validate][fields]") {
  TempDir dir;
  auto before = dir.Write("before.json", Summary(100, 10000, 1000));
  auto now = dir.Write("now.json", Summary(-5, 10100, 3000));
  auto range = RunProcess({kValidate, "--check", R"({"type": "range", "fields": "/data/*/NEW_*", "min": 0})", now.string()});
  INFO(range.out << range.err);
  CHECK(range.exit_code == 1);
  CHECK_THAT(range.out, Catch::Contains("/data/cases/NEW_CASES is -5, outside [0, ∞]"));
  auto change = RunProcess({kValidate, "--previous-file", before.string(), "--check",
                            R"({"type": "value_change", "fields": "/data/*/NEW_*", "max_increase_percent": 100})",
                            now.string()});
  CHECK(change.exit_code == 1);
  CHECK_THAT(change.out, Catch::Contains("total /data/tests/NEW_TESTS 1000 → 3000 (+200.0%, limit +100%)"));
  CHECK_THAT(change.out, Catch::Contains("1 of 2 values compared break"));

  auto nothing = RunProcess({kValidate, "--check", R"({"type": "not_null", "fields": "/data/*/OLD_*"})", now.string()});
  CHECK(nothing.exit_code == 2);
  CHECK_THAT(nothing.err, Catch::Contains("/data/*/OLD_*") && Catch::Contains("a pattern that matches no field"));
}

TEST_CASE("self-test: fail stubs are compared with the last good data, so one-sided limits are proven able to fail",
          "[validate][selftest][limits]") {
  CasesRepo repo(R"([{"type": "value_change", "field": "cases", "max_decrease_percent": 1},
                     {"type": "row_count_change", "max_decrease_percent": 1}])");
  repo.Write("tests/cases/cases/pass/good.csv", Rows(20));
  repo.Write("tests/cases/cases/fail/total-fell.json", R"({"$record": 4, "cases": 970})");
  repo.Write("tests/cases/cases/fail/row-lost.json", R"({"$record": 4, "$remove": true})");
  auto run = repo.Validate({"--self-test"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("caught: fails cases.value_change") &&
                          Catch::Contains("caught: fails cases.row_count_change"));

  // A rise is allowed by both checks: a stub that only raises a total is not caught.
  repo.Write("tests/cases/cases/fail/total-rose.json", R"({"$record": 4, "cases": 1100})");
  repo.Write("tests/cases/cases/fail/row-added.json", R"({"$record": 4, "$duplicate": true, "date": "2026-12-01"})");
  auto broken = repo.Validate({"--self-test"});
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.out, Catch::Contains("2 of 5 samples misbehave") && Catch::Contains("BROKEN") &&
                             Catch::Contains("total-rose.json") && Catch::Contains("row-added.json"));
}
