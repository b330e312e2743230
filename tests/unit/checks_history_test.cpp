// The check families that look beyond one record: value_change, complete, reconcile, anomaly,
// freshness (tools/lib/checks/{value_change,complete,reconcile,anomaly,freshness}.cpp).
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "checks/calendar.h"
#include "checks/check.h"
#include "json/json.h"

using namespace sluice;
using namespace sluice::checks;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;

namespace {

// A check together with the configuration document it points into.
struct Built {
  std::unique_ptr<rapidjson::Document> config;
  Result<std::unique_ptr<Check>> check = InternalError("not built");
  Check& operator*() { return *check.value(); }
  Check* operator->() { return check.value().get(); }
};

Built Build(const std::string& config_json, std::vector<std::string> key = {}) {
  Built built;
  built.config = std::make_unique<rapidjson::Document>();
  built.config->Parse(config_json.c_str());
  REQUIRE_FALSE(built.config->HasParseError());
  CheckSpec spec;
  spec.type = json::StringOr(*built.config, "type");
  spec.id = "cases." + spec.type;
  spec.output = "cases";
  spec.pointer = "/checks/0";
  spec.manifest_path = "pipelines/covid.json";
  spec.config = built.config.get();
  spec.key = std::move(key);
  built.check = MakeCheck(spec);
  return built;
}

Built MustBuild(const std::string& config_json, std::vector<std::string> key = {}) {
  Built built = Build(config_json, std::move(key));
  INFO(built.check.status().message());
  REQUIRE(built.check.ok());
  return built;
}

// Records as a JSON array would give them: one per line from line 2.
records::Record MakeRecord(const std::string& json, std::uint64_t index) {
  records::Record record;
  record.value.Parse(json.c_str());
  REQUIRE_FALSE(record.value.HasParseError());
  record.index = index;
  record.line = index + 2;
  record.column = 3;
  return record;
}

void FeedNew(Check& check, const std::vector<std::string>& rows) {
  for (std::size_t i = 0; i < rows.size(); ++i) check.OnRecord(MakeRecord(rows[i], i));
}

void FeedPrevious(Check& check, const std::vector<std::string>& rows) {
  for (std::size_t i = 0; i < rows.size(); ++i) check.OnPrevious(MakeRecord(rows[i], i));
}

HistoricVersion CommittedAt(const std::string& instant) {
  auto when = ParseInstant(instant);
  REQUIRE(when);
  return HistoricVersion{"0123abc", *when};
}

// Every version in `versions` (newest first) fed as the engine does: to OnPrevious (version 0)
// and to OnHistoryVersion, then OnHistory.
void FeedHistory(Check& check, const std::vector<std::vector<std::string>>& versions) {
  for (std::size_t v = 0; v < versions.size(); ++v) {
    if (v < check.history_depth()) check.OnHistoryVersion(v, CommittedAt("2026-11-01"));
    for (std::size_t i = 0; i < versions[v].size(); ++i) {
      if (v == 0 && check.wants_previous()) check.OnPrevious(MakeRecord(versions[v][i], i));
      if (v < check.history_depth()) check.OnHistory(v, CommittedAt("2026-11-01"), MakeRecord(versions[v][i], i));
    }
  }
}

std::vector<std::string> Rows(std::size_t count) { return std::vector<std::string>(count, R"({"n": 1})"); }

struct ScopedNow {
  explicit ScopedNow(const char* now) { setenv("SLUICE_NOW", now, 1); }
  ~ScopedNow() { unsetenv("SLUICE_NOW"); }
};

}  // namespace

// ---------------------------------------------------------------- value_change

