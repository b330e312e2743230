// The fast verdict (Validator::PassesFast on simdjson's parse): it agrees with IsValid on the
// records it is made for, never passes what IsValid fails, and never passes a repeated key.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "json/json.h"
#include "json/repeated_keys.h"
#include "schema/validator.h"

using sluice::schema::Validator;

namespace {

Validator CompileJson(const std::string& schema_text) {
  auto schema = sluice::json::Parse(schema_text, "schema");
  REQUIRE(schema.ok());
  auto validator = Validator::Compile(*schema);
  INFO(validator.status().message());
  REQUIRE(validator.ok());
  return std::move(validator).value();
}

struct Verdicts {
  bool valid;  // IsValid on RapidJSON's parse (the record reader's)
  bool fast;   // PassesFast on simdjson's parse
};

Verdicts Judge(const Validator& validator, const std::string& instance) {
  auto value = sluice::json::Parse(instance, "instance");
  REQUIRE(value.ok());
  simdjson::dom::parser parser;
  simdjson::padded_string text(instance);
  simdjson::dom::element parsed;
  REQUIRE(parser.parse(text).get(parsed) == simdjson::SUCCESS);
  return {validator.IsValid(*value), validator.PassesFast(parsed)};
}

constexpr const char* kRecordSchema = R"({
  "type": "object",
  "required": ["date", "county", "fips", "cases", "tests", "positivity", "source"],
  "additionalProperties": false,
  "properties": {
    "date": {"type": "string", "pattern": "^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$"},
    "county": {"type": "string", "minLength": 1, "maxLength": 4},
    "fips": {"type": "string", "pattern": "^06\\d{3}$"},
    "cases": {"type": "integer", "minimum": 0, "multipleOf": 1},
    "tests": {"type": ["integer", "null"], "exclusiveMinimum": -1},
    "positivity": {"type": "number", "minimum": 0, "maximum": 1, "multipleOf": 0.0001},
    "source": {"enum": ["state", "county", 1]},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2}
  }
})";

}  // namespace

TEST_CASE("fast verdict: agrees with IsValid on records of a typical schema", "[schema][fast]") {
  Validator validator = CompileJson(kRecordSchema);
  REQUIRE(validator.has_fast_path());
  const std::string base = R"("date": "2026-11-01", "fips": "06001", "tests": 7, "positivity": 0.0075, "source": "state")";
  struct Case {
    std::string record;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"{" + base + R"(, "county": "Kern", "cases": 3})", true},
      {"{" + base + R"(, "county": "Kern", "cases": 3.0})", true},         // an integer, written as a double
      {"{" + base + R"(, "county": "Kern", "cases": 1e2})", true},
      {"{" + base + R"(, "county": "Kern", "cases": -0})", true},
      {"{" + base + R"(, "county": "Kern", "cases": 3.5})", false},        // not an integer
      {"{" + base + R"(, "county": "Kern", "cases": -1})", false},         // below the minimum
      {"{" + base + R"(, "county": "Kern", "cases": "3"})", false},        // a number as a string
      {"{" + base + R"(, "county": "Kern", "cases": 18446744073709551615})", true},
      {"{" + base + R"(, "county": "Ñañú", "cases": 3})", true},           // 4 code points in 7 bytes
      {"{" + base + R"(, "county": "Ñañúx", "cases": 3})", false},         // 5 code points
      {"{" + base + R"(, "county": "", "cases": 3})", false},
      {"{" + base + R"(, "county": "Kern", "cases": 3, "tags": ["a", "b"]})", true},
      {"{" + base + R"(, "county": "Kern", "cases": 3, "tags": ["a", 2]})", false},
      {"{" + base + R"(, "county": "Kern", "cases": 3, "tags": ["a", "b", "c"]})", false},
      {"{" + base + R"(, "county": "Kern", "cases": 3, "extra": 1})", false},  // additionalProperties
      {"{" + base + R"(, "county": "Kern"})", false},                            // required
      {R"({"date": "2026-13-01", "fips": "06001", "tests": null, "positivity": 1, "source": 1, "county": "K", "cases": 0})", false},
      {R"({"date": "2026-12-01", "fips": "06001", "tests": null, "positivity": 1, "source": 1.0, "county": "K", "cases": 0})", true},
      {R"({"date": "2026-12-01", "fips": "6001", "tests": 0, "positivity": 1, "source": 1, "county": "K", "cases": 0})", false},
      {R"({"date": "2026-12-01", "fips": "06001", "tests": -1, "positivity": 1, "source": 1, "county": "K", "cases": 0})", false},
      {R"({"date": "2026-12-01", "fips": "06001", "tests": 0, "positivity": 1.5, "source": 1, "county": "K", "cases": 0})", false},
      {R"({"date": "2026-12-01", "fips": "06001", "tests": 0, "positivity": 0.00015, "source": 1, "county": "K", "cases": 0})", false},
      {R"({"date": "2026-12-01", "fips": "06001", "tests": 0, "positivity": 1, "source": "city", "county": "K", "cases": 0})", false},
      {R"([1, 2])", false},
  };
  for (const Case& c : cases) {
    INFO(c.record);
    Verdicts verdicts = Judge(validator, c.record);
    CHECK(verdicts.valid == c.valid);
    CHECK(verdicts.fast == c.valid);
  }
}

