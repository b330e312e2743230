// ReadNestedInParallel against the one-thread reader (ReadRecords with a records pointer): the
// same records, fields, positions and errors, in the same order, whatever the block and buffer
// sizes and the number of workers, with or without the fast lane; and the records it can vouch
// for really are taken on the workers, not all handed back to the one-thread reader.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "json/json.h"
#include "json/repeated_keys.h"
#include "records/parallel_nested.h"
#include "records/reader.h"
#include "support/temp_dir.h"

using namespace sluice;
using pipeline::DataFormat;

namespace {

struct Seen {
  std::string json;
  std::uint64_t index, line, column, duplicate_keys;
  std::string first_duplicate_key;
  bool valueless = false;  // came through the fast lane: `json` is "null"
  bool operator==(const Seen&) const = default;
};

struct Outcome {
  std::vector<Seen> records;
  std::string status;  // "" when the read succeeded
  std::size_t on_workers = 0;  // records prepared or passed on a worker (not read again by ReadRecords)
};

Seen SeenOf(const records::Record& r) {
  return {json::Write(r.value), r.index, r.line, r.column, r.duplicate_keys, r.first_duplicate_key, r.valueless};
}

// Even ids pass, unless the record's series (a wildcard's field) is "odd": so the fast verdict
// must see the field the reader adds.
bool Passes(const rapidjson::Value& value) {
  if (!value.IsObject() || !value.HasMember("id") || !value["id"].IsInt() || value["id"].GetInt() % 2 != 0) return false;
  auto series = value.FindMember("series");
  return series == value.MemberEnd() || !series->value.IsString() || std::string(series->value.GetString()) != "odd";
}

bool PassesFast(const simdjson::dom::element& record) {
  std::int64_t id = 0;
  if (record.type() != simdjson::dom::element_type::OBJECT || record["id"].get(id) != simdjson::SUCCESS || id % 2 != 0 ||
      json::RepeatsAKey(record)) {
    return false;
  }
  std::string_view series;
  return record["series"].get(series) != simdjson::SUCCESS || series != "odd";
}

records::ReadOptions OptionsFor(const std::string& pointer) {
  records::ReadOptions options;
  auto pattern = json::ParsePointerPattern(pointer);
  REQUIRE(pattern.ok());
  options.records = *pattern;
  return options;
}

Outcome OneThread(const std::filesystem::path& path, const records::ReadOptions& options, std::size_t stop_after) {
  Outcome out;
  Status status = records::ReadRecords(path, DataFormat::kJson, options, [&](records::Record& r) {
    out.records.push_back(SeenOf(r));
    return out.records.size() == stop_after ? Rejected("stop") : Status::Ok();
  });
  out.status = status.ok() ? "" : status.message();
  return out;
}

Outcome Parallel(const std::filesystem::path& path, records::ReadOptions options, std::size_t workers,
                 std::size_t block, std::size_t buffer, std::size_t stop_after, bool fast) {
  Outcome out;
  options.buffer_bytes = buffer;
  Status status = records::ReadNestedInParallel(
      path, options, workers, [](records::Record& r) { r.verdict = r.duplicate_keys == 0 && Passes(r.value); },
      [&](records::Record& r) {
        if (r.valueless) {
          REQUIRE(r.verdict == std::optional<bool>(true));
        } else if (r.verdict) {
          REQUIRE(*r.verdict == (r.duplicate_keys == 0 && Passes(r.value)));
        }
        if (r.verdict) ++out.on_workers;
        out.records.push_back(SeenOf(r));
        return out.records.size() == stop_after ? Rejected("stop") : Status::Ok();
      },
      block, fast ? records::FastLane{PassesFast, {}} : records::FastLane{});
  out.status = status.ok() ? "" : status.message();
  return out;
}

// A record from the fast lane matches the one-thread reader's when that one passes the verdict
// and is in the same place; any other record must be the same in every respect.
void RequireSame(const Seen& got, const Seen& expected) {
  if (!got.valueless) {
    REQUIRE(got == expected);
    return;
  }
  auto value = json::Parse(expected.json, "expected record");
  REQUIRE(value.ok());
  CHECK(Passes(*value));
  CHECK(expected.duplicate_keys == 0);
  CHECK(got.json == "null");
  CHECK(std::tie(got.index, got.line, got.column) == std::tie(expected.index, expected.line, expected.column));
}

// Compares every way of reading `text` in parallel with the one-thread reader; returns the
// fewest records any of them took on the workers.
std::size_t RequireSameAsOneThread(const std::string& text, const records::ReadOptions& options,
                                   std::size_t stop_after = 0, bool thorough = true) {
  TempDir dir;
  auto path = dir.Write("doc.json", text);
  std::size_t fewest = SIZE_MAX;
  for (std::size_t buffer : {std::size_t{1}, std::size_t{7}, std::size_t{64} << 10}) {
    records::ReadOptions same = options;
    same.buffer_bytes = buffer;
    Outcome expected = OneThread(path, same, stop_after);
    for (std::size_t block : {std::size_t{1}, std::size_t{61}, std::size_t{1} << 20}) {
      if (!thorough && (block == 1) != (buffer == 1)) continue;
      for (std::size_t workers : {std::size_t{0}, std::size_t{1}, std::size_t{3}}) {
        for (bool fast : {false, true}) {
          INFO("block " << block << ", buffer " << buffer << ", workers " << workers << ", fast " << fast);
          Outcome got = Parallel(path, options, workers, block, buffer, stop_after, fast);
          CHECK(got.status == expected.status);
          REQUIRE(got.records.size() == expected.records.size());
          for (std::size_t i = 0; i < got.records.size(); ++i) RequireSame(got.records[i], expected.records[i]);
          fewest = std::min(fewest, got.on_workers);
        }
      }
    }
  }
  return fewest;
}

}  // namespace

