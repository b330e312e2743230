// Behaviours of the JSON Schema validator that the suite does not pin down, or that burned
// us with RapidJSON's validator (DESIGN.md, "Traps").
#include <atomic>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "json/json.h"
#include "schema/validator.h"

using sluice::ErrorKind;
using sluice::schema::CompileOptions;
using sluice::schema::Draft;
using sluice::schema::ValidationError;
using sluice::schema::Validator;

namespace {

rapidjson::Document ParseJson(const std::string& text) {
  auto parsed = sluice::json::Parse(text, "test");
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

Validator CompileJson(const std::string& schema_text, CompileOptions options = {}) {
  rapidjson::Document schema = ParseJson(schema_text);
  auto validator = Validator::Compile(schema, options);
  INFO(validator.status().message());
  REQUIRE(validator.ok());
  return std::move(validator).value();
}

std::vector<ValidationError> ErrorsFor(const Validator& validator, const std::string& instance_text) {
  rapidjson::Document instance = ParseJson(instance_text);
  std::vector<ValidationError> errors;
  bool valid = validator.Validate(instance, errors);
  CHECK(valid == errors.empty());
  CHECK(valid == validator.IsValid(instance));
  return errors;
}

const char* const kFipsSchema = R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "required": ["fips", "county"],
  "properties": {
    "fips": {"type": "string", "pattern": "^\\d{5}$"},
    "county": {"type": "string", "minLength": 1},
    "cases": {"type": "integer", "minimum": 0}
  }
})";

}  // namespace

TEST_CASE("a digit-class pattern rejects a non-digit FIPS", "[schema]") {
  Validator validator = CompileJson(kFipsSchema);
  CHECK(ErrorsFor(validator, R"({"fips": "06001", "county": "Alameda"})").empty());

  auto errors = ErrorsFor(validator, R"({"fips": "6001", "county": "Alameda"})");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].instance_pointer == "/fips");
  CHECK(errors[0].keyword == "pattern");
  CHECK(errors[0].schema_pointer == "#/properties/fips/pattern");
  CHECK(errors[0].message == R"("6001" does not match pattern ^\d{5}$)");

  CHECK(ErrorsFor(validator, R"({"fips": "0600a", "county": "Alameda"})").size() == 1);
  // ECMA-262's \d is ASCII only: Arabic-Indic digits are not a FIPS code.
  CHECK(ErrorsFor(validator, R"({"fips": "\u0660\u0666\u0660\u0660\u0661", "county": "Alameda"})").size() == 1);
}

TEST_CASE("every error is reported, not only the first", "[schema]") {
  Validator validator = CompileJson(R"({"type": "array", "items": )" + std::string(kFipsSchema) + "}");
  auto errors = ErrorsFor(validator, R"([
    {"fips": "06001", "county": "Alameda", "cases": 3},
    {"fips": "6001", "county": "", "cases": "12"},
    {"county": "Kern", "cases": -1}
  ])");
  REQUIRE(errors.size() == 5);
  CHECK(errors[0].instance_pointer == "/1/fips");
  CHECK(errors[1].instance_pointer == "/1/county");
  CHECK(errors[1].keyword == "minLength");
  CHECK(errors[2].message == R"(expected integer, got string "12")");
  CHECK(errors[2].schema_pointer == "#/items/properties/cases/type");
  CHECK(errors[3].keyword == "minimum");
  CHECK(errors[3].instance_pointer == "/2/cases");
  CHECK(errors[4].message == R"(missing required property "fips")");
  CHECK(errors[4].instance_pointer == "/2");

  rapidjson::Document instance = ParseJson(R"([{"fips": 1}, {"fips": 2}, {"fips": 3}])");
  std::vector<ValidationError> capped;
  CHECK_FALSE(validator.Validate(instance, capped, 2));
  CHECK(capped.size() == 2);
}

TEST_CASE("an error names the instance pointer through objects and arrays", "[schema]") {
  Validator validator = CompileJson(R"({"properties": {"a": {"properties": {"b": {"items": {"type": "integer"}}}}}})");
  auto errors = ErrorsFor(validator, R"({"a": {"b": [1, "x"]}})");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].instance_pointer == "/a/b/1");
  CHECK(errors[0].keyword == "type");
  CHECK_THAT(errors[0].message, Catch::Contains("integer"));
}

TEST_CASE("a failure at the root has the empty instance pointer", "[schema]") {
  auto errors = ErrorsFor(CompileJson(R"({"type": "object"})"), "[]");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].instance_pointer.empty());
  CHECK(errors[0].keyword == "type");
}

TEST_CASE("an unexpected member is named", "[schema]") {
  Validator validator = CompileJson(R"({"properties": {"id": {}, "name": {}}, "additionalProperties": false})");
  auto errors = ErrorsFor(validator, R"({"id": 1, "colour": "red"})");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].keyword == "additionalProperties");
  CHECK_THAT(errors[0].message, Catch::Contains("\"colour\""));
}