TEST_CASE("fast verdict: a repeated key anywhere is never passed", "[schema][fast]") {
  struct Case {
    const char* schema;
    const char* record;
  };
  const std::vector<Case> cases = {
      {R"({"properties": {"a": {}}})", R"({"a": 1, "a": 2})"},
      {R"({"properties": {"a": {}}})", R"({"a": 1, "\u0061": 2})"},  // the same key once unescaped
      {R"({"properties": {"b": {}}})", R"({"a": 1, "\u0061": 2})"},
      {R"({"properties": {"a": {}}})", R"({"b": 1, "c": 2, "b": 3})"},  // keys no schema names
      {R"({"properties": {"a": {}}})", R"({"a": {"x": 1, "x": 1}})"},  // inside a value the subschema leaves open
      {R"({"properties": {"a": {"type": "object"}}})", R"({"a": {"x": 1, "x": 1}})"},
      {R"({"properties": {"a": {}}})", R"({"b": [{"x": 1, "x": 1}]})"},
      {R"({"additionalProperties": {"type": "object"}})", R"({"b": {"x": 1, "x": 1}})"},
      {R"({"patternProperties": {"^b": true}})", R"({"b": 1, "b": 2})"},
      {R"({"items": {"type": "object"}})", R"([{"x": 1, "x": 1}])"},
      {R"({"items": [{"type": "object"}]})", R"([{}, {"x": 1, "x": 1}])"},  // past the prefix
      {R"({"type": "object"})", R"({"x": 1, "y": {"z": 1, "z": 1}})"},
      {R"(true)", R"({"x": 1, "x": 1})"},
      {R"({"allOf": [{"type": "object"}, {"anyOf": [true]}]})", R"({"x": 1, "x": 1})"},
      {R"({"properties": {"a": {"$ref": "#"}}})", R"({"a": {"a": {"q": 1, "q": 2}}})"},
  };
  for (const Case& c : cases) {
    INFO(c.schema << " on " << c.record);
    Validator validator = CompileJson(c.schema);
    CHECK(validator.has_fast_path());
    CHECK_FALSE(Judge(validator, c.record).fast);
  }
  // The same records without the repeat pass.
  Validator open = CompileJson(R"({"properties": {"a": {"$ref": "#"}}, "items": [{}]})");
  CHECK(Judge(open, R"({"a": {"a": {"q": 1, "r": 2}}, "b": [{"x": 1, "y": 1}]})").fast);
  CHECK(Judge(open, R"([{}, {"x": 1, "y": 1}])").fast);
  simdjson::dom::parser parser;
  simdjson::padded_string many(std::string(R"({"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,)"
                               R"("k10":0,"k11":1,"k12":2,"k13":3,"k14":4,"k15":5,"k16":6,"k17":7,"k3":8})"));
  simdjson::dom::element parsed;
  REQUIRE(parser.parse(many).get(parsed) == simdjson::SUCCESS);
  CHECK(sluice::json::RepeatsAKey(parsed));  // more keys than are compared in pairs
  CHECK(sluice::json::RepeatsOwnKey(parsed));
}

TEST_CASE("fast verdict: keywords it cannot decide leave it off, and it then passes nothing", "[schema][fast]") {
  for (const char* schema : {R"({"oneOf": [{"type": "object"}, {"required": ["a"]}]})", R"({"not": {"type": "string"}})",
                             R"({"if": {"type": "object"}, "then": {"required": ["a"]}})",
                             R"({"properties": {"a": {"uniqueItems": true}}})", R"({"contains": {"type": "string"}})",
                             R"({"propertyNames": {"maxLength": 2}})", R"({"$schema": "https://json-schema.org/draft/2020-12/schema", "unevaluatedProperties": false})"}) {
    INFO(schema);
    Validator validator = CompileJson(schema);
    CHECK_FALSE(validator.has_fast_path());
    Verdicts verdicts = Judge(validator, R"({"a": [1, 2], "b": "x"})");
    CHECK_FALSE(verdicts.fast);
  }
  // Enum and const of objects or arrays: left to IsValid, so not passed even when valid.
  Validator structured = CompileJson(R"({"enum": [{"a": 1}, [1, 2]]})");
  CHECK(Judge(structured, R"({"a": 1})").valid);
  CHECK_FALSE(Judge(structured, R"({"a": 1})").fast);
}

TEST_CASE("fast verdict: references, also recursive, and anyOf", "[schema][fast]") {
  Validator tree = CompileJson(R"({
    "definitions": {"node": {"type": "object", "required": ["v"],
                             "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/definitions/node"}}}}},
    "$ref": "#/definitions/node"})");
  REQUIRE(tree.has_fast_path());
  Verdicts good = Judge(tree, R"({"v": 1, "kids": [{"v": 2}, {"v": 3, "kids": [{"v": 4}]}]})");
  CHECK((good.valid && good.fast));
  Verdicts bad = Judge(tree, R"({"v": 1, "kids": [{"v": 2}, {"v": 3, "kids": [{"v": "x"}]}]})");
  CHECK_FALSE(bad.valid);
  CHECK_FALSE(bad.fast);

  Validator either = CompileJson(R"({"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 10}]})");
  CHECK(Judge(either, R"("x")").fast);
  CHECK(Judge(either, R"(12)").fast);
  CHECK_FALSE(Judge(either, R"(3)").fast);
}

TEST_CASE("fast verdict: a cycle that branches gives up and leaves the record to the full evaluation", "[schema][fast]") {
  // 2^1000 followed references otherwise (issue 30); the budget of followed references makes it
  // say false, and IsValid, which finds the cycle at its first turn, decides.
  Validator validator = CompileJson(
      R"({"$defs": {"a": {"anyOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"})");
  Verdicts verdicts = Judge(validator, R"({"x": 1})");
  CHECK_FALSE(verdicts.valid);
  CHECK_FALSE(verdicts.fast);
}
