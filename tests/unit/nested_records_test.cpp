// Records inside a document (records::ReadOptions::records): the pointer patterns, the reader
// that follows them as it streams, and what it says when the document is not as expected.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "json/json.h"
#include "json/pointer_pattern.h"
#include "pipeline/manifest.h"
#include "records/reader.h"
#include "support/temp_dir.h"

using namespace sluice;
using Catch::Matchers::Contains;
using pipeline::DataFormat;
using records::ReadOptions;

namespace {

struct Seen {
  std::string json;
  std::uint64_t index = 0;
  std::uint64_t line = 0;
  std::uint64_t column = 0;
};

struct Captured {
  std::size_t capture = 0;
  std::string bindings;  // "series=cases"
  std::string value;
  std::string pointer;
  std::uint64_t line = 0;
  std::uint64_t column = 0;
};

struct NestedRead {
  Status status;
  std::vector<Seen> records;
  std::vector<Captured> captured;
};

json::PointerPattern Pattern(const std::string& text) {
  auto pattern = json::ParsePointerPattern(text);
  REQUIRE(pattern.ok());
  return *pattern;
}

NestedRead ReadWith(const std::string& bytes, ReadOptions options) {
  NestedRead result;
  options.on_capture = [&](const records::CapturedValue& found) {
    std::string bindings;
    for (const auto& [name, key] : found.bindings) bindings += (bindings.empty() ? "" : ",") + name + "=" + key;
    result.captured.push_back({found.capture, bindings, json::Write(*found.value), found.pointer, found.line, found.column});
    return Status::Ok();
  };
  result.status = records::ReadRecordsFromString(bytes, "data/x.json", DataFormat::kJson, options, [&](records::Record& r) {
    result.records.push_back({json::Write(r.value), r.index, r.line, r.column});
    return Status::Ok();
  });
  return result;
}

// Read whole and through a 4-byte buffer (every token crosses a chunk boundary): the same.
NestedRead ReadNested(const std::string& bytes, const std::string& records, std::vector<std::string> captures = {},
                      ReadOptions options = {}) {
  options.records = Pattern(records);
  for (const auto& capture : captures) options.captures.push_back(Pattern(capture));
  NestedRead whole = ReadWith(bytes, options);
  options.buffer_bytes = 4;
  NestedRead chunked = ReadWith(bytes, options);
  CHECK(chunked.status.message() == whole.status.message());
  REQUIRE(chunked.records.size() == whole.records.size());
  for (std::size_t i = 0; i < whole.records.size(); ++i) {
    CHECK(chunked.records[i].json == whole.records[i].json);
    CHECK(chunked.records[i].line == whole.records[i].line);
    CHECK(chunked.records[i].column == whole.records[i].column);
  }
  REQUIRE(chunked.captured.size() == whole.captured.size());
  for (std::size_t i = 0; i < whole.captured.size(); ++i) {
    CHECK(chunked.captured[i].value == whole.captured[i].value);
    CHECK(chunked.captured[i].column == whole.captured[i].column);
  }
  return whole;
}

const char* kDashboard =
    "{\"meta\": {\"PUBLISHED\": \"2026-11-04\", \"VALUES\": [{\"x\": 1}]},\n"
    " \"data\": {\"time_series\": {\n"
    "  \"cases\": {\"DATE_RANGE\": {\"MINIMUM\": \"2026-11-01\", \"MAXIMUM\": \"2026-11-02\"},\n"
    "             \"VALUES\": [{\"DATE\": \"2026-11-01\", \"VALUE\": 5},\n"
    "                        {\"DATE\": \"2026-11-02\", \"VALUE\": 7}]},\n"
    "  \"deaths\": {\"DATE_RANGE\": {\"MINIMUM\": \"2026-11-01\", \"MAXIMUM\": \"2026-11-01\"},\n"
    "              \"VALUES\": [{\"DATE\": \"2026-11-01\", \"VALUE\": 0}]}}}}\n";

}  // namespace

TEST_CASE("a pointer pattern reads literal tokens, escapes and named wildcards", "[nested]") {
  auto pattern = Pattern("/data/a~1b~0c/{series}/*/VALUES");
  REQUIRE(pattern.tokens.size() == 5);
  CHECK(pattern.tokens[1].text == "a/b~c");
  CHECK(pattern.tokens[2].wildcard);
  CHECK(pattern.tokens[2].name == "series");
  CHECK(pattern.tokens[3].wildcard);
  CHECK(pattern.tokens[3].name.empty());
  CHECK(pattern.names() == std::vector<std::string>{"series"});
  CHECK(Pattern("/rows/0").MatchesIndex(1, 0));
  CHECK_FALSE(Pattern("/rows/01").MatchesIndex(1, 1));
  CHECK(Pattern("").tokens.empty());
}

