#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <rapidjson/pointer.h>

#include "json/json.h"
#include "support/temp_dir.h"

using namespace sluice;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;

namespace {

rapidjson::Document MustParse(const std::string& text) {
  auto document = json::Parse(text, "test");
  REQUIRE(document.ok());
  return std::move(document).value();
}

std::string ValidationError(const std::string& data, const std::string& schema) {
  rapidjson::Document document = MustParse(data);
  rapidjson::Document compiled = MustParse(schema);
  Status status = json::Validate(document, compiled, "data.json");
  REQUIRE_FALSE(status.ok());
  CHECK(status.kind() == ErrorKind::kInput);
  return status.message();
}

// RapidJSON 1.1 silently skips a pattern std::regex cannot compile and a $ref it cannot
// resolve (DESIGN.md, "Traps"): collect both kinds of problem from a schema.
void CollectSilentGaps(const rapidjson::Value& node, const rapidjson::Document& root, const std::string& at,
                       std::vector<std::string>& gaps) {
  if (node.IsArray()) {
    for (rapidjson::SizeType i = 0; i < node.Size(); ++i) {
      CollectSilentGaps(node[i], root, at + "/" + std::to_string(i), gaps);
    }
  }
  if (!node.IsObject()) return;
  for (const auto& member : node.GetObject()) {
    std::string name = member.name.GetString();
    std::string here = at + "/" + json::EscapePointerToken(name);
    if (name == "$ref" && member.value.IsString()) {
      std::string ref = member.value.GetString();
      bool resolves = ref.rfind("#", 0) == 0 && rapidjson::Pointer(ref.substr(1).c_str()).Get(root) != nullptr;
      if (!resolves) gaps.push_back(here + ": unresolvable $ref " + ref);
    } else if (name == "pattern" && member.value.IsString()) {
      try {
        std::regex compiled(member.value.GetString(), std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        gaps.push_back(here + ": pattern std::regex cannot compile");
      }
    }
    if (name != "enum" && name != "default") CollectSilentGaps(member.value, root, here, gaps);
  }
}

}  // namespace

TEST_CASE("malformed JSON names origin, line and column", "[json]") {
  auto document = json::Parse("{\n  \"a\": 1,\n  \"b\" 2\n}", "m.json");
  REQUIRE_FALSE(document.ok());
  CHECK(document.status().kind() == ErrorKind::kInput);
  CHECK(document.status().message() == "m.json:3:7: Missing a colon after a name of object member.");
}

TEST_CASE("trailing garbage after the value is an error", "[json]") {
  auto document = json::Parse("{\"a\": 1} x", "t.json");
  REQUIRE_FALSE(document.ok());
  CHECK_THAT(document.status().message(), StartsWith("t.json:1:10: "));
}

TEST_CASE("a leading byte-order mark is skipped", "[json]") {
  auto document = json::Parse("\xEF\xBB\xBF{\"a\": [1, 2]}", "bom.json");
  REQUIRE(document.ok());
  CHECK((*document)["a"].Size() == 2);
}

TEST_CASE("deeply nested input fails cleanly instead of overflowing the stack", "[json]") {
  std::string deep(1'000'000, '[');
  auto document = json::Parse(deep, "deep.json");
  REQUIRE_FALSE(document.ok());
  CHECK_THAT(document.status().message(), StartsWith("deep.json:1:1000001: "));
}

TEST_CASE("invalid UTF-8 is a parse error", "[json]") {
  CHECK_FALSE(json::Parse("[\"\xC3\x28\"]", "u.json").ok());
}

TEST_CASE("ParseFile uses the path as origin", "[json]") {
  TempDir dir;
  auto path = dir.Write("bad.json", "[1,\n2,]");
  auto document = json::ParseFile(path);
  REQUIRE_FALSE(document.ok());
  CHECK_THAT(document.status().message(), StartsWith(path.string() + ":2:3: "));
  CHECK_FALSE(json::ParseFile(dir.path() / "missing.json").ok());
}

TEST_CASE("positions are 1-based lines and byte columns", "[json]") {
  auto at = json::PositionAt("ab\ncd\ne", 4);
  CHECK(at.line == 2);
  CHECK(at.column == 2);
  CHECK(json::PositionAt("", 10).line == 1);
}

TEST_CASE("a wrong type names the pointer and the expected type", "[json][validate]") {
  std::string message = ValidationError(
      R"({"a": {"b": [1, "x"]}})", R"({"properties": {"a": {"properties": {"b": {"items": {"type": "integer"}}}}}})");
  CHECK(message == "data.json: /a/b/1: type must be integer (found string)");
}

TEST_CASE("a failure at the root is reported at /", "[json][validate]") {
  CHECK_THAT(ValidationError("[]", R"({"type": "object"})"), StartsWith("data.json: /: type "));
}

TEST_CASE("required names the missing member", "[json][validate]") {
  std::string message = ValidationError(R"({"list": [{"id": 1}]})", R"({
    "properties": {"list": {"items": {"required": ["id", "name"]}}}})");
  CHECK(message == "data.json: /list/0: required member \"name\" is missing");
}