TEST_CASE("parallel nested records: brackets, braces and escaped quotes in strings", "[records][nested][threads]") {
  const std::string text = R"({"meta": {"s": "]}[{\"", "a": [1, "}", {"b": "\\"}], "t": "\\\"]"},
 "data": {"cases": {"DATE_RANGE": {"MINIMUM": "]"}, "VALUES": [
  {"id": 2, "s": "[{\"}"}, {"id": 3, "s": "\\"},
  {"id": 4, "s": "\\\\\"]}", "t": "\u005d\u007d"}, {"id": 6, "x": "}]}]"}]}}}
)";
  INFO(text);
  CHECK(RequireSameAsOneThread(text, OptionsFor("/data/{series}/VALUES")) == 4);
}

TEST_CASE("parallel nested records: escapes in member names on the path", "[records][nested][threads]") {
  // Read by the one-thread reader from the escaped key on (the scan does not decode keys), with
  // the records before it taken on the workers.
  const std::string text = R"({"data": {"plain": {"VALUES": [{"id": 2}, {"id": 4}]},
  "\u00e9t\u00e9": {"VALUES": [{"id": 6}]}, "tab\there": {"VALUES": [{"id": 8}]},
  "d\u0061ta": {"VALUES": [{"id": 10}]}}}
)";
  CHECK(RequireSameAsOneThread(text, OptionsFor("/data/{series}/VALUES")) == 2);
  CHECK(RequireSameAsOneThread(R"({"d\u0061ta": {"a": {"VALUES": [{"id": 2}]}}})", OptionsFor("/data/{series}/VALUES")) ==
        0);
  // Escapes inside the records and in keys off the path are the workers' to decode.
  CHECK(RequireSameAsOneThread(R"({"meta": {"m\u00e9ta": 1}, "data": {"a": {"VALUES": [{"\u0069d": 2, "s\u00e9": "\ud83d\ude00"}]}}})",
                               OptionsFor("/data/{series}/VALUES")) == 1);
}

TEST_CASE("parallel nested records: nested arrays, several matches, empty arrays, array indexes",
          "[records][nested][threads]") {
  const std::string text = R"({"data": {
  "a": {"VALUES": [{"id": 2, "x": [[1, [2]], {"y": [3, []]}]}, {"id": 3, "x": [[[[]]]]}]},
  "b": {"VALUES": []}, "c": {"VALUES": [ ]}, "skip": {"OTHER": [1, 2]},
  "odd": {"VALUES": [{"id": 4}, {"id": 5}]},
  "d": {"VALUES": [{}, { }, {"id": 8}]}}}
)";
  CHECK(RequireSameAsOneThread(text, OptionsFor("/data/{series}/VALUES")) == 7);
  CHECK(RequireSameAsOneThread(R"({"data": [[{"id": 2}], [], [{"id": 4}, {"id": 5}], 7, {"x": 1}]})",
                               OptionsFor("/data/{n}")) == 3);
  CHECK(RequireSameAsOneThread(R"([[{"id": 2}], [{"id": 4}]])", OptionsFor("/{n}")) == 2);
  CHECK(RequireSameAsOneThread(R"([{"id": 2}, 3, "x", null])", OptionsFor("")) == 4);
  CHECK(RequireSameAsOneThread(R"({"data": {"a": {"VALUES": [{"id": 2}]}, "b": {"VALUES": [{"id": 4}]}}})",
                               OptionsFor("/data/*/VALUES")) == 2);
}

