#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "json/json.h"
#include "json/lone_surrogate.h"
#include "records/reader.h"
#include "support/temp_dir.h"

using namespace sluice;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using pipeline::DataFormat;
using records::CellType;
using records::CsvTyping;
using records::ReadOptions;

namespace {

struct Seen {
  std::string json;
  std::uint64_t index = 0;
  std::uint64_t line = 0;
  std::uint64_t column = 0;
  std::uint64_t duplicate_keys = 0;
  std::string first_duplicate_key;
};

struct ReadResult {
  Status status;
  std::vector<Seen> records;
  std::vector<std::string> header;
};

ReadResult ReadString(const std::string& bytes, DataFormat format, ReadOptions options = {}) {
  ReadResult result;
  result.status = records::ReadRecordsFromString(
      bytes, "data", format, options,
      [&](records::Record& record) {
        result.records.push_back({json::Write(record.value), record.index, record.line, record.column,
                                  record.duplicate_keys, record.first_duplicate_key});
        return Status::Ok();
      },
      &result.header);
  return result;
}

// The same bytes read whole and through a 4-byte buffer (every token, row and line crosses a
// chunk boundary) must give the same records.
ReadResult Read(const std::string& bytes, DataFormat format, ReadOptions options = {}) {
  ReadResult whole = ReadString(bytes, format, options);
  options.buffer_bytes = 4;
  ReadResult chunked = ReadString(bytes, format, options);
  CHECK(chunked.status.ok() == whole.status.ok());
  CHECK(chunked.status.message() == whole.status.message());
  REQUIRE(chunked.records.size() == whole.records.size());
  for (std::size_t i = 0; i < whole.records.size(); ++i) {
    CHECK(chunked.records[i].json == whole.records[i].json);
    CHECK(chunked.records[i].line == whole.records[i].line);
    CHECK(chunked.records[i].column == whole.records[i].column);
  }
  return whole;
}

std::vector<std::string> Jsons(const ReadResult& result) {
  std::vector<std::string> out;
  for (const auto& record : result.records) out.push_back(record.json);
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("JSON array streams one record at a time with start line") {
  const std::string text = "[\n  {\"id\": 1},\n  {\"id\": 2, \"tags\": [1, [2]]},\n\n    \"three\", 4.5, [5]\n]\n";
  ReadResult result = Read(text, DataFormat::kJson);
  REQUIRE(result.status.ok());
  CHECK(Jsons(result) == Strings{R"({"id":1})", R"({"id":2,"tags":[1,[2]]})", R"("three")", "4.5", "[5]"});
  REQUIRE(result.records.size() == 5);
  CHECK(result.records[0].line == 2);
  CHECK(result.records[0].column == 3);
  CHECK(result.records[1].line == 3);
  CHECK(result.records[2].line == 5);
  CHECK(result.records[2].column == 5);
  CHECK(result.records[3].column == 14);
  CHECK(result.records[4].column == 19);
  CHECK(result.records[4].index == 4);
  CHECK(result.header.empty());

  // Streaming: the records before a fault are visited before the fault is found.
  ReadResult broken = Read("[{\"id\": 1},\n {\"id\": 2},\n {\"id\" 3}]", DataFormat::kJson);
  CHECK(broken.records.size() == 2);
  CHECK(broken.status.kind() == ErrorKind::kInput);
  CHECK_THAT(broken.status.message(), StartsWith("data:3:8: "));
}

TEST_CASE("JSON records read from a file name the path in errors") {
  TempDir dir;
  auto path = dir.Write("cases.json", "[1,\n2,\n}");
  std::vector<std::string> seen;
  Status status = records::ReadRecords(path, DataFormat::kJson, {}, [&](records::Record& record) {
    seen.push_back(json::Write(record.value));
    return Status::Ok();
  });
  CHECK(seen == Strings{"1", "2"});
  CHECK_THAT(status.message(), StartsWith(path.string() + ":3:1: "));

  Status missing = records::ReadRecords(dir.path() / "absent.json", DataFormat::kJson, {},
                                        [](records::Record&) { return Status::Ok(); });
  CHECK(missing.kind() == ErrorKind::kInput);
  CHECK_THAT(missing.message(), Contains("absent.json"));
}

TEST_CASE("a non-array JSON document is one record") {
  ReadResult object = Read("\xEF\xBB\xBF\n  {\"a\": {\"b\": [1, 2]}}\n", DataFormat::kJson);
  REQUIRE(object.status.ok());
  CHECK(Jsons(object) == Strings{R"({"a":{"b":[1,2]}})"});
  CHECK(object.records[0].line == 2);
  CHECK(object.records[0].column == 3);

  ReadResult scalar = Read("  \"just text\"  ", DataFormat::kJson);
  REQUIRE(scalar.status.ok());
  CHECK(Jsons(scalar) == Strings{R"("just text")"});
  CHECK(scalar.records[0].column == 3);

  ReadResult two = Read("{} {}", DataFormat::kJson);
  CHECK_THAT(two.status.message(), StartsWith("data:1:4: "));
}

TEST_CASE("NDJSON blank lines and CRLF are tolerated") {
  const std::string text = "\xEF\xBB\xBF{\"a\":1}\r\n\r\n   \n  {\"a\":2}\r\n\t[3]\n\"last\"";
  ReadResult result = Read(text, DataFormat::kNdjson);
  REQUIRE(result.status.ok());
  CHECK(Jsons(result) == Strings{R"({"a":1})", R"({"a":2})", "[3]", R"("last")"});
  CHECK(result.records[0].line == 1);
  CHECK(result.records[0].column == 4);  // byte columns: the BOM counts
  CHECK(result.records[1].line == 4);
  CHECK(result.records[1].column == 3);
  CHECK(result.records[2].line == 5);
  CHECK(result.records[3].line == 6);
  CHECK(result.records[3].index == 3);
}

TEST_CASE("malformed NDJSON names line and column") {
  ReadResult bad_value = Read("{\"a\":1}\n\n{\"a\":}\n{\"a\":3}\n", DataFormat::kNdjson);
  CHECK(bad_value.status.kind() == ErrorKind::kInput);
  CHECK_THAT(bad_value.status.message(), StartsWith("data:3:6: "));
  CHECK(bad_value.records.size() == 1);

  ReadResult two_values = Read("{\"a\":1} {\"a\":2}\n", DataFormat::kNdjson);
  CHECK_THAT(two_values.status.message(), StartsWith("data:1:9: "));

  ReadResult bad_utf8 = Read("{\"a\":\"\xC3\x28\"}\n", DataFormat::kNdjson);
  CHECK(bad_utf8.status.message() == "data:1:7: invalid UTF-8 (is the file in another encoding?)");

  ReadResult nul = Read(std::string("{}\0{}\n", 6), DataFormat::kNdjson);
  CHECK_THAT(nul.status.message(), StartsWith("data:1:3: "));
}

TEST_CASE("CSV quoted fields with commas, quotes and newlines") {
  const std::string text =
      "name,note,n\n"
      "\"Smith, J\",\"said \"\"hi\"\"\",1\n"
      "plain,\"two\nlines\",2\n"
      "\"\",,3\n"
      "x,bare\"quote,4";
  ReadResult result = Read(text, DataFormat::kCsv);
  REQUIRE(result.status.ok());
  CHECK(result.header == Strings{"name", "note", "n"});
  CHECK(Jsons(result) == Strings{
                             R"({"name":"Smith, J","note":"said \"hi\"","n":"1"})",
                             R"({"name":"plain","note":"two\nlines","n":"2"})",
                             R"({"name":"","note":"","n":"3"})",
                             R"({"name":"x","note":"bare\"quote","n":"4"})",
                         });
  CHECK(result.records[0].line == 2);
  CHECK(result.records[1].line == 3);
  CHECK(result.records[2].line == 5);  // after a row holding a line break
  CHECK(result.records[3].line == 6);
  CHECK(result.records[0].column == 1);

  ReadResult after_quote = Read("a,b\n\"x\"y,2\n", DataFormat::kCsv);
  CHECK_THAT(after_quote.status.message(), StartsWith("data:2:4: "));
}

