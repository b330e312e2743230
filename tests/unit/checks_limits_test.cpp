// Thresholds on real dashboard shapes (issue 31): one-sided and two-level limits of
// row_count_change and value_change (tools/lib/checks/change_limits.h), totals per group
// against a constant (reconcile "against": {"value": N}), and many fields at once (a list or a
// pointer pattern such as "/data/*/NEW_*").
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "checks/calendar.h"
#include "checks/check.h"
#include "json/json.h"
#include "pipeline/explain.h"

using namespace sluice;
using namespace sluice::checks;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

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
  spec.manifest_path = "pipelines/p.json";
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

std::string Refusal(const std::string& config_json) {
  Built built = Build(config_json);
  REQUIRE_FALSE(built.check.ok());
  CHECK(built.check.status().kind() == ErrorKind::kConfig);
  return built.check.status().message();
}

records::Record MakeRecord(const std::string& json, std::uint64_t index) {
  records::Record record;
  record.value.Parse(json.c_str());
  REQUIRE_FALSE(record.value.HasParseError());
  record.index = index;
  record.line = index + 2;
  record.column = 3;
  return record;
}

// Runs a check over a previous version and new data.
CheckOutcome Compare(Check& check, const std::vector<std::string>& previous, const std::vector<std::string>& now) {
  for (std::size_t i = 0; i < previous.size(); ++i) check.OnPrevious(MakeRecord(previous[i], i));
  for (std::size_t i = 0; i < now.size(); ++i) check.OnRecord(MakeRecord(now[i], i));
  return check.Finish();
}

CheckOutcome Rows(const std::string& config, std::size_t before, std::size_t after) {
  Built check = MustBuild(config);
  return Compare(*check, std::vector<std::string>(before, "{}"), std::vector<std::string>(after, "{}"));
}

struct ScopedNow {
  explicit ScopedNow(const char* now) { setenv("SLUICE_NOW", now, 1); }
  ~ScopedNow() { unsetenv("SLUICE_NOW"); }
};

// A one-document dashboard summary, as the statewide files are.
std::string Summary(int new_cases, int total_cases, int new_tests) {
  return "{\"data\": {\"cases\": {\"NEW_CASES\": " + std::to_string(new_cases) + ", \"TOTAL_CASES\": " +
         std::to_string(total_cases) + "}, \"tests\": {\"NEW_TESTS\": " + std::to_string(new_tests) + "}}}";
}

}  // namespace

// ---------------------------------------------------------------- row_count_change

TEST_CASE("row_count_change with only falls limited passes a rise of 15% and fails a fall", "[checks][limits]") {
  const std::string config = R"({"type": "row_count_change", "max_decrease_percent": 1})";
  CheckOutcome rise = Rows(config, 100, 115);
  CHECK(rise.passed);
  CHECK(rise.summary == "100 → 115 records (+15.0%, limit -1%)");
  CheckOutcome fall = Rows(config, 100, 98);
  CHECK_FALSE(fall.passed);
  CHECK(fall.severity == Severity::kError);
  CHECK(fall.summary == "100 → 98 records (-2.0%, limit -1%)");
  // A two-sided limit of the same size would have failed the rise.
  CHECK_FALSE(Rows(R"({"type": "row_count_change", "max_percent": 1})", 100, 115).passed);
}

TEST_CASE("row_count_change's one-sided limit overrides max_percent for its direction", "[checks][limits]") {
  const std::string config = R"({"type": "row_count_change", "max_percent": 10, "max_increase_percent": 25})";
  CHECK(Rows(config, 100, 120).passed);
  CHECK_FALSE(Rows(config, 100, 89).passed);
  CheckOutcome rise = Rows(config, 100, 130);
  CHECK_FALSE(rise.passed);
  CHECK(rise.summary == "100 → 130 records (+30.0%, limit -10% to +25%)");
}