TEST_CASE("parallel nested records: a matched array of scalars", "[records][nested][threads]") {
  // Without a wildcard, scalars are records like any other.
  CHECK(RequireSameAsOneThread(R"({"data": {"VALUES": [1, "a]", null, true, 2.5, -0, 1e5, {"id": 2}, [3]]}})",
                               OptionsFor("/data/VALUES")) == 9);
  // With one, a scalar cannot take the field: the one-thread reader's error, after the records before it.
  CHECK(RequireSameAsOneThread(R"({"data": {"a": {"VALUES": [{"id": 2}, 1, {"id": 4}]}}})",
                               OptionsFor("/data/{series}/VALUES")) == 1);
}

TEST_CASE("parallel nested records: errors anywhere are the one-thread reader's", "[records][nested][threads]") {
  const std::string head = R"({"meta": {"a": 1}, "data": {"a": {"VALUES": [{"id": 2}, {"id": 4},
)";
  const std::string tail = R"(, {"id": 6}]}, "b": {"VALUES": [{"id": 8}]}}, "after": [1, {"x": "y"}]}
)";
  const std::vector<std::string> faults = {
      R"({"id": 10,})",                          // malformed inside a record
      R"({"id": 10, "x": [[[[[[[[1]]]]]]]]})",  // too deep for max_depth 8
      R"({"id": 10, "s": "\ud800"})",            // a lone surrogate
      R"({"id": 10, "n": 1e400})",               // beyond a double
      R"({"id": 10, "n": 18446744073709551616})",
      "{\"id\": 10, \"s\": \"\xC3(\"}",          // invalid UTF-8
      std::string("{\"id\": 10, \"s\": \"a") + '\0' + "b\"}",  // a NUL byte
      R"({"id": 10, "series": "x"})",           // the wildcard's field is there already
      R"({"id": 10, "id": 12})",                // a repeated key: a record, not an error
      R"({"id": 10, "s": ")" + std::string(300, 'x') + R"("})",  // over max_record_bytes 200
      R"({"id": 10} {"id": 12})",
      R"({"id": 10}, )",
      "\"unclosed",
  };
  records::ReadOptions options = OptionsFor("/data/{series}/VALUES");
  options.max_depth = 8;
  options.max_record_bytes = 200;
  for (const auto& fault : faults) {
    INFO(fault);
    CHECK(RequireSameAsOneThread(head + fault + tail, options, 0, false) >= 2);
  }
  // Outside the records: after them, between them, at the end.
  for (const auto& text : {head + "{\"id\": 6}]}, \"b\": {\"VALUES\": [{\"id\": 8}]}}, \"after\": [1,]}",
                           head + "{\"id\": 6}]}, \"b\": \"x\" \"c\"}}",
                           head + "{\"id\": 6}]}, \"b\": {\"VALUES\": {\"id\": 8}}}}",
                           head + "{\"id\": 6}]}}} trailing", head + "{\"id\": 6}]}}}\n\n",
                           head + "{\"id\": 6}]}, \"b\": {\"VALUES\": [{\"id\": 8}]}}, \"after\": 1e999}",
                           head + "{\"id\": 6}]}, \"b\": {\"VALUES\": [{\"id\": 8}]}}, \"\xC3(\": 1}",
                           head + "{\"id\": 6}]}, \"b\": [[[[[[[[[[1]]]]]]]]]]}}", head + "{\"id\": 6}]}}"}) {
    INFO(text);
    CHECK(RequireSameAsOneThread(text, options, 0, false) >= 2);
  }
  // No match, a match that is not an array, an empty file, a byte order mark.
  for (const auto& text : {std::string(R"({"data": {}})"), std::string(R"({"data": {"a": {"VALUES": 3}}})"),
                           std::string(), std::string(" \n "), std::string("\xEF\xBB\xBF") + head + "{}]}}}"}) {
    INFO(text);
    RequireSameAsOneThread(text, options, 0, false);
  }
}