TEST_CASE("CSV CRLF and BOM") {
  ReadResult result = Read("\xEF\xBB\xBFid,name\r\n1,\"a\r\nb\"\r\n\r\n2,c\r\n", DataFormat::kCsv);
  REQUIRE(result.status.ok());
  CHECK(result.header == Strings{"id", "name"});  // no BOM in the first name
  CHECK(Jsons(result) == Strings{R"({"id":"1","name":"a\r\nb"})", R"({"id":"2","name":"c"})"});
  CHECK(result.records[1].line == 5);

  ReadResult no_final_newline = Read("id\r\n1\r\n2", DataFormat::kCsv);
  CHECK(Jsons(no_final_newline) == Strings{R"({"id":"1"})", R"({"id":"2"})"});
}

TEST_CASE("CSV row with too many fields names its line") {
  ReadResult too_many = Read("a,b\n1,2\n\"x\ny\",2,3\n", DataFormat::kCsv);
  CHECK(too_many.status.kind() == ErrorKind::kInput);
  CHECK_THAT(too_many.status.message(), StartsWith("data:3:1: "));
  CHECK_THAT(too_many.status.message(), Contains("3 fields"));
  CHECK(too_many.records.size() == 1);

  ReadResult too_few = Read("a,b\n1,2\n\n1\n", DataFormat::kCsv);
  CHECK_THAT(too_few.status.message(), StartsWith("data:4:1: "));
}