TEST_CASE("a pointer pattern with bad syntax says which token is wrong", "[nested]") {
  auto expect = [](const std::string& text, const std::string& says) {
    auto pattern = json::ParsePointerPattern(text);
    REQUIRE_FALSE(pattern.ok());
    CHECK_THAT(pattern.status().message(), Contains(says));
  };
  expect("data/rows", "starts with '/'");
  expect("/data/{series", "token 2");
  expect("/data/x{series}", "a wildcard is a whole token");
  expect("/data/{1st}", "a wildcard's name");
  expect("/data/{}", "a wildcard's name");
  expect("/{a}/{a}", "named twice");
  expect("/data/~2", "'~' must be followed by 0");
}

TEST_CASE("one pointer syntax: a token with '*' beside other characters is a glob over member names",
          "[nested][pointer_pattern]") {
  auto pattern = Pattern("/data/*/NEW_*/{day}");
  REQUIRE(pattern.tokens.size() == 4);
  CHECK(pattern.tokens[2].glob);
  CHECK_FALSE(pattern.tokens[2].wildcard);
  CHECK(pattern.tokens[2].text == "NEW_*");
  CHECK(pattern.MatchesMember(2, "NEW_CASES"));
  CHECK_FALSE(pattern.MatchesMember(2, "TOTAL_CASES"));
  CHECK_FALSE(pattern.MatchesIndex(2, 0));  // a glob names members, not elements
  CHECK(pattern.many());
  CHECK_FALSE(Pattern("/data/cases/NEW_CASES").many());
  // Unescaped first: "~1" is a '/' inside the member name the glob sees.
  auto escaped = Pattern("/a~1*");
  CHECK(escaped.MatchesMember(0, "a/b"));
  CHECK_FALSE(escaped.MatchesMember(0, "ab"));
  // '?' and "[...]" are glob characters only in a token that holds '*'.
  CHECK(Pattern("/[AB]*").MatchesMember(0, "B1"));
  CHECK(Pattern("/a?").MatchesMember(0, "a?"));
  CHECK_FALSE(Pattern("/a?").MatchesMember(0, "ab"));
}

TEST_CASE("a records pointer with a glob reads the arrays of the members it matches", "[nested][pointer_pattern]") {
  NestedRead read = ReadNested(kDashboard, "/data/time_series/{series}/VAL*");
  REQUIRE(read.status.ok());
  REQUIRE(read.records.size() == 3);
  CHECK(read.records[2].json == R"({"DATE":"2026-11-01","VALUE":0,"series":"deaths"})");
  NestedRead cases = ReadNested(kDashboard, "/data/time_series/c*/VALUES");
  REQUIRE(cases.status.ok());
  CHECK(cases.records.size() == 2);
}

TEST_CASE("records inside a document: each element of each matched array, with its wildcard as a field", "[nested]") {
  NestedRead read = ReadNested(kDashboard, "/data/time_series/{series}/VALUES");
  REQUIRE(read.status.ok());
  REQUIRE(read.records.size() == 3);
  CHECK(read.records[0].json == R"({"DATE":"2026-11-01","VALUE":5,"series":"cases"})");
  CHECK(read.records[1].json == R"({"DATE":"2026-11-02","VALUE":7,"series":"cases"})");
  CHECK(read.records[2].json == R"({"DATE":"2026-11-01","VALUE":0,"series":"deaths"})");
  CHECK(read.records[2].index == 2);
  // Where each record starts in the file, as for a flat array.
  CHECK(read.records[0].line == 4);
  CHECK(read.records[0].column == 25);
  CHECK(read.records[1].line == 5);
  CHECK(read.records[2].line == 7);
  CHECK(read.records[2].column == 26);
}

TEST_CASE("a plain pointer and an unnamed wildcard add no field", "[nested]") {
  NestedRead plain = ReadNested(R"({"data": {"rows": [1, {"a": 2}, "x"]}, "rows": [9]})", "/data/rows");
  REQUIRE(plain.status.ok());
  REQUIRE(plain.records.size() == 3);
  CHECK(plain.records[0].json == "1");
  CHECK(plain.records[0].column == 20);
  CHECK(plain.records[2].json == R"("x")");
  NestedRead starred = ReadNested(kDashboard, "/data/time_series/*/VALUES");
  REQUIRE(starred.status.ok());
  REQUIRE(starred.records.size() == 3);
  CHECK(starred.records[2].json == R"({"DATE":"2026-11-01","VALUE":0})");
}

