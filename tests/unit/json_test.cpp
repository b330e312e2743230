#include <catch2/catch.hpp>

#include <string>

#include "json/json.h"
#include "json/lone_surrogate.h"
#include "support/temp_dir.h"

using namespace sluice;
using Catch::Matchers::StartsWith;

namespace {

rapidjson::Document MustParse(const std::string& text) {
  auto document = json::Parse(text, "test");
  REQUIRE(document.ok());
  return std::move(document).value();
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
  CHECK(document.status().message() ==
        "deep.json:1:513: nesting deeper than 512 levels (objects and arrays inside each other)");
  // A higher limit reads further, iteratively, to the end of the text.
  auto raised = json::Parse(deep, "deep.json", 2'000'000);
  REQUIRE_FALSE(raised.ok());
  CHECK_THAT(raised.status().message(), StartsWith("deep.json:1:1000001: "));
  // At the limit, the value is whole.
  auto at_limit = json::Parse(std::string(512, '[') + std::string(512, ']'), "ok.json");
  CHECK(at_limit.ok());
}

TEST_CASE("invalid UTF-8 is a parse error", "[json]") {
  CHECK_FALSE(json::Parse("[\"\xC3\x28\"]", "u.json").ok());
}

TEST_CASE("a lone surrogate escape is refused, so what Parse accepts Write writes as UTF-8", "[json]") {
  // Found by fuzzing: RapidJSON decoded "\udc00" into bytes that are not UTF-8, which Write
  // then wrote into reports, manifests and saved state that no reader accepts.
  for (const std::string text : {R"("\udc00")", R"(["a", "b\uDFFFc"])", R"({"\udc00": 1})", R"({"a": "\ud83d\ude00\udc00"})"}) {
    INFO(text);
    auto parsed = json::Parse(text, "test");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().kind() == ErrorKind::kInput);
    CHECK_THAT(parsed.status().message(), Catch::Contains("lone UTF-16 surrogate"));
  }
  CHECK(json::Parse("\n  \"x\\udc00\"", "test").status().message() ==
        "test:2:12: " + json::LoneSurrogateMessage());  // just past the string
  CHECK_FALSE(json::Parse(R"("\ud800")", "test").ok());  // a lone high one RapidJSON refuses itself
  auto pair = json::Parse(R"(["\ud83d\ude00", "\\udc00"])", "test");  // a pair, and an escaped backslash
  REQUIRE(pair.ok());
  CHECK(json::Write(*pair) == "[\"\xF0\x9F\x98\x80\",\"\\\\udc00\"]");
  CHECK(json::Parse(json::Write(*pair), "again").ok());
}

TEST_CASE("a number beyond a double's range is refused, never read as infinity", "[json]") {
  // Found by fuzzing: "18478.9451163161e308" passes RapidJSON's own range check when it leaves
  // conversion to sluice; read as infinity, json::Write then wrote nothing for it.
  for (const std::string text : {"18478.9451163161e308", "[1, -18478.9451163161e308]", "{\"a\": 1e400}"}) {
    INFO(text);
    auto parsed = json::Parse(text, "test");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().kind() == ErrorKind::kInput);
    CHECK_THAT(parsed.status().message(), Catch::EndsWith("Number too big to be stored in double."));
  }
  auto largest = json::Parse("1.7976931348623157e308", "test");
  REQUIRE(largest.ok());
  CHECK(json::Parse(json::Write(*largest), "again").ok());
}

TEST_CASE("numbers parse correctly rounded, so what Write writes reads back the same", "[json]") {
  // Found by fuzzing: a 26-digit integer took RapidJSON's default (not correctly rounded)
  // conversion, and the double Write wrote read back as another.
  for (const char* text : {"18446744051161573709551615", "0.1", "0e62", "-0e-30", "2.2250738585072014e-308", "1e-400",
                           "123456789012345678901234567890e-10", "-9223372036854775808", "18446744073709551615"}) {
    INFO(text);
    auto first = json::Parse(text, "test");
    REQUIRE(first.ok());
    auto again = json::Parse(json::Write(*first), "again");
    REQUIRE(again.ok());
    CHECK(*again == *first);
    CHECK(json::Write(*again) == json::Write(*first));
  }
  CHECK(json::Parse("18446744051161573709551615", "test")->GetDouble() == 18446744051161573709551615.0);
  CHECK(json::Parse("18446744073709551615", "test")->GetUint64() == UINT64_MAX);
  CHECK(json::Parse("-12", "test")->GetInt() == -12);
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

TEST_CASE("a NUL byte in JSON text is an error at its place, not the end of the text", "[json]") {
  auto after = json::Parse(std::string("{\"a\": 1}\n\0garbage", 17), "f.json");
  REQUIRE_FALSE(after.ok());
  CHECK(after.status().message() == "f.json:2:1: NUL byte (binary data?)");
  auto only = json::Parse(std::string(100, '\0'), "f.json");
  REQUIRE_FALSE(only.ok());
  CHECK(only.status().message() == "f.json:1:1: NUL byte (binary data?)");
}

TEST_CASE("the first repeated key is found at any depth, with its pointer", "[json]") {
  auto none = json::Parse(R"({"a": [{"b": 1}, {"b": 2}], "c": {"d": {"e": 1}}})", "t").value();
  CHECK(json::FirstRepeatedKey(none).empty());
  auto deep = json::Parse(R"({"a": [{"b": 1}, {"x/y": 1, "x/y": 2}], "c": {"d": 1, "d": 2}})", "t").value();
  CHECK(json::FirstRepeatedKey(deep) == "/a/1/x~1y");
}