TEST_CASE("CSV unterminated quote names the line it started") {
  ReadResult result = Read("a,b\n1,2\n3,\"open\nstill open\n,more\n", DataFormat::kCsv);
  CHECK(result.status.kind() == ErrorKind::kInput);
  CHECK_THAT(result.status.message(), StartsWith("data:3:3: "));
  CHECK(result.records.size() == 1);
}

TEST_CASE("CSV duplicate header names the column") {
  ReadResult result = Read("id,name,id\n1,2,3\n", DataFormat::kCsv);
  CHECK(result.status.kind() == ErrorKind::kInput);
  CHECK_THAT(result.status.message(), StartsWith("data:1:9: "));
  CHECK_THAT(result.status.message(), Contains("\"id\""));
}

TEST_CASE("CSV typing from schema converts integers, numbers, booleans and empty cells") {
  auto schema = json::Parse(R"({"type": "array", "items": {"type": "object", "properties": {
      "count": {"type": ["integer", "null"]},
      "rate": {"type": "number"},
      "open": {"type": "boolean"},
      "fips": {"type": "string"},
      "either": {"type": ["string", "number"]},
      "big": {"type": "integer"}}}})",
                            "schema");
  REQUIRE(schema.ok());
  ReadOptions options;
  options.csv_typing = records::CsvTypingFromSchema(*schema);
  CHECK(options.csv_typing.columns.size() == 6);

  const std::string text =
      "count,rate,open,fips,either,big,free\n"
      "-12,1.5e3,true,007,2,18446744073709551615,9\n"
      ",,,,,,\n"
      "\"3\",7,FALSE,06001,x,123456789012345678901234,\n";
  ReadResult result = Read(text, DataFormat::kCsv, options);
  REQUIRE(result.status.ok());
  REQUIRE(result.records.size() == 3);
  CHECK(result.records[0].json ==
        R"({"count":-12,"rate":1500.0,"open":true,"fips":"007","either":2,"big":18446744073709551615,"free":"9"})");
  CHECK(result.records[1].json ==
        R"({"count":null,"rate":null,"open":null,"fips":"","either":null,"big":null,"free":""})");
  // An integer beyond 64 bits becomes a (whole) double.
  CHECK_THAT(result.records[2].json,
             StartsWith(R"({"count":3,"rate":7,"open":false,"fips":"06001","either":"x","big":1.23456789012345)"));

  // A schema for one row (no items) types the same way.
  auto row_schema = json::Parse(R"({"properties": {"n": {"type": "integer"}}})", "schema");
  REQUIRE(row_schema.ok());
  CsvTyping row_typing = records::CsvTypingFromSchema(*row_schema);
  REQUIRE(row_typing.columns.size() == 1);
  CHECK(row_typing.columns[0].second == CellType::kInteger);
}