TEST_CASE("parallel nested records: a visitor's error stops the read where it stops the one-thread reader's",
          "[records][nested][threads]") {
  std::string text = R"({"data": {"a": {"VALUES": [)";
  for (int i = 0; i < 300; ++i) text += fmt::format("{}{{\"id\": {}}}", i == 0 ? "" : ",\n", i);
  text += "]}}}";
  for (std::size_t stop : {1, 2, 77, 300}) RequireSameAsOneThread(text, OptionsFor("/data/{series}/VALUES"), stop, false);
}

namespace {

// A JSON value with awkward strings, nesting and spacing, valid unless `broken`.
std::string RandomValue(std::mt19937& random, int depth) {
  switch (random() % (depth > 3 ? 4 : 7)) {
    case 0: return std::to_string(static_cast<int>(random() % 2000) - 1000);
    case 1: return std::array<const char*, 6>{R"("a]}\"")", R"("\\")", R"("[{")", R"("\u00e9\ud83d\ude00")", "\"\xC3\xA9\"",
                                              R"("\n\t")"}[random() % 6];
    case 2: return std::array<const char*, 5>{"true", "false", "null", "2.5e-3", "-0.0"}[random() % 5];
    case 3: return "\"s\"";
    case 4: {
      std::string out = "[";
      for (int i = 0, n = static_cast<int>(random() % 4); i < n; ++i) out += (i ? ", " : "") + RandomValue(random, depth + 1);
      return out + (random() % 3 == 0 ? "\n]" : "]");
    }
    default: {
      std::string out = "{";
      for (int i = 0, n = static_cast<int>(random() % 4); i < n; ++i) {
        out += fmt::format("{}\"k{}\" :\r\n {}", i ? ", " : "", i, RandomValue(random, depth + 1));
      }
      return out + "}";
    }
  }
}

std::string RandomRecord(std::mt19937& random, int id) {
  std::string out = fmt::format("{{\"id\": {}", id);
  for (int i = 0, n = static_cast<int>(random() % 4); i < n; ++i) out += fmt::format(", \"f{}\": {}", i, RandomValue(random, 1));
  if (random() % 13 == 0) out += ", \"id\": 0";  // a repeated key
  return out + "}";
}

// A document of series under /data/{series}/VALUES with values beside and around them, maybe
// with one fault somewhere.
std::string RandomDocument(std::mt19937& random, int fault) {
  std::vector<std::string> parts;
  auto space = [&] { return std::array<const char*, 5>{"", " ", "\n", "\r\n  ", "\t"}[random() % 5]; };
  std::string doc = std::string("{") + space() + "\"meta\": " + RandomValue(random, 0) + ",\"data\":" + space() + "{";
  int series = 1 + static_cast<int>(random() % 4);
  int id = 0;
  for (int s = 0; s < series; ++s) {
    const char* name = std::array<const char*, 4>{"cases", "odd", "deaths", "tests"}[random() % 4];
    doc += fmt::format("{}\"{}\": {{\"DATE_RANGE\": {},{}\"VALUES\": [", s ? "," : "", name, RandomValue(random, 1), space());
    for (int i = 0, n = static_cast<int>(random() % 40); i < n; ++i) doc += (i ? "," : "") + std::string(space()) + RandomRecord(random, id++);
    doc += std::string(space()) + "]}";
  }
  doc += "}, \"after\": " + RandomValue(random, 0) + "}" + space();
  if (fault > 0) {
    std::size_t at = random() % doc.size();
    switch (fault) {
      case 1: doc.insert(at, ","); break;
      case 2: doc.erase(at, 1); break;
      case 3: doc.insert(at, "\xC3("); break;
      case 4: doc.insert(at, "\"\\ud800\""); break;
      default: doc.insert(at, "]"); break;
    }
  }
  return doc;
}

}  // namespace