TEST_CASE("value_change flags a county whose cases jumped past the limit") {
  Built check = MustBuild(R"({"type": "value_change", "field": "cases", "max_percent": 25})", {"date", "county"});
  REQUIRE(check->wants_previous());
  FeedPrevious(*check, {R"({"date": "2026-11-01", "county": "Alameda", "cases": 120})",
                        R"({"date": "2026-11-01", "county": "Butte", "cases": 40})"});
  FeedNew(*check, {R"({"date": "2026-11-01", "county": "Butte", "cases": 44})",
                   R"({"date": "2026-11-01", "county": "Alameda", "cases": 200})",
                   R"({"date": "2026-11-02", "county": "Alameda", "cases": 5000})"});
  CheckOutcome outcome = check->Finish();
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.failures == 1);
  REQUIRE(outcome.examples.size() == 1);
  CHECK(outcome.examples[0].message == "2026-11-01, Alameda: cases 120 → 200 (+66.7%, limit 25%)");
  CHECK(outcome.examples[0].line == 3);
  CHECK(outcome.examples[0].pointer == "/1/cases");
  CHECK(outcome.summary == "cases breaks ±25% for 1 of 2 keys in both versions");
}

TEST_CASE("value_change passes changes within the limits and says so") {
  Built check = MustBuild(R"({"type": "value_change", "field": "cases", "max_percent": 25, "max_absolute": 10})",
                          {"county"});
  FeedPrevious(*check, {R"({"county": "Alameda", "cases": 100})"});
  FeedNew(*check, {R"({"county": "Alameda", "cases": 110})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.passed);
  CHECK(outcome.summary == "cases keeps within ±25%, ±10 for all 1 keys in both versions");
}

TEST_CASE("value_change fails when any one of its limits is exceeded") {
  Built check = MustBuild(R"({"type": "value_change", "field": "cases", "max_percent": 50, "max_absolute": 10})",
                          {"county"});
  FeedPrevious(*check, {R"({"county": "Alameda", "cases": 100})"});
  FeedNew(*check, {R"({"county": "Alameda", "cases": 120})"});
  CheckOutcome outcome = check->Finish();
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.examples[0].message == "Alameda: cases 100 → 120 (+20, limit 10)");
}

TEST_CASE("value_change has two levels: a warning past warn_percent, the check's severity past max_percent") {
  Built check = MustBuild(R"({"type": "value_change", "field": "cases", "warn_percent": 10, "max_percent": 20})",
                          {"county"});
  FeedPrevious(*check, {R"({"county": "Alameda", "cases": 100})", R"({"county": "Butte", "cases": 100})"});
  FeedNew(*check, {R"({"county": "Alameda", "cases": 115})", R"({"county": "Butte", "cases": 105})"});
  CheckOutcome warned = check->Finish();
  CHECK_FALSE(warned.passed);
  CHECK(warned.severity == Severity::kWarn);  // only the warning level was crossed
  CHECK(warned.failures == 1);
  REQUIRE(warned.examples.size() == 1);
  CHECK(warned.examples[0].message == "Alameda: cases 100 → 115 (warning level: +15.0%, limit 10%)");
  CHECK(warned.summary == "cases moved past the warning level for 1 of 2 keys in both versions "
                          "(±20%, a warning past ±10%)");

  Built again = MustBuild(R"({"type": "value_change", "field": "cases", "warn_percent": 10, "max_percent": 20})",
                          {"county"});
  FeedPrevious(*again, {R"({"county": "Alameda", "cases": 100})", R"({"county": "Butte", "cases": 100})"});
  FeedNew(*again, {R"({"county": "Alameda", "cases": 115})", R"({"county": "Butte", "cases": 150})"});
  CheckOutcome failed = again->Finish();
  CHECK(failed.severity == Severity::kError);  // past the error level: the check's own severity
  CHECK(failed.failures == 1);
  CHECK(failed.examples[0].message == "Butte: cases 100 → 150 (+50.0%, limit 20%)");

  Built inverted = Build(R"({"type": "value_change", "field": "cases", "warn_percent": 30, "max_percent": 20})");
  REQUIRE_FALSE(inverted.check.ok());
  CHECK_THAT(inverted.check.status().message(), Contains("/checks/0/warn_percent: must be below max_percent"));
}

TEST_CASE("value_change without a key compares totals") {
  Built check = MustBuild(R"({"type": "value_change", "field": "cases", "max_percent": 10})");
  FeedPrevious(*check, {R"({"cases": 50})", R"({"cases": 50})"});
  FeedNew(*check, {R"({"cases": "60"})", R"({"cases": 60})", R"({"cases": null})"});  // CSV strings count
  CheckOutcome outcome = check->Finish();
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.summary == "total cases 100 → 120 (+20.0%, limit 10%)");
  CHECK(outcome.examples[0].line == 0);
  CHECK(outcome.examples[0].pointer.empty());

  Built explicit_totals = MustBuild(R"({"type": "value_change", "field": "cases", "max_percent": 10, "key": []})", {"county"});
  FeedPrevious(*explicit_totals, {R"({"county": "A", "cases": 50})", R"({"county": "B", "cases": 50})"});
  FeedNew(*explicit_totals, {R"({"county": "A", "cases": 40})", R"({"county": "B", "cases": 65})"});
  CHECK(explicit_totals->Finish().summary == "total cases 100 → 105 keeps within ±10%");
}