TEST_CASE("a cell that does not convert stays a string") {
  ReadOptions options;
  options.csv_typing.columns = {{"n", CellType::kInteger}, {"x", CellType::kNumber}, {"b", CellType::kBoolean}};
  ReadResult result = Read("n,x,b\n1.5,abc,yes\n 7,nan,1\n12abc,inf,true \n", DataFormat::kCsv, options);
  REQUIRE(result.status.ok());
  CHECK(Jsons(result) == Strings{
                             R"({"n":"1.5","x":"abc","b":"yes"})",
                             R"({"n":" 7","x":"nan","b":"1"})",
                             R"({"n":"12abc","x":"inf","b":"true "})",
                         });
}

TEST_CASE("duplicate JSON keys keep the last value and are counted") {
  const std::string text = R"([{"a": 1, "b": 2, "a": 3}, {"ok": true}, {"x": [{"y": 1}, {"z": {"c~/": 1, "c~/": 2, "c~/": 5}}]}])";
  ReadResult result = Read(text, DataFormat::kJson);
  REQUIRE(result.status.ok());
  CHECK(Jsons(result) == Strings{R"({"a":3,"b":2})", R"({"ok":true})", R"({"x":[{"y":1},{"z":{"c~/":5}}]})"});
  CHECK(result.records[0].duplicate_keys == 1);
  CHECK(result.records[0].first_duplicate_key == "/a");
  CHECK(result.records[1].duplicate_keys == 0);
  CHECK(result.records[1].first_duplicate_key.empty());
  CHECK(result.records[2].duplicate_keys == 2);
  CHECK(result.records[2].first_duplicate_key == "/x/1/z/c~0~1");

  // Objects too large for the pairwise comparison go through the hashed path.
  std::string wide = "{";
  for (int i = 0; i < 40; ++i) wide += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  wide += "\"k7\":\"last\"}\n";
  ReadResult hashed = Read(wide, DataFormat::kNdjson);
  REQUIRE(hashed.status.ok());
  CHECK(hashed.records[0].duplicate_keys == 1);
  CHECK(hashed.records[0].first_duplicate_key == "/k7");
  CHECK_THAT(hashed.records[0].json, Contains(R"("k6":6,"k7":"last","k8":8)"));
}

TEST_CASE("Unicode keys survive") {
  const std::string key = "r\xC3\xA9gion \xE6\x9D\xB1\xE4\xBA\xAC \xF0\x9F\x98\x80";  // région 東京 😀
  const std::string value = "S\xC3\xA3o Paulo";
  ReadResult json = Read("[{\"" + key + "\": \"" + value + "\", \"esc\": \"\\u00e9\"}]", DataFormat::kJson);
  REQUIRE(json.status.ok());
  CHECK(json.records[0].json == "{\"" + key + "\":\"" + value + "\",\"esc\":\"\xC3\xA9\"}");

  ReadResult ndjson = Read("{\"" + key + "\": \"" + value + "\"}\n", DataFormat::kNdjson);
  REQUIRE(ndjson.status.ok());
  CHECK(ndjson.records[0].json == "{\"" + key + "\":\"" + value + "\"}");

  ReadResult csv = Read(key + ",n\n" + value + ",1\n", DataFormat::kCsv);
  REQUIRE(csv.status.ok());
  CHECK(csv.header[0] == key);
  CHECK(csv.records[0].json == "{\"" + key + "\":\"" + value + "\",\"n\":\"1\"}");
}

TEST_CASE("empty file / empty array / header only yield no records") {
  for (DataFormat format : {DataFormat::kJson, DataFormat::kNdjson, DataFormat::kCsv}) {
    ReadResult empty = Read("", format);
    CHECK(empty.status.ok());
    CHECK(empty.records.empty());
    CHECK(empty.header.empty());
  }
  ReadResult whitespace = Read(" \n\t\n", DataFormat::kJson);
  CHECK(whitespace.status.ok());
  CHECK(whitespace.records.empty());

  ReadResult empty_array = Read(" [ ] ", DataFormat::kJson);
  CHECK(empty_array.status.ok());
  CHECK(empty_array.records.empty());

  ReadResult header_only = Read("a,b\r\n", DataFormat::kCsv);
  CHECK(header_only.status.ok());
  CHECK(header_only.records.empty());
  CHECK(header_only.header == Strings{"a", "b"});

  ReadResult blank_lines = Read("\n\n\r\n", DataFormat::kNdjson);
  CHECK(blank_lines.status.ok());
  CHECK(blank_lines.records.empty());
}