TEST_CASE("parallel nested records: random documents read as the one-thread reader reads them",
          "[records][nested][threads]") {
  std::mt19937 random(20261207);
  records::ReadOptions options = OptionsFor("/data/{series}/VALUES");
  options.max_depth = 9;
  std::size_t on_workers = 0;
  for (int round = 0; round < 120; ++round) {
    const int fault = round % 3 == 0 ? static_cast<int>(1 + random() % 5) : 0;
    const std::string text = RandomDocument(random, fault);
    INFO("round " << round << ", fault " << fault << "\n" << text);
    on_workers += RequireSameAsOneThread(text, options, round % 11 == 5 ? 1 + random() % 20 : 0, round % 10 == 0);
  }
  INFO("records taken on the workers: " << on_workers);
  CHECK(on_workers > 1000);
}

TEST_CASE("a top-level JSON array read in parallel with the root pointer is what ReadRecords reads without one",
          "[records][nested][threads]") {
  // sluice-validate reads a JSON array this way (checks/engine.cpp, records::StartsWithArray).
  TempDir dir;
  CHECK(records::StartsWithArray(dir.Write("a.json", " \r\n\t[1]")));
  CHECK(records::StartsWithArray(dir.Write("b.json", "\xEF\xBB\xBF  [")));
  CHECK(records::StartsWithArray(dir.Write("c.json", std::string(10000, ' ') + "[]")));
  CHECK_FALSE(records::StartsWithArray(dir.Write("d.json", "{\"a\": [1]}")));
  CHECK_FALSE(records::StartsWithArray(dir.Write("e.json", " \n ")));
  CHECK_FALSE(records::StartsWithArray(dir.Write("f.json", "")));
  CHECK_FALSE(records::StartsWithArray(dir.path() / "missing.json"));
  CHECK_FALSE(records::StartsWithArray(dir.Write("g.json", "\"[\"")));

  std::vector<std::string> texts = {"[]", " [ ] \n", "[1, \"a]\", null, [2], {\"id\": 2}]", "\xEF\xBB\xBF[{\"id\": 2}]",
                                    "[{\"id\": 2},]", "[{\"id\": 2}] x", "[{\"id\": 2}] [3]",
                                    "[{\"id\": 2}, [[[[[[[[[[1]]]]]]]]]]]", "[{\"id\": 2}, \"\xC3(\"]",
                                    "[{\"id\": 2},\n {\"id\": 1e400}]", "[7\xF4 ]", "[{\"id\": 2}, {\"id\": 4, \"id\": 6}]",
                                    "[{\"s\": \"\\ud800\"}]", "[{\"id\": 2}", "[{\"id\": 2}, {\"id\": 4}]\n\n"};
  std::mt19937 random(31);
  for (int round = 0; round < 40; ++round) {
    std::string text = "[";
    for (int i = 0, n = static_cast<int>(random() % 30); i < n; ++i) text += (i ? ",\n " : "") + RandomRecord(random, i);
    text += "]";
    if (round % 3 == 0) text.insert(random() % text.size(), std::array<const char*, 4>{",", "]", "\xC3(", "{"}[random() % 4]);
    texts.push_back(text);
  }
  records::ReadOptions root;
  root.records = json::PointerPattern{};
  root.max_depth = 9;
  records::ReadOptions flat;
  flat.max_depth = 9;
  std::size_t on_workers = 0;
  for (const auto& text : texts) {
    INFO(text);
    auto path = dir.Write("doc.json", text);
    for (std::size_t buffer : {std::size_t{1}, std::size_t{7}, std::size_t{64} << 10}) {
      records::ReadOptions same = flat;
      same.buffer_bytes = buffer;
      Outcome expected = OneThread(path, same, 0);
      for (std::size_t workers : {std::size_t{0}, std::size_t{1}, std::size_t{3}}) {
        for (bool fast : {false, true}) {
          INFO("buffer " << buffer << ", workers " << workers << ", fast " << fast);
          Outcome got = Parallel(path, root, workers, 61, buffer, 0, fast);
          CHECK(got.status == expected.status);
          REQUIRE(got.records.size() == expected.records.size());
          for (std::size_t i = 0; i < got.records.size(); ++i) RequireSame(got.records[i], expected.records[i]);
          on_workers += got.on_workers;
        }
      }
    }
  }
  CHECK(on_workers > 1000);  // taken on the workers, not all handed back to the one-thread reader
}