TEST_CASE("value_change counts a rise from 0 as beyond any percent limit") {
  Built check = MustBuild(R"({"type": "value_change", "field": "cases", "max_percent": 1000, "key": "county"})");
  FeedPrevious(*check, {R"({"county": "Alameda", "cases": 0})", R"({"county": "Butte", "cases": 0})"});
  FeedNew(*check, {R"({"county": "Alameda", "cases": 3})", R"({"county": "Butte", "cases": 0})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.failures == 1);
  CHECK(outcome.examples[0].message == "Alameda: cases 0 → 3 (from 0, limit 1000%)");
}

TEST_CASE("a running total that fell is flagged") {
  Built check = MustBuild(R"({"type": "value_change", "field": "total", "monotonic": "non_decreasing"})", {"county"});
  FeedPrevious(*check, {R"({"county": "Alameda", "total": 500})", R"({"county": "Butte", "total": 80})"});
  FeedNew(*check, {R"({"county": "Alameda", "total": 498})", R"({"county": "Butte", "total": 90})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.failures == 1);
  CHECK(outcome.examples[0].message == "Alameda: total 500 → 498 (fell; a running total must not fall)");
}

TEST_CASE("value_change flags a value that stopped changing") {
  Built check = MustBuild(R"({"type": "value_change", "field": "total", "stale_after": 2})", {"county"});
  REQUIRE(check->history_depth() == 2);
  FeedHistory(*check, {{R"({"county": "Alameda", "total": 500})", R"({"county": "Butte", "total": 80})"},
                       {R"({"county": "Alameda", "total": 500})", R"({"county": "Butte", "total": 70})"}});
  FeedNew(*check, {R"({"county": "Alameda", "total": 500})", R"({"county": "Butte", "total": 80})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.failures == 1);
  CHECK(outcome.examples[0].message == "Alameda: total is still 500, unchanged in this version and the 2 before it");
}

TEST_CASE("value_change per_day scales its limits by the days since the previous version") {
  ScopedNow now("2026-11-04T09:00:00Z");
  Built check = MustBuild(R"({"type": "value_change", "field": "cases", "max_percent": 10, "per_day": true})",
                          {"county"});
  REQUIRE(check->history_depth() == 1);
  FeedHistory(*check, {{R"({"county": "Alameda", "cases": 100})", R"({"county": "Butte", "cases": 100})"}});
  FeedNew(*check, {R"({"county": "Alameda", "cases": 125})", R"({"county": "Butte", "cases": 135})"});
  CheckOutcome outcome = check->Finish();  // committed 2026-11-01 00:00, 3.4 days before: 3 days, ±30%
  CHECK(outcome.failures == 1);
  CHECK(outcome.examples[0].message == "Butte: cases 100 → 135 (+35.0%, limit 30%)");
  CHECK_THAT(outcome.summary, Contains("±30% over 3 days"));
}

TEST_CASE("value_change is skipped for a new output") {
  Built check = MustBuild(R"({"type": "value_change", "field": "cases", "max_percent": 10})", {"county"});
  check->OnNoPrevious();
  FeedNew(*check, {R"({"county": "Alameda", "cases": 1})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.passed);
  CHECK(outcome.skipped);
}

TEST_CASE("value_change ignores keys in one version only, and nulls") {
  Built check = MustBuild(R"({"type": "value_change", "field": "cases", "max_percent": 10})", {"county"});
  FeedPrevious(*check, {R"({"county": "Alameda", "cases": null})", R"({"county": "Butte", "cases": 1})"});
  FeedNew(*check, {R"({"county": "Alameda", "cases": 9})", R"({"county": "Colusa", "cases": 1})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.passed);
  CHECK(outcome.summary == "nothing to compare: no key holds a number for cases in both versions");
}

TEST_CASE("value_change needs a limit") {
  Built check = Build(R"({"type": "value_change", "field": "cases"})");
  REQUIRE_FALSE(check.check.ok());
  CHECK(check.check.status().kind() == ErrorKind::kConfig);
  CHECK_THAT(check.check.status().message(), StartsWith("pipelines/covid.json: /checks/0/max_percent: "));
}

TEST_CASE("a missing field parameter names its pointer") {
  for (const char* config : {R"({"type": "value_change", "max_percent": 5})", R"({"type": "complete"})",
                             R"({"type": "reconcile", "aggregate": "sum", "against": {"output": "t", "field": "x"}})",
                             R"({"type": "anomaly", "metric": "sum"})", R"({"type": "freshness", "max_age_days": 1})"}) {
    Built check = Build(config);
    REQUIRE_FALSE(check.check.ok());
    CHECK_THAT(check.check.status().message(), StartsWith("pipelines/covid.json: /checks/0/field: "));
  }
  Built nested = Build(R"({"type": "reconcile", "aggregate": "count", "against": {"output": "parents"}})");
  CHECK_THAT(nested.check.status().message(), StartsWith("pipelines/covid.json: /checks/0/against/field: "));
}

// ---------------------------------------------------------------- complete

TEST_CASE("complete lists the missing days per county") {
  Built check = MustBuild(R"({"type": "complete", "field": "date", "group_by": ["county"]})");
  std::vector<std::string> rows;
  for (int day = 1; day <= 30; ++day) {
    std::string date = fmt::format("2026-11-{:02}", day);
    rows.push_back(fmt::format(R"({{"date": "{}", "county": "Butte"}})", date));
    if (day != 3 && day != 4) rows.push_back(fmt::format(R"({{"date": "{}T08:00:00Z", "county": "Alameda"}})", date));
  }
  FeedNew(*check, rows);
  CheckOutcome outcome = check->Finish();
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.failures == 1);
  CHECK(outcome.examples[0].message == "Alameda: missing 2026-11-03, 2026-11-04 (2 of 30 days)");
  CHECK(outcome.summary == "1 of 2 groups miss days from 2026-11-01 to 2026-11-30 (2 in all)");
}

TEST_CASE("complete finds a group that stopped early, and names at most five gaps") {
  Built check = MustBuild(R"({"type": "complete", "field": "date", "group_by": "county"})");
  std::vector<std::string> rows;
  for (int day = 1; day <= 10; ++day) rows.push_back(fmt::format(R"({{"date": "2026-11-{:02}", "county": "Ñuble"}})", day));
  rows.push_back(R"({"date": "2026-11-01", "county": "São Paulo"})");
  FeedNew(*check, rows);
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.examples[0].message ==
        "São Paulo: missing 2026-11-02, 2026-11-03, 2026-11-04, 2026-11-05, 2026-11-06 and 4 more (9 of 10 days)");
}

TEST_CASE("complete by ISO week") {
  Built check = MustBuild(R"({"type": "complete", "field": "week_start", "unit": "week"})");
  // 2026-12-28 is the Monday of 2026-W53; 2027-01-04 starts 2027-W01.
  FeedNew(*check, {R"({"week_start": "2026-12-14"})", R"({"week_start": "2026-12-16"})", R"({"week_start": "2027-01-10"})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.examples[0].message == "missing 2026-W52, 2026-W53 (2 of 4 weeks)");
  CHECK(outcome.summary == "2 of 4 weeks from 2026-W51 to 2027-W01 are missing");
}

TEST_CASE("complete by month within from and to") {
  Built check = MustBuild(R"({"type": "complete", "field": "date", "unit": "month", "from": "2026-01-01", "to": "2026-03-31"})");
  FeedNew(*check, {R"({"date": "2025-12-31"})", R"({"date": "2026-01-15"})", R"({"date": "2026-03-01"})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.examples[0].message == "missing 2026-02 (1 of 3 months)");
}

TEST_CASE("complete passes a full series and reports unreadable dates with their line") {
  Built check = MustBuild(R"({"type": "complete", "field": "date"})");
  FeedNew(*check, {R"({"date": "2026-11-01"})", R"({"date": "11/02/2026"})", R"({"date": "2026-11-02"})",
                   R"({"date": null})", R"({"date": "2026-02-30"})"});
  CheckOutcome outcome = check->Finish();
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.failures == 3);
  CHECK(outcome.examples[0].message == R"(record date "11/02/2026" is not a date (YYYY-MM-DD))");
  CHECK(outcome.examples[0].line == 3);
  CHECK(outcome.examples[0].pointer == "/1/date");
  CHECK(outcome.examples[1].message == "record has no date");
  CHECK(outcome.summary == "every day from 2026-11-01 to 2026-11-02 is present; 3 records have no readable date");
}

TEST_CASE("complete with no data passes, unless from and to demand dates") {
  Built open = MustBuild(R"({"type": "complete", "field": "date"})");
  CHECK(open->Finish().passed);
  Built bounded = MustBuild(R"({"type": "complete", "field": "date", "from": "2026-11-01", "to": "2026-11-02"})");
  CheckOutcome outcome = bounded->Finish();
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.examples[0].message == "missing 2026-11-01, 2026-11-02 (2 of 2 days)");
}

TEST_CASE("complete rejects an unknown unit") {
  Built check = Build(R"({"type": "complete", "field": "date", "unit": "fortnight"})");
  CHECK_THAT(check.check.status().message(), StartsWith("pipelines/covid.json: /checks/0/unit: "));
}

// ---------------------------------------------------------------- reconcile

TEST_CASE("reconcile sums per date against a totals output") {
  Built check = MustBuild(R"({"type": "reconcile", "aggregate": "sum", "field": "cases", "group_by": ["date"],
                              "against": {"output": "totals", "field": "total_cases", "key": ["day"]}})");
  REQUIRE(check->other_outputs() == std::vector<std::string>{"totals"});
  check->OnOther("totals", MakeRecord(R"({"day": "2026-11-01", "total_cases": 30})", 0));
  check->OnOther("totals", MakeRecord(R"({"day": "2026-11-02", "total_cases": 31})", 1));
  check->OnOther("totals", MakeRecord(R"({"day": "2026-11-04", "total_cases": 0})", 2));
  FeedNew(*check, {R"({"date": "2026-11-01", "county": "Alameda", "cases": 10})",
                   R"({"date": "2026-11-01", "county": "Butte", "cases": "20"})",
                   R"({"date": "2026-11-02", "county": "Alameda", "cases": 10})",
                   R"({"date": "2026-11-02", "county": "Butte", "cases": 20})",
                   R"({"date": "2026-11-03", "county": "Butte", "cases": 5})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.failures == 2);
  CHECK(outcome.examples[0].message == "2026-11-02: sum of cases 30 ≠ total_cases 31 in totals (off by -1)");
  CHECK(outcome.examples[0].line == 4);
  CHECK(outcome.examples[1].message ==
        "2026-11-03: no record in totals states total_cases for this group (sum of cases 5)");
  CHECK(outcome.summary == "2 of 4 groups fail: the sum of cases matches total_cases in totals exactly");
}

TEST_CASE("reconcile counts child rows per parent") {
  Built check = MustBuild(R"({"type": "reconcile", "aggregate": "count", "group_by": ["parent_id"],
                              "against": {"output": "parents", "field": "media_count", "key": ["id"]}})");
  check->OnOther("parents", MakeRecord(R"({"id": 1, "media_count": 2})", 0));
  check->OnOther("parents", MakeRecord(R"({"id": 2, "media_count": 1})", 1));
  check->OnOther("parents", MakeRecord(R"({"id": 3, "media_count": 0})", 2));
  check->OnOther("others", MakeRecord(R"({"id": 4, "media_count": 9})", 0));
  FeedNew(*check, {R"({"parent_id": 1})", R"({"parent_id": 1})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.failures == 1);
  CHECK(outcome.examples[0].message == "2: record count 0 ≠ media_count 1 in parents (off by -1)");
}

TEST_CASE("reconcile checks a summary row of the same file picked by where") {
  Built check = MustBuild(R"({"type": "reconcile", "aggregate": "sum", "field": "cases", "group_by": "date",
                              "against": {"field": "cases", "where": {"county": "All"}}, "tolerance_percent": 1})");
  CHECK(check->other_outputs().empty());
  FeedNew(*check, {R"({"date": "2026-11-01", "county": "Alameda", "cases": 100})",
                   R"({"date": "2026-11-01", "county": "Butte", "cases": 100})",
                   R"({"date": "2026-11-01", "county": "All", "cases": 201})",
                   R"({"date": "2026-11-02", "county": "Alameda", "cases": 100})",
                   R"({"date": "2026-11-02", "county": "All", "cases": 90})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.failures == 1);
  CHECK(outcome.examples[0].message == "2026-11-02: sum of cases 100 ≠ cases 90 (off by 10)");
  CHECK(outcome.examples[0].line == 6);
  CHECK(outcome.examples[0].pointer == "/4/cases");
}

TEST_CASE("reconcile without groups compares the whole file") {
  Built check = MustBuild(R"({"type": "reconcile", "aggregate": "count",
                              "against": {"output": "meta", "field": "rows"}, "tolerance": 1})");
  check->OnOther("meta", MakeRecord(R"({"rows": "4"})", 0));
  FeedNew(*check, Rows(3));
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.passed);
  CHECK(outcome.summary == "the record count matches rows in meta within 1");
}

TEST_CASE("reconcile needs another output or a where") {
  Built check = Build(R"({"type": "reconcile", "aggregate": "sum", "field": "cases", "against": {"field": "x"}})");
  CHECK_THAT(check.check.status().message(), StartsWith("pipelines/covid.json: /checks/0/against/output: "));
  Built mismatch = Build(R"({"type": "reconcile", "aggregate": "count", "group_by": ["a", "b"],
                             "against": {"output": "o", "field": "x", "key": ["a"]}})");
  CHECK_THAT(mismatch.check.status().message(), StartsWith("pipelines/covid.json: /checks/0/against/key: "));
}

// ---------------------------------------------------------------- anomaly

TEST_CASE("anomaly flags a row count far from the median of history") {
  Built check = MustBuild(R"({"type": "anomaly", "metric": "row_count", "history": 10})");
  REQUIRE(check->history_depth() == 10);
  std::vector<std::vector<std::string>> versions;
  for (std::size_t count : {1000, 990, 1010, 1005, 995, 1000, 1020, 980, 1000, 1000}) versions.push_back(Rows(count));
  FeedHistory(*check, versions);
  FeedNew(*check, Rows(1200));
  CheckOutcome outcome = check->Finish();
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.summary == "row_count 1200 is 27.0 robust z above the median 1000 of the last 10 versions (threshold 3.5)");
  CHECK(outcome.examples[0].message == outcome.summary);
}

TEST_CASE("anomaly passes an ordinary sum, by z-score") {
  Built check = MustBuild(R"({"type": "anomaly", "metric": "sum", "field": "cases", "method": "zscore", "history": 4})");
  FeedHistory(*check, {{R"({"cases": 10})", R"({"cases": "10"})"}, {R"({"cases": 22})"}, {R"({"cases": 18})"},
                       {R"({"cases": 20})", R"({"cases": null})"}});
  FeedNew(*check, {R"({"cases": 21})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.passed);
  CHECK(outcome.summary ==
        "sum of cases 21 is 0.6 standard deviations above the mean 20 of the last 4 versions (threshold 3)");
}

TEST_CASE("anomaly fails any change from a history that never varied") {
  Built check = MustBuild(R"({"type": "anomaly", "metric": "row_count", "history": 3})");
  FeedHistory(*check, {Rows(5), Rows(5), Rows(5)});
  FeedNew(*check, Rows(6));
  CheckOutcome outcome = check->Finish();
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.summary == "row_count 6 differs from the median 5 of the last 3 versions, which never varied (threshold 3.5)");
}

TEST_CASE("anomaly falls back to the mean absolute deviation when the MAD is 0") {
  Built check = MustBuild(R"({"type": "anomaly", "metric": "row_count", "history": 5})");
  FeedHistory(*check, {Rows(100), Rows(100), Rows(100), Rows(100), Rows(110)});
  FeedNew(*check, Rows(101));
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.passed);  // 1 / (1.253314 * 2) = 0.4
  CHECK_THAT(outcome.summary, StartsWith("row_count 101 is 0.4 robust z above the median 100"));
}

TEST_CASE("anomaly counts a version without records as 0, the oldest too") {
  Built check = MustBuild(R"({"type": "anomaly", "metric": "row_count", "history": 5, "min_history": 5})");
  FeedHistory(*check, {Rows(5), Rows(5), Rows(6), Rows(5), {}});
  FeedNew(*check, Rows(5));
  CheckOutcome outcome = check->Finish();
  CHECK_FALSE(outcome.skipped);  // five versions, not four
  CHECK_THAT(outcome.summary, EndsWith("of the last 5 versions (threshold 3.5)"));
}

TEST_CASE("anomaly is skipped with too little history") {
  Built check = MustBuild(R"({"type": "anomaly", "metric": "row_count", "history": 10, "min_history": 4})");
  FeedHistory(*check, {Rows(5), Rows(5)});
  FeedNew(*check, Rows(500));
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.passed);
  CHECK(outcome.skipped);
  CHECK(outcome.summary == "needs 4 previous versions, has 2");
}

TEST_CASE("anomaly rejects a min_history above its history") {
  Built check = Build(R"({"type": "anomaly", "metric": "row_count", "history": 2, "min_history": 3})");
  CHECK_THAT(check.check.status().message(), StartsWith("pipelines/covid.json: /checks/0/min_history: "));
}

// ---------------------------------------------------------------- freshness

TEST_CASE("freshness fails when the newest date is older than allowed") {
  ScopedNow now("2026-11-05T23:30:00-08:00");  // 2026-11-06 in UTC
  Built check = MustBuild(R"({"type": "freshness", "field": "date", "max_age_days": 2})");
  FeedNew(*check, {R"({"date": "2026-11-01"})", R"({"date": "2026-11-03T12:00:00Z"})", R"({"date": "junk"})"});
  CheckOutcome outcome = check->Finish();
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.examples[0].message == "newest date 2026-11-03 is 3 days old; expected at most 2 days old on 2026-11-06");
  CHECK(outcome.examples[0].line == 3);
  CHECK(outcome.examples[0].pointer == "/1/date");
  CHECK(outcome.summary ==
        "the newest date is 2026-11-03, 3 days old (at most 2 days old on 2026-11-06); 1 records have no readable date");
}

TEST_CASE("freshness passes recent data") {
  ScopedNow now("2026-11-05");
  Built check = MustBuild(R"({"type": "freshness", "field": "date", "max_age_days": 2})");
  FeedNew(*check, {R"({"date": "2026-11-03"})"});
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.passed);
  CHECK(outcome.summary == "the newest date is 2026-11-03, 2 days old (at most 2 days old on 2026-11-05)");
}

TEST_CASE("freshness fails with no records or no dates") {
  ScopedNow now("2026-11-05");
  Built empty = MustBuild(R"({"type": "freshness", "field": "date", "max_age_days": 2})");
  CheckOutcome outcome = empty->Finish();
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.summary == "no records, so no date to be at most 2 days old on 2026-11-05");
  Built nulls = MustBuild(R"({"type": "freshness", "field": "date", "max_age_days": 2})");
  FeedNew(*nulls, {R"({"date": null})", R"({})"});
  CHECK_FALSE(nulls->Finish().passed);
}

TEST_CASE("freshness refuses a SLUICE_NOW it cannot read") {
  ScopedNow now("yesterday");
  Built check = Build(R"({"type": "freshness", "field": "date", "max_age_days": 2})");
  REQUIRE_FALSE(check.check.ok());
  CHECK_THAT(check.check.status().message(), Contains("SLUICE_NOW='yesterday'"));
}

TEST_CASE("freshness fails on a date in the future, unless max_future_days allows the skew", "[checks][future]") {
  // Issue 29: a future date had a negative age and passed.
  ScopedNow now("2026-11-05T10:00:00Z");
  Built check = MustBuild(R"({"type": "freshness", "field": "date", "max_age_days": 2})");
  FeedNew(*check, {R"({"date": "2026-11-04"})", R"({"date": "2026-11-08"})", R"({"date": "2026-11-06T01:00:00Z"})"});
  CheckOutcome outcome = check->Finish();
  CHECK_FALSE(outcome.passed);
  REQUIRE(outcome.examples.size() == 1);
  CHECK(outcome.examples[0].message ==
        "newest date 2026-11-08 is 3 days in the future; expected no date after 2026-11-05 (today 2026-11-05 in UTC)");
  CHECK(outcome.examples[0].pointer == "/1/date");
  CHECK(outcome.summary == "the newest date is 2026-11-08, 3 days in the future; expected no date after 2026-11-05 "
                           "(today 2026-11-05 in UTC); 2 records are dated after 2026-11-05");

  Built skew = MustBuild(R"({"type": "freshness", "field": "date", "max_age_days": 2, "max_future_days": 1})");
  FeedNew(*skew, {R"({"date": "2026-11-06"})"});
  CHECK(skew->Finish().passed);
  Built too_far = MustBuild(R"({"type": "freshness", "field": "date", "max_age_days": 2, "max_future_days": 1})");
  FeedNew(*too_far, {R"({"date": "2026-11-07"})"});
  CheckOutcome far = too_far->Finish();
  CHECK_FALSE(far.passed);
  CHECK_THAT(far.summary, Contains("expected no date after 2026-11-06 (today 2026-11-05 in UTC, max_future_days 1)"));
  Built negative = Build(R"({"type": "freshness", "field": "date", "max_age_days": 2, "max_future_days": -1})");
  CHECK_FALSE(negative.check.ok());
}