TEST_CASE("row_count_change warns past its warning level and fails past its error level", "[checks][limits]") {
  const std::string config = R"({"type": "row_count_change", "warn_percent": 5, "max_percent": 20})";
  CHECK(Rows(config, 100, 104).passed);
  CheckOutcome warned = Rows(config, 100, 110);
  CHECK_FALSE(warned.passed);
  CHECK(warned.severity == Severity::kWarn);
  CHECK(warned.summary == "100 → 110 records (warning level: +10.0%, limit ±20%, a warning past ±5%)");
  CheckOutcome failed = Rows(config, 100, 130);
  CHECK_FALSE(failed.passed);
  CHECK(failed.severity == Severity::kError);
  // One-sided warning levels too.
  CheckOutcome fell = Rows(R"({"type": "row_count_change", "warn_decrease_percent": 1})", 100, 98);
  CHECK_FALSE(fell.passed);
  CHECK(fell.severity == Severity::kWarn);
  CHECK(Rows(R"({"type": "row_count_change", "warn_decrease_percent": 1})", 100, 150).passed);
}

TEST_CASE("row_count_change per_day scales its limits by the days since the previous version", "[checks][limits]") {
  ScopedNow now("2026-11-04T09:00:00Z");
  auto committed = ParseInstant("2026-11-01");
  REQUIRE(committed);
  for (auto [after, passes] : {std::pair{95, true}, std::pair{90, false}}) {
    Built check = MustBuild(R"({"type": "row_count_change", "max_decrease_percent": 2, "per_day": true})");
    REQUIRE(check->history_depth() == 1);
    check->OnHistoryVersion(0, HistoricVersion{"0123abc", *committed});
    CheckOutcome outcome = Compare(*check, std::vector<std::string>(100, "{}"), std::vector<std::string>(after, "{}"));
    INFO(outcome.summary);
    CHECK(outcome.passed == passes);  // 3 days: a fall of at most 6%
    CHECK_THAT(outcome.summary, Contains("-6% over 3 days"));
  }
}

TEST_CASE("row_count_change refuses a warning level that is not below its error level, naming the pointer",
          "[checks][limits]") {
  CHECK_THAT(Refusal(R"({"type": "row_count_change", "warn_decrease_percent": 5, "max_decrease_percent": 5})"),
             StartsWith("pipelines/p.json: /checks/0/warn_decrease_percent: must be below max_decrease_percent"));
  // The two-sided warning against a one-sided error level of the same direction.
  CHECK_THAT(Refusal(R"({"type": "row_count_change", "warn_percent": 10, "max_decrease_percent": 5})"),
             StartsWith("pipelines/p.json: /checks/0/warn_percent: must be below max_decrease_percent"));
  CHECK_THAT(Refusal(R"({"type": "row_count_change", "max_increase_percent": -1})"),
             StartsWith("pipelines/p.json: /checks/0/max_increase_percent: must not be negative"));
  CHECK_THAT(Refusal(R"({"type": "row_count_change", "max_decrease_percent": "1"})"),
             StartsWith("pipelines/p.json: /checks/0/max_decrease_percent: max_decrease_percent must be a number"));
  CHECK_THAT(Refusal(R"({"type": "row_count_change"})"), StartsWith("pipelines/p.json: /checks/0/max_percent: "));
  // A warning level below a one-sided error level of the other direction is fine.
  MustBuild(R"({"type": "row_count_change", "warn_increase_percent": 10, "max_decrease_percent": 5})");
}

// ---------------------------------------------------------------- value_change