TEST_CASE("a wildcard over an array binds the element's index", "[nested]") {
  NestedRead read = ReadNested(R"({"pages": [{"rows": [{"a": 1}]}, {"rows": [{"a": 2}, {"a": 3}]}]})", "/pages/{page}/rows");
  REQUIRE(read.status.ok());
  REQUIRE(read.records.size() == 3);
  CHECK(read.records[0].json == R"({"a":1,"page":0})");
  CHECK(read.records[2].json == R"({"a":3,"page":1})");
  NestedRead second = ReadNested(R"({"pages": [{"rows": [{"a": 1}]}, {"rows": [{"a": 2}]}]})", "/pages/1/rows");
  REQUIRE(second.records.size() == 1);
  CHECK(second.records[0].json == R"({"a":2})");
}

TEST_CASE("a pointer that matches no array is an error naming it, not zero records", "[nested]") {
  NestedRead read = ReadNested(kDashboard, "/data/time_series/{series}/VALUE");
  REQUIRE_FALSE(read.status.ok());
  CHECK(read.status.kind() == ErrorKind::kInput);
  CHECK(read.status.message() ==
        "data/x.json: no array at /data/time_series/{series}/VALUE: nothing in the document matches the records pointer");
  CHECK_FALSE(ReadNested("", "/data").status.ok());
}

TEST_CASE("a match that is not an array is an error at its place", "[nested]") {
  NestedRead object = ReadNested(kDashboard, "/data/time_series/{series}/DATE_RANGE");
  REQUIRE_FALSE(object.status.ok());
  CHECK(object.status.message() ==
        "data/x.json:3:27: /data/time_series/cases/DATE_RANGE is an object, not an array of records (the records pointer "
        "/data/time_series/{series}/DATE_RANGE)");
  NestedRead scalar = ReadNested(R"({"data": {"rows": 5}})", "/data/rows");
  REQUIRE_FALSE(scalar.status.ok());
  CHECK_THAT(scalar.status.message(), Contains("data/x.json:1:19: /data/rows is a single value"));
  // An element of an array on the way (an index or a wildcard over an array) is placed at its own
  // first byte, not at the last place the stream noted (it once said 1:1).
  NestedRead element = ReadNested("[[{\"id\": 1}], [],\n  7, [{\"id\": 2}]]", "/{n}");
  REQUIRE_FALSE(element.status.ok());
  CHECK(element.status.message() == "data/x.json:2:3: /2 is a single value, not an array of records (the records pointer /{n})");
  CHECK(element.records.size() == 1);
  NestedRead indexed = ReadNested(R"({"a": [[1], "x", [2]]})", "/a/1");
  REQUIRE_FALSE(indexed.status.ok());
  CHECK_THAT(indexed.status.message(), Contains("data/x.json:1:13: /a/1 is a single value"));
}

TEST_CASE("a scalar that ends at an invalid UTF-8 sequence gives the invalid byte's error at any buffer size",
          "[nested]") {
  // The scalar ends only when the parser sees the byte after it; the byte is invalid, so the read
  // stops there whichever error the scalar would have given (found by the nested_records fuzz
  // target: a 7-byte buffer said "/3 is a single value", a whole one "invalid UTF-8").
  for (std::string tail : {std::string("\xF4 null]]"), std::string("\xF4"), std::string("\xC3(]")}) {
    NestedRead read = ReadNested("[[{\"id\": 4}], 7" + tail, "/{n}");
    REQUIRE_FALSE(read.status.ok());
    CHECK_THAT(read.status.message(), Contains("data/x.json:1:16: invalid UTF-8"));
    for (std::size_t buffer = 1; buffer <= 20; ++buffer) {
      ReadOptions options;
      options.buffer_bytes = buffer;
      options.records = Pattern("/{n}");
      INFO("buffer " << buffer);
      CHECK(ReadWith("[[{\"id\": 4}], 7" + tail, options).status.message() == read.status.message());
    }
  }
}

TEST_CASE("a wildcard named like a field of the record is an error with the pointer and place", "[nested]") {
  NestedRead read = ReadNested(R"({"s": {"a": [{"n": 1}, {"s": 2}]}})", "/s/{s}");
  REQUIRE_FALSE(read.status.ok());
  CHECK(read.status.kind() == ErrorKind::kInput);
  CHECK(read.status.message() ==
        "data/x.json:1:24: the record at /s/a/1 already has a field \"s\", the name of the wildcard {s} of the records "
        "pointer /s/{s}: rename the wildcard");
  CHECK(read.records.size() == 1);
  NestedRead scalar = ReadNested(R"({"s": {"a": [7]}})", "/s/{s}");
  REQUIRE_FALSE(scalar.status.ok());
  CHECK_THAT(scalar.status.message(), Contains("data/x.json:1:14: the record at /s/a/0 is not an object"));
}

