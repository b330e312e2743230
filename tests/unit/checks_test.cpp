// The per-record and count checks, fed records directly.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "checks/check.h"
#include "json/json.h"

using namespace sluice;
using namespace sluice::checks;

namespace {

// A check built from its manifest JSON, as the engine builds it.
struct Built {
  rapidjson::Document config;
  std::unique_ptr<Check> check;
  Status status;
};

Built Make(const std::string& config_json, std::vector<std::string> key = {}) {
  Built built;
  built.config = json::Parse(config_json, "test").value();
  CheckSpec spec;
  spec.type = json::StringOr(built.config, "type");
  spec.id = "out." + spec.type;
  spec.output = "out";
  spec.severity = json::StringOr(built.config, "severity", "error") == "warn" ? Severity::kWarn : Severity::kError;
  spec.pointer = "/checks/0";
  spec.config = &built.config;
  spec.key = std::move(key);
  spec.manifest_path = "pipelines/p.json";
  auto check = MakeCheck(spec);
  if (check.ok()) built.check = std::move(check).value();
  else built.status = check.status();
  return built;
}

records::Record Rec(const std::string& json, std::uint64_t index) {
  records::Record record;
  record.value = json::Parse(json, "record").value();
  record.index = index;
  record.line = index + 2;  // as if a CSV with a header line
  record.column = 1;
  return record;
}

CheckOutcome Run(Check& check, const std::vector<std::string>& rows, const std::vector<std::string>& previous = {},
                 bool has_previous = true) {
  if (check.wants_previous()) {
    if (!has_previous) check.OnNoPrevious();
    for (size_t i = 0; i < previous.size(); ++i) check.OnPrevious(Rec(previous[i], i));
  }
  for (size_t i = 0; i < rows.size(); ++i) check.OnRecord(Rec(rows[i], i));
  return check.Finish();
}

}  // namespace

TEST_CASE("row_count fails outside min and max", "[checks]") {
  auto built = Make(R"({"type": "row_count", "min": 2, "max": 3})");
  REQUIRE(built.check);
  CHECK_FALSE(Run(*built.check, {"{}"}).passed);
  auto ok = Make(R"({"type": "row_count", "min": 2, "max": 3})");
  CHECK(Run(*ok.check, {"{}", "{}"}).passed);
  auto many = Make(R"({"type": "row_count", "max": 1})");
  auto outcome = Run(*many.check, {"{}", "{}"});
  CHECK_FALSE(outcome.passed);
  CHECK_THAT(outcome.summary, Catch::Contains("2 records") && Catch::Contains("at most 1"));
}

TEST_CASE("row_count_change compares with the previous version and skips a new output", "[checks]") {
  auto built = Make(R"({"type": "row_count_change", "max_percent": 10})");
  auto dropped = Run(*built.check, {"{}", "{}", "{}"}, {"{}", "{}", "{}", "{}", "{}"});
  CHECK_FALSE(dropped.passed);
  CHECK_THAT(dropped.summary, Catch::Contains("5 → 3") && Catch::Contains("-40.0%"));
  auto steady = Make(R"({"type": "row_count_change", "max_percent": 50})");
  CHECK(Run(*steady.check, {"{}", "{}", "{}"}, {"{}", "{}", "{}", "{}"}).passed);
  auto fresh = Make(R"({"type": "row_count_change", "max_percent": 10})");
  auto outcome = Run(*fresh.check, {"{}"}, {}, false);
  CHECK(outcome.skipped);
  CHECK(outcome.passed);
}

TEST_CASE("not_null reports missing, null and empty cells with their record pointer", "[checks]") {
  auto built = Make(R"({"type": "not_null", "fields": ["cases", "county"]})");
  auto outcome = Run(*built.check, {R"({"cases": 1, "county": "A"})", R"({"cases": null, "county": "B"})",
                                    R"({"county": ""})"});
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.failures == 3);
  REQUIRE(outcome.examples.size() == 3);
  CHECK(outcome.examples[0].pointer == "/1/cases");
  CHECK(outcome.examples[0].line == 3);
  CHECK_THAT(outcome.examples[0].message, Catch::Contains("null"));
  CHECK_THAT(outcome.examples[1].message, Catch::Contains("missing"));
  CHECK_THAT(outcome.examples[2].message, Catch::Contains("empty"));
}