TEST_CASE("value_change: a running total that falls 0.5% passes and 2% fails under max_decrease_percent 1",
          "[checks][limits]") {
  Built check = MustBuild(R"({"type": "value_change", "field": "TOTAL_CASES", "max_decrease_percent": 1,
                              "max_increase_percent": 25})", {"county"});
  CheckOutcome outcome =
      Compare(*check,
              {R"({"county": "A", "TOTAL_CASES": 1000})", R"({"county": "B", "TOTAL_CASES": 1000})",
               R"({"county": "C", "TOTAL_CASES": 1000})", R"({"county": "D", "TOTAL_CASES": 1000})"},
              {R"({"county": "A", "TOTAL_CASES": 995})", R"({"county": "B", "TOTAL_CASES": 980})",
               R"({"county": "C", "TOTAL_CASES": 1200})", R"({"county": "D", "TOTAL_CASES": 1300})"});
  CHECK(outcome.failures == 2);
  REQUIRE(outcome.examples.size() == 2);
  CHECK(outcome.examples[0].message == "B: TOTAL_CASES 1000 → 980 (-2.0%, limit -1%)");
  CHECK(outcome.examples[0].pointer == "/1/TOTAL_CASES");
  CHECK(outcome.examples[1].message == "D: TOTAL_CASES 1000 → 1300 (+30.0%, limit +25%)");
  CHECK(outcome.summary == "TOTAL_CASES breaks -1% to +25% for 2 of 4 keys in both versions");
}

TEST_CASE("value_change takes one-sided absolute limits and warning levels", "[checks][limits]") {
  Built check = MustBuild(R"({"type": "value_change", "field": "n", "max_decrease_absolute": 0,
                              "warn_increase_absolute": 50, "max_increase_absolute": 100})", {"k"});
  CheckOutcome warned = Compare(*check, {R"({"k": "a", "n": 10})", R"({"k": "b", "n": 10})"},
                                {R"({"k": "a", "n": 70})", R"({"k": "b", "n": 30})"});
  CHECK_FALSE(warned.passed);
  CHECK(warned.severity == Severity::kWarn);
  CHECK(warned.failures == 1);
  CHECK(warned.examples[0].message == "a: n 10 → 70 (warning level: +60, limit +50)");

  Built again = MustBuild(R"({"type": "value_change", "field": "n", "max_decrease_absolute": 0,
                              "warn_increase_absolute": 50, "max_increase_absolute": 100})", {"k"});
  CheckOutcome failed = Compare(*again, {R"({"k": "a", "n": 10})", R"({"k": "b", "n": 10})"},
                                {R"({"k": "a", "n": 70})", R"({"k": "b", "n": 9})"});
  CHECK(failed.severity == Severity::kError);
  CHECK(failed.failures == 1);  // the warning-level move is not listed beside an error
  CHECK(failed.examples[0].message == "b: n 10 → 9 (-1, limit -0)");

  CHECK_THAT(Refusal(R"({"type": "value_change", "field": "n", "warn_decrease_absolute": 5, "max_absolute": 4})"),
             StartsWith("pipelines/p.json: /checks/0/warn_decrease_absolute: must be below max_absolute"));
}

TEST_CASE("value_change per_day scales one-sided limits", "[checks][limits]") {
  ScopedNow now("2026-11-04T09:00:00Z");
  auto committed = ParseInstant("2026-11-01");
  REQUIRE(committed);
  Built check = MustBuild(R"({"type": "value_change", "field": "n", "max_increase_percent": 10, "per_day": true})",
                          {"k"});
  check->OnHistoryVersion(0, HistoricVersion{"0123abc", *committed});
  CheckOutcome outcome = Compare(*check, {R"({"k": "a", "n": 100})", R"({"k": "b", "n": 100})"},
                                 {R"({"k": "a", "n": 125})", R"({"k": "b", "n": 135})"});
  CHECK(outcome.failures == 1);
  CHECK(outcome.examples[0].message == "b: n 100 → 135 (+35.0%, limit +30%)");
  CHECK_THAT(outcome.summary, Contains("+30% over 3 days"));
}

// ---------------------------------------------------------------- many fields at once