TEST_CASE("an unexpected member is named with the allowed ones", "[json][validate]") {
  std::string message = ValidationError(R"({"id": 1, "colour": "red"})", R"({
    "properties": {"id": {}, "name": {}}, "additionalProperties": false})");
  CHECK_THAT(message, StartsWith("data.json: /colour: additionalProperties "));
  CHECK_THAT(message, EndsWith("forbids member \"colour\" (allowed: id, name)"));
}

TEST_CASE("enum lists the allowed values", "[json][validate]") {
  std::string message = ValidationError(R"({"f": "xml"})", R"({"properties": {"f": {"enum": ["json", "csv"]}}})");
  CHECK(message == "data.json: /f: enum \"xml\" is not one of \"json\", \"csv\"");
}

TEST_CASE("the validator enforces a pattern with \\d (std::regex, not the internal engine)", "[json][validate]") {
  const std::string schema = R"({"properties": {"fips": {"type": "string", "pattern": "^\\d{5}$"}}})";
  CHECK_THAT(ValidationError(R"({"fips": "6001"})", schema),
             EndsWith("/fips: pattern ^\\d{5}$ does not match \"6001\""));
  rapidjson::Document good = MustParse(R"({"fips": "06001"})");
  CHECK(json::Validate(good, MustParse(schema), "ok.json").ok());
}

TEST_CASE("the validator follows local $refs into definitions", "[json][validate]") {
  const std::string schema = R"({
    "properties": {"rows": {"type": "array", "items": {"$ref": "#/definitions/row"}}},
    "definitions": {"row": {"properties": {"n": {"type": "integer", "maximum": 10}}}}})";
  CHECK(ValidationError(R"({"rows": [{"n": 1}, {"n": 11}]})", schema) ==
        "data.json: /rows/1/n: maximum 10 is exceeded by 11");
}

TEST_CASE("pointer tokens are escaped per RFC 6901", "[json]") {
  CHECK(json::EscapePointerToken("a/b~c") == "a~1b~0c");
}

TEST_CASE("Write is compact or indented by two", "[json]") {
  rapidjson::Document document = MustParse(R"({"a": [1]})");
  CHECK(json::Write(document) == R"({"a":[1]})");
  CHECK(json::Write(document, true) == "{\n  \"a\": [\n    1\n  ]\n}");
}

TEST_CASE("typed member access falls back when absent or of another type", "[json]") {
  rapidjson::Document document = MustParse(R"({"s": "x", "n": 1})");
  CHECK(json::StringOr(document, "s") == "x");
  CHECK(json::StringOr(document, "n", "fallback") == "fallback");
  CHECK(json::Member(document, "missing") == nullptr);
  CHECK(json::Member(document["s"], "s") == nullptr);
}

TEST_CASE("every shipped schema has resolvable $refs and compilable patterns", "[json][schemas]") {
  namespace fs = std::filesystem;
  int checked = 0;
  for (const char* dir : {"schemas", "examples/demo/schemas"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".json") continue;
      auto schema = json::ParseFile(entry.path());
      REQUIRE(schema.ok());
      std::vector<std::string> gaps;
      CollectSilentGaps(*schema, *schema, "", gaps);
      INFO(entry.path().string());
      CHECK(gaps == std::vector<std::string>{});
      ++checked;
    }
  }
  CHECK(checked >= 4);
}