TEST_CASE("all-null data fails not_null on every record and passes range", "[checks]") {
  auto not_null = Make(R"({"type": "not_null", "field": "x"})");
  CHECK(Run(*not_null.check, {R"({"x": null})", R"({"x": null})"}).failures == 2);
  auto range = Make(R"({"type": "range", "field": "x", "min": 0})");
  CHECK(Run(*range.check, {R"({"x": null})", R"({"x": null})"}).passed);
}

TEST_CASE("range accepts numbers written as strings (CSV) and rejects negatives", "[checks]") {
  auto built = Make(R"({"type": "range", "field": "cases", "min": 0})");
  auto outcome = Run(*built.check, {R"({"cases": "12"})", R"({"cases": -1})", R"({"cases": "n/a"})"});
  CHECK(outcome.failures == 2);
  CHECK_THAT(outcome.examples[0].message, Catch::Contains("-1"));
  CHECK_THAT(outcome.examples[1].message, Catch::Contains("not a number"));
}

TEST_CASE("a digit-class pattern is enforced (the RapidJSON trap)", "[checks]") {
  auto built = Make(R"({"type": "pattern", "field": "fips", "pattern": "^\\d{5}$"})");
  REQUIRE(built.check);
  auto outcome = Run(*built.check, {R"({"fips": "06001"})", R"({"fips": "6001"})", R"({"fips": "0600A"})"});
  CHECK(outcome.failures == 2);
  auto broken = Make(R"({"type": "pattern", "field": "fips", "pattern": "^(\\d{5}$"})");
  CHECK(broken.status.kind() == ErrorKind::kConfig);
  CHECK_THAT(broken.status.message(), Catch::Contains("/checks/0/pattern"));
}

TEST_CASE("enum rejects values outside the list, Unicode included", "[checks]") {
  auto built = Make(R"({"type": "enum", "field": "county", "values": ["Alameda", "Ñuble"]})");
  auto outcome = Run(*built.check, {R"({"county": "Ñuble"})", R"({"county": "Alameda"})", R"({"county": "Nuble"})"});
  CHECK(outcome.failures == 1);
  CHECK(outcome.examples[0].pointer == "/2/county");
}

TEST_CASE("unique lists duplicates of a composite key with where each was first seen", "[checks]") {
  auto built = Make(R"({"type": "unique"})", {"date", "county"});
  auto outcome = Run(*built.check, {R"({"date": "2026-11-01", "county": "A"})", R"({"date": "2026-11-01", "county": "B"})",
                                    R"({"date": "2026-11-01", "county": "A"})", R"({"date": "2026-11-02"})"});
  CHECK(outcome.failures == 2);
  CHECK_THAT(outcome.examples[0].message, Catch::Contains("duplicate") && Catch::Contains("2026-11-01,A") &&
                                              Catch::Contains("record 0"));
  CHECK_THAT(outcome.examples[1].message, Catch::Contains("missing"));
  auto no_key = Make(R"({"type": "unique"})");
  CHECK(no_key.status.kind() == ErrorKind::kConfig);
}

TEST_CASE("an empty file passes per-record checks and fails a minimum row count", "[checks]") {
  auto not_null = Make(R"({"type": "not_null", "field": "x"})");
  CHECK(Run(*not_null.check, {}).passed);
  auto count = Make(R"({"type": "row_count", "min": 1})");
  auto outcome = Run(*count.check, {});
  CHECK_FALSE(outcome.passed);
  CHECK(outcome.summary == "no records: the file holds none, expected at least 1");
}

TEST_CASE("a check missing its parameter names the pointer, an unknown type is refused", "[checks]") {
  auto range = Make(R"({"type": "range", "field": "x"})");
  CHECK_THAT(range.status.message(), Catch::Contains("pipelines/p.json: /checks/0/min"));
  auto missing_field = Make(R"({"type": "not_null"})");
  CHECK_THAT(missing_field.status.message(), Catch::Contains("/checks/0/field"));
  auto unknown = Make(R"({"type": "telepathy"})");
  CHECK(unknown.status.kind() == ErrorKind::kConfig);
}

TEST_CASE("field references may be JSON pointers into nested records", "[checks]") {
  FieldRef ref("/stats/total");
  auto record = Rec(R"({"stats": {"total": 5}})", 7);
  REQUIRE(ref.Find(record.value) != nullptr);
  CHECK(ref.Find(record.value)->GetInt() == 5);
  CHECK(ref.PointerIn(7) == "/7/stats/total");
  CHECK(FieldRef("a~1b").PointerIn(0) == "/0/a~01b");
}