TEST_CASE("deep nesting does not overflow the stack") {
  constexpr int kDepth = 100000;
  const std::string nested = std::string(kDepth, '[') + "1" + std::string(kDepth, ']');
  // Walks the value without recursion: the visitor must not be what overflows.
  auto depth_of = [](const rapidjson::Value& value) {
    int depth = 0;
    const rapidjson::Value* at = &value;
    while (at->IsArray() && !at->Empty()) {
      at = &(*at)[0];
      ++depth;
    }
    return depth;
  };
  for (DataFormat format : {DataFormat::kJson, DataFormat::kNdjson}) {
    const std::string text =
        format == DataFormat::kJson ? "[{\"a\": 0}, {\"deep\": " + nested + "}]" : "{\"deep\": " + nested + "}\n";
    // Read whole when the limit allows (a source's max_depth), iteratively.
    records::ReadOptions deep_enough;
    deep_enough.max_depth = kDepth + 2;
    int depth = -1;
    Status status = records::ReadRecordsFromString(text, "deep", format, deep_enough, [&](records::Record& record) {
      if (record.value.HasMember("deep")) depth = depth_of(record.value["deep"]);
      return Status::Ok();
    });
    CHECK(status.ok());
    CHECK(depth == kDepth);
    // By default the 513th level ends the read at its bracket, the records before it visited.
    int visited = 0;
    Status refused = records::ReadRecordsFromString(text, "deep", format, {}, [&](records::Record&) {
      ++visited;
      return Status::Ok();
    });
    CHECK(refused.kind() == ErrorKind::kInput);
    const bool array = format == DataFormat::kJson;
    // The 513th level: NDJSON's {"deep": takes 9 columns before level 2; in the array, the
    // second record's "deep" value starts at column 21 with level 3.
    CHECK(refused.message() == "deep:1:" + std::string(array ? "531" : "521") +
                                   ": nesting deeper than 512 levels (objects and arrays inside each other)");
    CHECK(visited == (array ? 1 : 0));
  }
}

TEST_CASE("an NDJSON line nesting past the recursive parser's limit is read whole, escapes and all") {
  // The first parse (recursive, in situ) decodes the escapes in place before it stops at the
  // depth limit; the second must start from the line as it was.
  const std::string nested = std::string(300, '[') + "7" + std::string(300, ']');
  const std::string text = "{\"s\": \"a\\nb\\u00e9\\\"q\", \"deep\": " + nested + "}\n{\"s\": \"next\"}\n";
  std::vector<std::string> strings;
  int depth = 0;
  Status status = records::ReadRecordsFromString(text, "deep.ndjson", DataFormat::kNdjson, {}, [&](records::Record& record) {
    strings.emplace_back(record.value["s"].GetString(), record.value["s"].GetStringLength());
    if (record.value.HasMember("deep")) {
      for (const rapidjson::Value* at = &record.value["deep"]; at->IsArray(); at = &(*at)[0]) ++depth;
    }
    return Status::Ok();
  });
  REQUIRE(status.ok());
  CHECK(strings == std::vector<std::string>{"a\nb\u00e9\"q", "next"});
  CHECK(depth == 300);
}

TEST_CASE("visitor error stops the read") {
  auto stop_at_second = [](DataFormat format, const std::string& text) {
    int visits = 0;
    Status status = records::ReadRecordsFromString(text, "data", format, {}, [&](records::Record& record) {
      ++visits;
      if (record.index == 1) return Rejected("enough");
      return Status::Ok();
    });
    CHECK(visits == 2);
    CHECK(status.kind() == ErrorKind::kRejected);
    CHECK(status.message() == "enough");
  };
  stop_at_second(DataFormat::kJson, "[1, 2, 3, 4]");
  stop_at_second(DataFormat::kNdjson, "1\n2\n3\n");
  stop_at_second(DataFormat::kCsv, "a\n1\n2\n3\n");
}