TEST_CASE("values beside the records are captured with their wildcards and places", "[nested]") {
  NestedRead read = ReadNested(kDashboard, "/data/time_series/{series}/VALUES",
                               {"/data/time_series/{series}/DATE_RANGE/MINIMUM", "/data/time_series/{s}/DATE_RANGE/MAXIMUM"});
  REQUIRE(read.status.ok());
  CHECK(read.records.size() == 3);
  REQUIRE(read.captured.size() == 4);
  CHECK(read.captured[0].capture == 0);
  CHECK(read.captured[0].bindings == "series=cases");
  CHECK(read.captured[0].value == R"("2026-11-01")");
  CHECK(read.captured[0].pointer == "/data/time_series/cases/DATE_RANGE/MINIMUM");
  CHECK(read.captured[0].line == 3);
  CHECK(read.captured[0].column == 39);
  CHECK(read.captured[1].capture == 1);
  CHECK(read.captured[1].bindings == "s=cases");
  CHECK(read.captured[3].bindings == "s=deaths");
  CHECK(read.captured[3].value == R"("2026-11-01")");
}

TEST_CASE("records inside a document keep the reader's limits", "[nested][limit]") {
  ReadOptions deep;
  deep.max_depth = 4;  // root, data, rows, the record: a record's own object is level 4
  CHECK(ReadNested(R"({"data": {"rows": [{"a": 1}]}})", "/data/rows", {}, deep).status.ok());
  NestedRead too_deep = ReadNested(R"({"data": {"rows": [{"a": [1]}]}})", "/data/rows", {}, deep);
  REQUIRE_FALSE(too_deep.status.ok());
  CHECK_THAT(too_deep.status.message(), Contains("data/x.json:1:26: nesting deeper than 4"));
  // Skipped values count from the root too.
  NestedRead skipped = ReadNested(R"({"x": [[[[[1]]]]], "data": {"rows": []}})", "/data/rows", {}, deep);
  CHECK_THAT(skipped.status.message(), Contains("nesting deeper than 4"));

  ReadOptions small;
  small.max_record_bytes = 16;
  NestedRead big = ReadNested(R"({"skipped": "a long string outside every record", "rows": [{"a": 1}, {"a": "0123456789abcdef"}]})",
                              "/rows", {}, small);
  REQUIRE_FALSE(big.status.ok());
  CHECK_THAT(big.status.message(), Contains("data/x.json:1:70: record larger than max_record_bytes"));
  CHECK(big.records.size() == 1);

  NestedRead bad_utf8 = ReadNested("{\"rows\": [{\"a\": \"\xff\"}]}", "/rows");
  CHECK_THAT(bad_utf8.status.message(), Contains("data/x.json:1:18"));
  NestedRead nul = ReadNested(std::string("{\"rows\": []}\0 x", 15), "/rows");
  CHECK_THAT(nul.status.message(), Contains("data/x.json:1:13: NUL byte"));
}

TEST_CASE("records pointer on another format than json is refused", "[nested]") {
  ReadOptions options;
  options.records = Pattern("/rows");
  Status status = records::ReadRecordsFromString("a\n1\n", "x.csv", DataFormat::kCsv, options,
                                                 [](records::Record&) { return Status::Ok(); });
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.message(), Contains("format json only"));
}

TEST_CASE("a source's records pointer is read by the manifest, its mistakes named by the manifest's pointer",
          "[nested][manifest]") {
  TempDir dir;
  auto load = [&](const std::string& format, const std::string& records) {
    auto file = dir.Write("p.json", R"({"name": "p", "sources": [{"name": "s", "url": "file:s.json", "format": ")" +
                                         format + R"(", "output": "data/s.json", "records": ")" + records + R"("}]})");
    return pipeline::LoadManifest(file, dir.path(), Environment::FromMap({}));
  };
  auto good = load("json", "/data/time_series/{series}/VALUES");
  REQUIRE(good.ok());
  REQUIRE(good->sources[0].records.has_value());
  CHECK(good->sources[0].records->names() == std::vector<std::string>{"series"});
  auto syntax = load("json", "/data/{series");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.status().kind() == ErrorKind::kConfig);
  CHECK_THAT(syntax.status().message(), Contains("/sources/0/records: token 2"));
  auto csv = load("csv", "/rows");
  REQUIRE_FALSE(csv.ok());
  CHECK_THAT(csv.status().message(), Contains("/sources/0/records: records inside a document need format json, not csv"));
}