TEST_CASE("enum lists the allowed values", "[schema]") {
  auto errors = ErrorsFor(CompileJson(R"({"properties": {"f": {"enum": ["json", "csv"]}}})"), R"({"f": "xml"})");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].instance_pointer == "/f");
  CHECK(errors[0].keyword == "enum");
  CHECK_THAT(errors[0].message, Catch::Contains("\"xml\"") && Catch::Contains("\"json\", \"csv\""));
}

TEST_CASE("an error behind a local $ref names the instance and the schema location", "[schema]") {
  Validator validator = CompileJson(R"({
    "properties": {"rows": {"type": "array", "items": {"$ref": "#/definitions/row"}}},
    "definitions": {"row": {"properties": {"n": {"type": "integer", "maximum": 10}}}}})");
  auto errors = ErrorsFor(validator, R"({"rows": [{"n": 1}, {"n": 11}]})");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].instance_pointer == "/rows/1/n");
  CHECK(errors[0].keyword == "maximum");
  CHECK(errors[0].schema_pointer == "#/definitions/row/properties/n/maximum");
}

TEST_CASE("an invalid pattern fails compilation naming its pointer", "[schema]") {
  rapidjson::Document schema = ParseJson(R"({"properties": {"zip": {"pattern": "^(\\d{5}$"}}})");
  auto validator = Validator::Compile(schema);
  REQUIRE_FALSE(validator.ok());
  CHECK(validator.status().kind() == ErrorKind::kConfig);
  CHECK_THAT(validator.status().message(), Catch::Contains("#/properties/zip/pattern"));

  rapidjson::Document pattern_properties = ParseJson(R"({"patternProperties": {"[a-": {}}})");
  auto other = Validator::Compile(pattern_properties);
  REQUIRE_FALSE(other.ok());
  CHECK_THAT(other.status().message(), Catch::Contains("#/patternProperties/[a-"));
}

TEST_CASE("an unresolvable $ref fails compilation", "[schema]") {
  for (const char* text : {R"({"properties": {"a": {"$ref": "#/definitions/missing"}}})",
                           R"({"$ref": "https://example.com/not-given.json"})", R"({"$ref": "#no-such-anchor"})"}) {
    rapidjson::Document schema = ParseJson(text);
    auto validator = Validator::Compile(schema);
    INFO(text);
    REQUIRE_FALSE(validator.ok());
    CHECK(validator.status().kind() == ErrorKind::kConfig);
    CHECK_THAT(validator.status().message(), Catch::Contains("$ref") && Catch::Contains("cannot resolve"));
  }
}

TEST_CASE("a $ref reaches a schema passed by its $id", "[schema]") {
  rapidjson::Document county = ParseJson(R"({"$id": "https://sluice.test/county.json", "type": "string"})");
  CompileOptions options;
  options.extra_schemas.push_back(&county);
  Validator validator = CompileJson(R"({"properties": {"county": {"$ref": "https://sluice.test/county.json"}}})", options);
  CHECK(ErrorsFor(validator, R"({"county": 3})").size() == 1);
}

TEST_CASE("maxLength counts code points", "[schema]") {
  Validator validator = CompileJson(R"({"maxLength": 3, "minLength": 2})");
  CHECK(ErrorsFor(validator, "\"\u65e5\u672c\u8a9e\"").empty());  // 9 bytes, 3 code points
  CHECK(ErrorsFor(validator, "\"\u65e5\u672c\u8a9ex\"").size() == 1);
  CHECK(ErrorsFor(validator, "\"\U0001F600\"").size() == 1);  // one code point, 4 bytes
}

TEST_CASE("a count keyword beyond size_t holds every value (and is no undefined cast)", "[schema]") {
  // Found by fuzzing: "maxLength": 5.6e86 is an integer to JSON Schema, cast to size_t it was
  // undefined (0 on x86, so every non-empty string failed).
  Validator at_most = CompileJson(R"({"maxLength": 5.6e86, "maxItems": 1e300, "maxProperties": 18446744073709551616,
                                      "contains": true, "maxContains": 1e20})");
  CHECK(ErrorsFor(at_most, "\"abc\"").empty());
  CHECK(ErrorsFor(at_most, "[1, 2, 3]").empty());
  CHECK(ErrorsFor(at_most, R"({"a": 1})").empty());
  Validator at_least = CompileJson(R"({"minLength": 5.6e86, "minItems": 18446744073709551615})");
  CHECK(ErrorsFor(at_least, "\"abc\"").size() == 1);
  CHECK(ErrorsFor(at_least, "[1, 2, 3]").size() == 1);
  CHECK_FALSE(Validator::Compile(ParseJson(R"({"maxLength": -1e300})")).ok());
}

TEST_CASE("format is an annotation unless assertion is asked for", "[schema]") {
  const char* schema = R"({"format": "date"})";
  CHECK(ErrorsFor(CompileJson(schema), R"("2024-02-30")").empty());
  CompileOptions options;
  options.format_assertion = true;
  Validator asserting = CompileJson(schema, options);
  CHECK(ErrorsFor(asserting, R"("2024-02-29")").empty());
  CHECK(ErrorsFor(asserting, R"("2023-02-29")").size() == 1);
}

TEST_CASE("a validator outlives the schema document it was compiled from", "[schema]") {
  auto schema = std::make_unique<rapidjson::Document>(ParseJson(R"({"enum": ["CA", "NV"], "pattern": "^[A-Z]{2}$"})"));
  auto compiled = Validator::Compile(*schema);
  REQUIRE(compiled.ok());
  schema.reset();
  CHECK(ErrorsFor(*compiled, R"("CA")").empty());
  CHECK(ErrorsFor(*compiled, R"("OR")").size() == 1);
}

TEST_CASE("validator is usable from several threads at once", "[schema]") {
  Validator validator = CompileJson(kFipsSchema);
  rapidjson::Document good = ParseJson(R"({"fips": "06001", "county": "Alameda", "cases": 1})");
  rapidjson::Document bad = ParseJson(R"({"fips": "6001", "county": "", "cases": 1.5})");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        std::vector<ValidationError> errors;
        if (!validator.Validate(good, errors) || !errors.empty()) ++wrong;
        if (validator.Validate(bad, errors) || errors.size() != 3) ++wrong;
        if (validator.IsValid(bad)) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrong == 0);
}

// Compilation fails on an unresolvable $ref or a pattern that does not compile, so a shipped
// schema that compiles has neither.
TEST_CASE("every shipped schema has resolvable $refs and compilable patterns", "[schema][schemas]") {
  namespace fs = std::filesystem;
  int checked = 0;
  for (const char* dir : {"schemas", "examples/demo/schemas"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".json") continue;
      auto schema = sluice::json::ParseFile(entry.path());
      REQUIRE(schema.ok());
      auto validator = Validator::Compile(*schema);
      INFO(entry.path().string() << ": " << validator.status().message());
      CHECK(validator.ok());
      ++checked;
    }
  }
  CHECK(checked >= 4);
}

TEST_CASE("a $ref cycle that never resolves fails compilation with its pointer", "[schema][cycle]") {
  // Issue 29: reported once per record as "references nest deeper than 1000", exit 1.
  struct Case {
    const char* schema;
    const char* at;     // the $ref that closes the cycle
    const char* cycle;  // as the message spells it
  };
  for (const Case& c : std::vector<Case>{
           {R"({"$ref": "#"})", "#/$ref", "# → #"},
           {R"({"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
               "properties": {"x": {"$ref": "#/definitions/a"}}})",
            "#/definitions/b/$ref", "#/definitions/a → #/definitions/b → #/definitions/a"},
           {R"({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "allOf": [{"$ref": "#"}]})",
            "#/allOf/0/$ref", "# → #/allOf/0 → #"}}) {
    INFO(c.schema);
    rapidjson::Document schema = ParseJson(c.schema);
    auto validator = Validator::Compile(schema);
    REQUIRE_FALSE(validator.ok());
    CHECK(validator.status().kind() == ErrorKind::kConfig);
    CHECK(validator.status().exit_code() == 2);
    CHECK_THAT(validator.status().message(),
               Catch::StartsWith(std::string("schema ") + c.at + ": a $ref cycle that never resolves: " + c.cycle + " ("));
  }
}

TEST_CASE("a recursive schema that descends into the value still validates", "[schema][cycle]") {
  Validator tree = CompileJson(R"({"type": "object", "required": ["name"],
    "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}}})");
  CHECK(ErrorsFor(tree, R"({"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]})").empty());
  auto errors = ErrorsFor(tree, R"({"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]})");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].instance_pointer == "/children/0/children/0/name");
  // A cycle through anyOf may end (a branch before it can match): left to the depth guard.
  Validator either = CompileJson(R"({"anyOf": [{"type": "string"}, {"type": "array", "items": {"$ref": "#"}}, {"$ref": "#"}]})");
  CHECK(ErrorsFor(either, R"("x")").empty());
}