TEST_CASE("a field pattern matches member names and array indices, and remembers a match", "[checks][fields]") {
  FieldRef pattern("/data/*/NEW_*");
  CHECK(pattern.is_pattern());
  CHECK_FALSE(FieldRef("/data/cases/NEW_CASES").is_pattern());
  CHECK_FALSE(FieldRef("NEW_*").is_pattern());  // a top-level name is taken as written
  rapidjson::Document record;
  record.Parse(Summary(1, 2, 3).c_str());
  std::vector<std::string> names;
  pattern.ForEach(record, [&](const std::string& name, const rapidjson::Value&) { names.push_back(name); });
  CHECK(names == std::vector<std::string>{"/data/cases/NEW_CASES", "/data/tests/NEW_TESTS"});
  CHECK(pattern.matched());
  CHECK(pattern.Find(record) == nullptr);

  FieldRef rows("/rows/*/v");
  rapidjson::Document series;
  series.Parse(R"({"rows": [{"v": 1}, {"w": 2}, {"v": 3}]})");
  std::vector<int> values;
  rows.ForEach(series, [&](const std::string& name, const rapidjson::Value& value) {
    values.push_back(value.GetInt());
    if (values.size() == 2) CHECK(name == "/rows/2/v");
  });
  CHECK(values == std::vector<int>{1, 3});

  FieldRef none("/data/*/OLD_*");
  none.ForEach(record, [](const std::string&, const rapidjson::Value&) { FAIL("no field should match"); });
  CHECK_FALSE(none.matched());
  CHECK(FieldRef::PointerIn(0, "/data/cases/NEW_CASES") == "/0/data/cases/NEW_CASES");
}

TEST_CASE("a field pattern is read by the one pointer parser: named wildcards, escapes, and its mistakes refused",
          "[checks][fields][pointer_pattern]") {
  rapidjson::Document record;
  record.Parse(R"({"data": {"a/b": {"NEW_X": 1}, "c": {"NEW_Y": 2, "OLD": 3}}})");
  std::vector<std::string> names;
  FieldRef("/data/{series}/NEW_*").ForEach(record, [&](const std::string& name, const rapidjson::Value&) {
    names.push_back(name);
  });
  CHECK(names == std::vector<std::string>{"/data/a~1b/NEW_X", "/data/c/NEW_Y"});
  FieldRef escaped("/data/a~1b/NEW_X");
  CHECK_FALSE(escaped.is_pattern());
  REQUIRE(escaped.Find(record) != nullptr);
  CHECK(escaped.Find(record)->GetInt() == 1);
  CHECK(FieldRef("/data/~2").syntax().kind() == ErrorKind::kInput);
  CHECK(FieldRef("NEW_{").syntax().ok());  // a top-level name is taken as written
  for (const char* text : {"/data/~2", "/data/x{series}"}) {
    const std::string bad = text;
    INFO(bad);
    std::string message = Refusal(R"({"type": "not_null", "fields": ["cases", ")" + bad + R"("]})");
    CHECK_THAT(message, Contains("/checks/0/fields: \"" + bad + "\": token 2"));
  }
  // A key is refused too: one syntax wherever a field is read.
  CHECK_THAT(Refusal(R"({"type": "unique", "key": ["/id/~"]})"), Contains("/checks/0/key: \"/id/~\": token 2"));
}