TEST_CASE("records larger than the pool and long lines read whole") {
  // One NDJSON line and one CSV cell of 1 MiB: the buffer grows to hold them, the pool too.
  const std::string big(1 << 20, 'x');
  ReadResult ndjson = ReadString("{\"a\":1}\n{\"big\":\"" + big + "\"}\n{\"a\":2}\n", DataFormat::kNdjson);
  REQUIRE(ndjson.status.ok());
  REQUIRE(ndjson.records.size() == 3);
  CHECK(ndjson.records[1].json.size() == big.size() + 10);
  CHECK(ndjson.records[2].line == 3);

  ReadResult csv = ReadString("v\n\"" + big + "\"\nend\n", DataFormat::kCsv);
  REQUIRE(csv.status.ok());
  REQUIRE(csv.records.size() == 2);
  CHECK(csv.records[1].line == 3);
}

TEST_CASE("invalid UTF-8 names where it starts") {
  ReadResult json = Read("[{\"a\":\"ok\"},\n {\"a\":\"bad \xC3\x28\"}]", DataFormat::kJson);
  CHECK(json.records.size() == 1);
  CHECK(json.status.message() == "data:2:12: invalid UTF-8 (is the file in another encoding?)");

  ReadResult csv = Read("a,b\n1,x\n2,\"q\nr\xFF\"\n", DataFormat::kCsv);
  CHECK(csv.records.size() == 1);
  CHECK_THAT(csv.status.message(), StartsWith("data:4:2: invalid UTF-8"));

  ReadResult cut_short = Read("{\"a\":1}\n\"\xE6\x9D", DataFormat::kNdjson);
  CHECK(cut_short.status.message() == "data:2:2: invalid UTF-8 (is the file in another encoding?)");

  for (const std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80"}) {
    CHECK_FALSE(Read("\"" + bad + "\"", DataFormat::kJson).status.ok());
  }
  ReadResult four_bytes = Read("\"\xF0\x9F\x98\x80\"", DataFormat::kJson);
  CHECK(four_bytes.status.ok());
}

TEST_CASE("a byte that starts no UTF-8 sequence gets the same error whatever the read buffer") {
  // Found by fuzzing: in memory it was "invalid UTF-8", through a 1-byte buffer "Invalid value."
  // (the parser refused the lead byte before the check had seen the byte after it).
  const std::string text = "[\"mon\", \xD9thu\"]";
  ReadResult whole = ReadString(text, DataFormat::kJson);
  CHECK(whole.status.message() == "data:1:9: invalid UTF-8 (is the file in another encoding?)");
  for (std::size_t buffer = 1; buffer <= 12; ++buffer) {
    INFO("buffer " << buffer);
    ReadOptions options;
    options.buffer_bytes = buffer;
    CHECK(ReadString(text, DataFormat::kJson, options).status.message() == whole.status.message());
  }
  // The same in a \u escape (found by fuzzing: "Incorrect hex digit" at the escape through a
  // 4-byte buffer), where the parser stops at the lead byte.
  const std::string escape = "[\"a\\u0\xF1" "e\\u\"]";
  CHECK(ReadString(escape, DataFormat::kJson).status.message() == "data:1:7: invalid UTF-8 (is the file in another encoding?)");
  for (std::size_t buffer = 1; buffer <= 12; ++buffer) {
    INFO("buffer " << buffer);
    ReadOptions options;
    options.buffer_bytes = buffer;
    CHECK(ReadString(escape, DataFormat::kJson, options).status.message() ==
          ReadString(escape, DataFormat::kJson).status.message());
  }
  // A sequence that is UTF-8 but no JSON token stays a syntax error, whatever the buffer.
  ReadOptions tiny;
  tiny.buffer_bytes = 1;
  CHECK(ReadString("[1, \xC3\xA9]", DataFormat::kJson, tiny).status.message() ==
        ReadString("[1, \xC3\xA9]", DataFormat::kJson).status.message());
  CHECK_THAT(ReadString("[1, \xC3\xA9]", DataFormat::kJson).status.message(), StartsWith("data:1:5: Invalid value"));
}