TEST_CASE("a cycle through anyOf or oneOf ends at its first turn, however often it branches", "[schema][cycle]") {
  // Each turn of these cycles applies the same subschema to the same value twice: followed until
  // the depth guard, that was 2^1000 evaluations, a hang (found by the schema_compile fuzz
  // target on a schema it validated against itself). The second time a reference meets the same
  // value while the first has not answered, it answers false.
  for (const char* text : {R"({"$defs": {"a": {"anyOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"})",
                           R"({"$defs": {"a": {"oneOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/a"}, {"type": "null"}]}},
                               "$ref": "#/$defs/a"})",
                           R"({"$defs": {"a": {"allOf": [{"oneOf": [{"$ref": "#/$defs/a"}, {"type": "string"}]},
                                                         {"not": {"$ref": "#/$defs/a"}}]}},
                               "properties": {"x": {"$ref": "#/$defs/a"}}, "unevaluatedProperties": false})"}) {
    INFO(text);
    Validator validator = CompileJson(text);
    auto errors = ErrorsFor(validator, R"({"x": 1})");
    CHECK_FALSE(validator.IsValid(ParseJson(R"({"x": 1})")));
    REQUIRE_FALSE(errors.empty());
    bool named = false;
    for (const auto& error : errors) named = named || error.message.find("a reference cycle") != std::string::npos;
    CHECK(named);
  }
}