TEST_CASE("value_change with a pattern compares each matched field of a summary on its own", "[checks][fields]") {
  Built check = MustBuild(R"({"type": "value_change", "fields": "/data/*/NEW_*", "max_percent": 50})");
  // TOTAL_CASES moves far, but the pattern does not name it.
  CheckOutcome outcome = Compare(*check, {Summary(100, 5000, 1000)}, {Summary(120, 90000, 2000)});
  CHECK(outcome.failures == 1);
  REQUIRE(outcome.examples.size() == 1);
  CHECK(outcome.examples[0].message == "total /data/tests/NEW_TESTS 1000 → 2000 (+100.0%, limit 50%)");
  CHECK(outcome.summary ==
        "/data/cases/NEW_CASES, /data/tests/NEW_TESTS: 1 of 2 values compared break ±50%");

  Built quiet = MustBuild(R"({"type": "value_change", "fields": ["/data/cases/NEW_CASES", "/data/tests/NEW_TESTS"],
                              "max_percent": 50})");
  CheckOutcome passed = Compare(*quiet, {Summary(100, 5000, 1000)}, {Summary(120, 90000, 1100)});
  CHECK(passed.passed);
  CHECK(passed.summary == "/data/cases/NEW_CASES, /data/tests/NEW_TESTS: all 2 values compared keep within ±50%");
}

TEST_CASE("value_change with several fields keyed per record names each field's pointer", "[checks][fields]") {
  Built check = MustBuild(R"({"type": "value_change", "fields": ["cases", "deaths"], "max_decrease_percent": 0})",
                          {"county"});
  CheckOutcome outcome = Compare(*check, {R"({"county": "A", "cases": 10, "deaths": 2})"},
                                 {R"({"county": "A", "cases": 9, "deaths": 1})"});
  CHECK(outcome.failures == 2);
  REQUIRE(outcome.examples.size() == 2);
  CHECK(outcome.examples[0].pointer == "/0/cases");
  CHECK(outcome.examples[1].pointer == "/0/deaths");
  CHECK(outcome.examples[1].message == "A: deaths 2 → 1 (-50.0%, limit -0%)");
}

TEST_CASE("range and not_null with a pattern report each concrete field", "[checks][fields]") {
  Built range = MustBuild(R"({"type": "range", "fields": ["/data/*/NEW_*"], "min": 0})");
  range->OnRecord(MakeRecord(Summary(-3, -1, 7), 0));
  CheckOutcome outcome = range->Finish();
  CHECK(outcome.failures == 1);  // TOTAL_CASES is not named
  REQUIRE(outcome.examples.size() == 1);
  CHECK(outcome.examples[0].message == "/data/cases/NEW_CASES is -3, outside [0, ∞]");
  CHECK(outcome.examples[0].pointer == "/0/data/cases/NEW_CASES");

  Built not_null = MustBuild(R"({"type": "not_null", "fields": "/data/*/NEW_*"})");
  not_null->OnRecord(MakeRecord(R"({"data": {"cases": {"NEW_CASES": 1}, "tests": {"NEW_TESTS": null}}})", 0));
  not_null->OnRecord(MakeRecord(R"({"data": {"cases": {"TOTAL_CASES": 1}}})", 1));
  CheckOutcome nulls = not_null->Finish();
  CHECK(nulls.failures == 2);
  REQUIRE(nulls.examples.size() == 2);
  CHECK(nulls.examples[0].message == "/data/tests/NEW_TESTS is null");
  CHECK(nulls.examples[0].pointer == "/0/data/tests/NEW_TESTS");
  // A record where the pattern matches nothing is a finding, not a pass.
  CHECK(nulls.examples[1].message == "no field matches /data/*/NEW_*");
  CHECK(nulls.examples[1].pointer == "/1");
}

TEST_CASE("a pattern where one field is meant is refused with its pointer", "[checks][fields]") {
  CHECK_THAT(Refusal(R"({"type": "unique", "key": ["/data/*/id"]})"), StartsWith("pipelines/p.json: /checks/0/key: "));
  CHECK_THAT(Refusal(R"({"type": "complete", "field": "/series/*/DATE"})"),
             StartsWith("pipelines/p.json: /checks/0/field: ") && Contains("patterns work in the fields of value_change"));
  CHECK_THAT(Refusal(R"({"type": "value_change", "field": "n", "key": "/a/*", "max_percent": 1})"),
             StartsWith("pipelines/p.json: /checks/0/key: "));
}

// ---------------------------------------------------------------- reconcile against a constant

TEST_CASE("reconcile: percentages add up to 100 within 0.5 per group", "[checks][reconcile]") {
  Built check = MustBuild(R"({"type": "reconcile", "aggregate": "sum", "field": "PERCENT",
                              "group_by": ["COUNTY", "DEMOGRAPHIC_SET", "METRIC"],
                              "against": {"value": 100}, "tolerance": 0.5})");
  CHECK(check->other_outputs().empty());
  const std::vector<std::string> rows = {
      R"({"COUNTY": "Alameda", "DEMOGRAPHIC_SET": "age", "METRIC": "cases", "PERCENT": 60})",
      R"({"COUNTY": "Alameda", "DEMOGRAPHIC_SET": "age", "METRIC": "cases", "PERCENT": 39.7})",
      R"({"COUNTY": "Alameda", "DEMOGRAPHIC_SET": "age", "METRIC": "deaths", "PERCENT": 50})",
      R"({"COUNTY": "Alameda", "DEMOGRAPHIC_SET": "age", "METRIC": "deaths", "PERCENT": "43"})",
      R"({"COUNTY": "Butte", "DEMOGRAPHIC_SET": "age", "METRIC": "cases", "PERCENT": 100.4})"};
  for (std::size_t i = 0; i < rows.size(); ++i) check->OnRecord(MakeRecord(rows[i], i));
  CheckOutcome outcome = check->Finish();
  CHECK(outcome.failures == 1);  // 99.7 and 100.4 pass; 93 fails
  REQUIRE(outcome.examples.size() == 1);
  CHECK(outcome.examples[0].message == "Alameda, age, deaths: sum of PERCENT 93 ≠ 100 (off by -7)");
  CHECK(outcome.examples[0].pointer == "/2/PERCENT");
  CHECK(outcome.examples[0].line == 4);
  CHECK(outcome.summary == "1 of 3 groups fail: the sum of PERCENT matches 100 within 0.5");
}

TEST_CASE("reconcile against a constant refuses a counterpart beside it, and a value that is no number",
          "[checks][reconcile]") {
  CHECK_THAT(Refusal(R"({"type": "reconcile", "aggregate": "sum", "field": "p",
                         "against": {"value": 100, "field": "total"}})"),
             StartsWith("pipelines/p.json: /checks/0/against/field: \"value\" states the figure itself"));
  CHECK_THAT(Refusal(R"({"type": "reconcile", "aggregate": "sum", "field": "p", "against": {"value": "100"}})"),
             StartsWith("pipelines/p.json: /checks/0/against/value: expected a number"));
  Built whole = MustBuild(R"({"type": "reconcile", "aggregate": "count", "against": {"value": 2}})");
  whole->OnRecord(MakeRecord("{}", 0));
  whole->OnRecord(MakeRecord("{}", 1));
  CheckOutcome outcome = whole->Finish();
  CHECK(outcome.passed);
  CHECK(outcome.summary == "the record count matches 2 exactly");
}

// ---------------------------------------------------------------- --explain

TEST_CASE("the pipeline page words one-sided limits as the check applies them", "[checks][limits][explain]") {
  auto words = [](const std::string& text) {
    rapidjson::Document check;
    check.Parse(text.c_str());
    REQUIRE_FALSE(check.HasParseError());
    return pipeline::ExplainCheck(check, "");
  };
  CHECK_THAT(words(R"({"type": "row_count_change", "max_decrease_percent": 1})"),
             Contains("differs from the published version by at most 1% down"));
  CHECK_THAT(words(R"({"type": "value_change", "field": "TOTAL", "max_percent": 10, "max_increase_percent": 25,
                       "warn_increase_percent": 15})"),
             Contains("moves by at most 10% down and 25% up") && Contains("(a move past 15% up only warns)"));
  CHECK_THAT(words(R"({"type": "value_change", "field": "n", "max_percent": 25})"), Contains("by at most 25% from"));
  CHECK_THAT(words(R"({"type": "row_count_change", "warn_percent": 5})"),
             Contains("(row_count_change): the number of records is compared with the published version (a move "
                      "past 5% only warns) — "));
}