TEST_CASE("a lone surrogate escape is an input error in every JSON reader") {
  // Found by fuzzing: written back (a diff report, a published manifest) it was not UTF-8.
  ReadResult json = Read("[{\"a\": \"ok\"},\n {\"a\": \"x\\udc00\"}]", DataFormat::kJson);
  CHECK(json.records.size() == 1);
  CHECK(json.status.message() == "data:2:17: " + json::LoneSurrogateMessage());  // just past the string
  ReadResult ndjson = Read("{\"a\": \"ok\"}\n{\"\\uDFFF\": 1}\n", DataFormat::kNdjson);
  CHECK(ndjson.records.size() == 1);
  CHECK(ndjson.status.message() == "data:2:10: " + json::LoneSurrogateMessage());
  ReadResult pair = Read("[\"\\ud83d\\ude00\"]", DataFormat::kJson);
  REQUIRE(pair.status.ok());
  CHECK(Jsons(pair) == Strings{"\"\xF0\x9F\x98\x80\""});
}

TEST_CASE("numbers read as RapidJSON gives them, a zero with a large exponent included") {
  // Found by fuzzing: "0e62" made RapidJSON's full-precision conversion call __builtin_clz(0),
  // undefined (the ASan+UBSan build fails on it). The numbers are now converted by from_chars.
  const std::string numbers =
      "[0e62, -0e62, 0e-30, 0.000e-300, 0.1, 1e-400, 18446744073709551615, 18446744073709551616, "
      "-9223372036854775808, -9223372036854775809, -0, -0.0, 12, 1.5e300, 2.2250738585072014e-308]";
  ReadResult json = Read(numbers, DataFormat::kJson);
  ReadResult ndjson = Read(numbers + "\n", DataFormat::kNdjson);
  REQUIRE(json.status.ok());
  REQUIRE(ndjson.status.ok());
  REQUIRE(json.records.size() == 15);
  CHECK(Jsons(ndjson) == Strings{"[" + [&] {
          std::string joined;
          for (const auto& record : json.records) joined += (joined.empty() ? "" : ",") + record.json;
          return joined;
        }() + "]"});
  // RapidJSON's writer gives 2^64 as 18446744073709553000.0: the same double, not the shortest text.
  CHECK(Jsons(json) == Strings{"0.0", "-0.0", "0.0", "0.0", "0.1", "0.0", "18446744073709551615",
                               "18446744073709553000.0", "-9223372036854775808", "-9223372036854776000.0", "0", "-0.0",
                               "12", "1.5e300", "2.2250738585072014e-308"});
  CHECK_FALSE(Read("[1e400]", DataFormat::kJson).status.ok());  // too large for a double, as before
  // Found by fuzzing: RapidJSON lets some numbers past a double's range through when it does not
  // convert them itself; from_chars then gave infinity, which no JSON can hold (written back, it
  // vanished). Refused in every reader, at the number.
  ReadResult huge = Read("[1,\n 18478.9451163161e308]", DataFormat::kJson);
  CHECK(huge.records.size() == 1);
  CHECK_THAT(huge.status.message(), Catch::StartsWith("data:2:") && Catch::EndsWith(": Number too big to be stored in double."));
  ReadResult huge_line = Read("{\"a\": 1}\n{\"a\": -18478.9451163161e308}\n", DataFormat::kNdjson);
  CHECK(huge_line.records.size() == 1);
  CHECK_THAT(huge_line.status.message(), Catch::StartsWith("data:2:") && Catch::EndsWith(": Number too big to be stored in double."));
}

TEST_CASE("a file of NUL bytes or binary garbage is an input error at its first byte, in every format") {
  // Issue 29: a file of NULs given as .csv read as a header and no records, and as NDJSON gave
  // "The document is empty."
  const std::string nuls(4096, '\0');
  for (DataFormat format : {DataFormat::kCsv, DataFormat::kNdjson, DataFormat::kJson}) {
    INFO(pipeline::DataFormatName(format));
    ReadResult read = Read(nuls, format);
    CHECK(read.status.kind() == ErrorKind::kInput);
    CHECK(read.status.message() == "data:1:1: NUL byte (binary data?)");
    CHECK(read.records.empty());
  }
  std::string garbage;
  for (int i = 0; i < 256; ++i) garbage += static_cast<char>((i * 167 + 13) % 256);
  for (DataFormat format : {DataFormat::kCsv, DataFormat::kNdjson, DataFormat::kJson}) {
    INFO(pipeline::DataFormatName(format));
    CHECK(Read(garbage, format).status.kind() == ErrorKind::kInput);
  }
}

TEST_CASE("a NUL byte after good records names its line and column") {
  ReadResult csv = Read(std::string("a,b\n1,2\n3,x\0y\n", 15), DataFormat::kCsv);
  CHECK(csv.records.size() == 1);
  CHECK(csv.status.message() == "data:3:4: NUL byte (binary data?)");
  ReadResult json = Read(std::string("[1,\n2]\0\0\0", 9), DataFormat::kJson);
  CHECK(json.status.message() == "data:2:3: NUL byte (binary data?)");
  ReadResult ndjson = Read(std::string("{\"a\":1}\n{\"a\":\"\0\"}\n", 18), DataFormat::kNdjson);
  CHECK(ndjson.records.size() == 1);
  CHECK(ndjson.status.message() == "data:2:7: NUL byte (binary data?)");
}

TEST_CASE("a record over max_record_bytes is an input error at its start, in every format", "[limit]") {
  ReadOptions options;
  options.max_record_bytes = 100;
  const std::string big(1000, 'x');
  const std::string expected_text = "record larger than max_record_bytes (100 bytes)";

  ReadResult ndjson = Read("{\"a\":1}\n{\"a\":\"" + big + "\"}\n{\"a\":2}\n", DataFormat::kNdjson, options);
  CHECK(ndjson.records.size() == 1);
  CHECK_THAT(ndjson.status.message(), StartsWith("data:2:1: " + expected_text));
  ReadResult one_line = Read(big + big + big, DataFormat::kNdjson, options);  // no line break at all
  CHECK_THAT(one_line.status.message(), StartsWith("data:1:1: " + expected_text));

  ReadResult csv = Read("a,b\n1,2\n3,\"" + big + "\"\n5,6\n", DataFormat::kCsv, options);
  CHECK(csv.records.size() == 1);
  CHECK_THAT(csv.status.message(), StartsWith("data:3:1: " + expected_text));
  ReadResult csv_one_line = Read("a,b\n" + big + big, DataFormat::kCsv, options);
  CHECK_THAT(csv_one_line.status.message(), StartsWith("data:2:1: " + expected_text));

  ReadResult json = Read("[{\"a\":1},\n {\"a\":\"" + big + "\"}, {\"a\":2}]", DataFormat::kJson, options);
  CHECK(json.records.size() == 1);
  CHECK_THAT(json.status.message(), StartsWith("data:2:2: " + expected_text));
  ReadResult document = Read("{\"a\":\"" + big + "\"}", DataFormat::kJson, options);
  CHECK_THAT(document.status.message(), StartsWith("data:1:1: " + expected_text));

  ReadResult within = Read("{\"a\":\"" + std::string(80, 'x') + "\"}\n", DataFormat::kNdjson, options);
  CHECK(within.status.ok());
}

TEST_CASE("a JSON syntax error is placed alike whatever the read buffer's size", "[records][nested]") {
  // The check for invalid UTF-8 after a syntax error may read on into a buffer that moves: the
  // error's column used to be taken after it, and came out as a huge number at some sizes.
  TempDir dir;
  std::string doc = "{\"meta\": [1, {\"k\": \"v\"}],\n \"data\": {\"a\": {\"VALUES\": [\n";
  for (int i = 0; i < 40; ++i) doc += "  {\"id\": " + std::to_string(i) + ", \"s\": \"x]}\"},\n";
  for (const std::string& fault : {std::string("{\"id\": 1,}"), std::string("{\"id\" 1}"), std::string("[1 2]")}) {
    auto path = dir.Write("doc.json", doc + "  " + fault + "]}}}\n");
    for (bool nested : {false, true}) {
      ReadOptions options;
      if (nested) options.records = json::ParsePointerPattern("/data/{series}/VALUES").value();
      auto message = [&](std::size_t buffer) {
        options.buffer_bytes = buffer;
        Status status = records::ReadRecords(path, DataFormat::kJson, options, [](records::Record&) { return Status::Ok(); });
        return status.message();
      };
      const std::string expected = message(64 << 10);
      REQUIRE_THAT(expected, Contains(":43:"));
      for (std::size_t buffer = 1; buffer <= 64; ++buffer) {
        INFO(fault << ", nested " << nested << ", buffer " << buffer);
        CHECK(message(buffer) == expected);
      }
    }
  }
}
