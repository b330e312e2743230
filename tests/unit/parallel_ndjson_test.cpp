// ReadNdjsonInParallel against the one-thread reader: the same records, positions and errors,
// in the same order, whatever the block size and the number of workers, with or without the
// fast lane (simdjson and a fast verdict) in front.
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
};

Seen SeenOf(const records::Record& r) {
  return {json::Write(r.value), r.index, r.line, r.column, r.duplicate_keys, r.first_duplicate_key, r.valueless};
}

// Even ids "pass": what the preparer decides on a worker, checked again where it is delivered.
bool EvenId(const rapidjson::Value& value) {
  return value.IsObject() && value.HasMember("id") && value["id"].IsInt() && value["id"].GetInt() % 2 == 0;
}

Outcome OneThread(const std::filesystem::path& path, std::size_t stop_after) {
  Outcome out;
  Status status = records::ReadRecords(path, DataFormat::kNdjson, {}, [&](records::Record& r) {
    out.records.push_back(SeenOf(r));
    return out.records.size() == stop_after ? Rejected("stop") : Status::Ok();
  });
  out.status = status.ok() ? "" : status.message();
  return out;
}

// EvenId's fast verdict, with the promise a FastVerdict makes about repeated keys.
bool EvenIdFast(const simdjson::dom::element& record) {
  std::int64_t id = 0;
  return record.type() == simdjson::dom::element_type::OBJECT && record["id"].get(id) == simdjson::SUCCESS &&
         id % 2 == 0 && !json::RepeatsAKey(record);
}

Outcome Parallel(const std::filesystem::path& path, std::size_t workers, std::size_t block, std::size_t stop_after,
                 bool fast = false) {
  Outcome out;
  records::ReadOptions options;
  options.buffer_bytes = 512;
  Status status = records::ReadNdjsonInParallel(
      path, options, workers, [](records::Record& r) { r.verdict = EvenId(r.value); },
      [&](records::Record& r) {
        // Prepared on a worker, unless handed back for being large (then not prepared at all).
        if (r.verdict && !r.valueless) REQUIRE(*r.verdict == EvenId(r.value));
        if (r.valueless) REQUIRE(r.verdict == std::optional<bool>(true));
        out.records.push_back(SeenOf(r));
        return out.records.size() == stop_after ? Rejected("stop") : Status::Ok();
      },
      block, fast ? records::FastLane{EvenIdFast, {}} : records::FastLane{});
  out.status = status.ok() ? "" : status.message();
  return out;
}

// A record from the fast lane matches the one-thread reader's record when that one passes the
// verdict and is in the same place; any other record must be the same in every respect.
void RequireSame(const Seen& got, const Seen& expected) {
  if (!got.valueless) {
    REQUIRE(got == expected);
    return;
  }
  auto value = json::Parse(expected.json, "expected record");
  REQUIRE(value.ok());
  CHECK(EvenId(*value));
  CHECK(expected.duplicate_keys == 0);
  CHECK(got.json == "null");
  CHECK(std::tie(got.index, got.line, got.column) == std::tie(expected.index, expected.line, expected.column));
}

// Awkward NDJSON: escapes, Unicode, blank and space-only lines, CRLF, repeated keys, a line
// nesting past the recursive parser's limit, a record too large to hand over, maybe a BOM, maybe
// no final newline, and maybe one fault (invalid UTF-8, broken JSON, a NUL byte, a record over
// two lines, an unclosed string: what the fast lane's stream of documents must not take).
std::string Awkward(std::mt19937& random, int fault) {
  std::string text = random() % 3 == 0 ? "\xEF\xBB\xBF" : "";
  int lines = 50 + static_cast<int>(random() % 150);
  int fault_at = static_cast<int>(random() % lines);
  for (int i = 0; i < lines; ++i) {
    switch (random() % 17) {
      case 0: text += "\n"; continue;
      case 1: text += "   \t\r\n"; continue;
      case 2: text += fmt::format(R"({{"id": {}, "s": "tab\t quote\" é \u00e9 \ud83d\ude00"}})", i); break;
      case 3: text += fmt::format(R"({{"id": {}, "id": {}, "k": [1, 2.5, null, true]}})", i, i + 1); break;
      case 4: text += std::string(300, '[') + std::to_string(i) + std::string(300, ']'); break;
      case 12: text += fmt::format(R"({{"id": {}, "big": 18446744073709551616, "tiny": 1e-400, "n": 1E2}})", i * 2); break;
      case 13: text += fmt::format(R"(  {{"id": {}, "inner": {{"a": 1, "b": [{{"c": 1, "c": 2}}]}}}}  )", i * 2); break;
      case 14: text += fmt::format(R"({{"id": {}, "s": "\u00e9\ud83d\ude00\\ud800\\udc00"}})", i * 2); break;
      case 15: text += std::array<const char*, 5>{"42", "\"text\"", "[1, {\"id\": 2}]", "null", " true "}[random() % 5]; break;
      case 16: text += fmt::format("{{\"id\": {}}}\t \t", i * 2); break;
      case 5: {
        if (random() % 4 != 0) {
          text += fmt::format(R"({{"id": {}}})", i);
          break;
        }
        std::string big = fmt::format(R"({{"id": {}, "many": [)", i);
        for (int t = 0; t < 5000; ++t) big += fmt::format("{}\"t{}\"", t == 0 ? "" : ",", t);
        text += big + "]}";
        break;
      }
      default: text += fmt::format(R"({{"id": {}, "county": "C{}", "n": {}}})", i, i % 7, random() % 1000); break;
    }
    if (i == fault_at && fault == 1) text += " \xC3(";  // invalid UTF-8
    if (i == fault_at && fault == 2) text += ",";        // broken JSON
    if (i == fault_at && fault == 3) text += std::string(1, '\0') + "x";
    if (i == fault_at && fault == 4) text += R"( {"id": 2})";                 // a second document on the line
    if (i == fault_at && fault == 5) text += R"({"id": 4, "s": "\ud800"})";  // a lone surrogate
    if (i == fault_at && fault == 10) text += "\n" R"({"id": 12, "low": "\udc00"})";  // a lone low surrogate, a line of its own
    if (i == fault_at && fault == 6) text += "\n{\"id\": 6,\n \"x\": 1}";        // a record over two lines
    if (i == fault_at && fault == 7) text += R"( {"id": 8, "s": "unclosed)";  // the rest of the block in one string
    if (i == fault_at && fault == 8) text += " {\"id\":\n 10}";                  // a second record, over two lines
    if (i == fault_at && fault == 9) text += " x";                              // not JSON after a record
    text += random() % 5 == 0 ? "\r\n" : "\n";
  }
  if (random() % 2 == 0 && !text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace

TEST_CASE("parallel NDJSON gives the one-thread reader's records, positions and errors", "[records][threads]") {
  TempDir dir;
  std::mt19937 random(20261129);
  std::size_t fast_lane = 0;  // records that took it
  for (int round = 0; round < 60; ++round) {
    int fault = round % 4 == 0 ? static_cast<int>(1 + random() % 10) : 0;
    std::string text = Awkward(random, fault);
    auto path = dir.Write("data.ndjson", text);
    std::size_t stop_after = round % 7 == 3 ? 1 + random() % 40 : 0;  // the visitor stops the read
    Outcome expected = OneThread(path, stop_after);
    for (std::size_t block : {std::size_t{1}, std::size_t{700}, std::size_t{64} << 10}) {
      if (block == 1 && round % 4 != 0) continue;  // a block per line: slow, so in a few rounds only
      for (std::size_t workers : {std::size_t{0}, std::size_t{1}, std::size_t{3}}) {
        for (bool fast : {false, true}) {
          INFO("round " << round << ", fault " << fault << ", block " << block << ", workers " << workers << ", fast " << fast);
          Outcome got = Parallel(path, workers, block, stop_after, fast);
          CHECK(got.status == expected.status);
          REQUIRE(got.records.size() == expected.records.size());
          for (std::size_t i = 0; i < got.records.size(); ++i) RequireSame(got.records[i], expected.records[i]);
          if (fast) fast_lane += std::count_if(got.records.begin(), got.records.end(), [](const Seen& r) { return r.valueless; });
        }
      }
    }
  }
  INFO("records through the fast lane: " << fast_lane);
  CHECK(fast_lane > 1000);
}

TEST_CASE("parallel NDJSON: an empty file, a missing file", "[records][threads]") {
  TempDir dir;
  auto empty = dir.Write("empty.ndjson", "");
  CHECK(Parallel(empty, 2, 1024, 0).records.empty());
  CHECK(Parallel(empty, 2, 1024, 0).status.empty());
  CHECK_THAT(Parallel(dir.path() / "missing.ndjson", 2, 1024, 0).status, Catch::Contains("missing.ndjson"));
}

TEST_CASE("parallel NDJSON: a record longer than the fast lane's stream batch, among short ones", "[records][threads]") {
  TempDir dir;
  // 400 KiB in one record: more than a batch of the stream (256 KiB) and more than a kept record,
  // which the fast lane still passes (it has a parser of its own for it).
  std::string big = R"({"id": 8, "many": [)";
  for (int t = 0; t < 50000; ++t) big += fmt::format("{}\"t{}\"", t == 0 ? "" : ",", t);
  big += "]}";
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    text += fmt::format(R"({{"id": {}, "n": {}}})", i * 2, i) + "\n";
    if (i == 1000 || i == 2999) text += big + "\n";
  }
  auto path = dir.Write("big.ndjson", text);
  Outcome expected = OneThread(path, 0);
  REQUIRE(expected.status.empty());
  REQUIRE(expected.records.size() == 3002);
  for (std::size_t block : {std::size_t{4096}, std::size_t{1} << 20}) {
    for (std::size_t workers : {std::size_t{0}, std::size_t{2}}) {
      INFO("block " << block << ", workers " << workers);
      Outcome got = Parallel(path, workers, block, 0, true);
      CHECK(got.status == expected.status);
      REQUIRE(got.records.size() == expected.records.size());
      for (std::size_t i = 0; i < got.records.size(); ++i) RequireSame(got.records[i], expected.records[i]);
      CHECK(std::count_if(got.records.begin(), got.records.end(), [](const Seen& r) { return r.valueless; }) >= 3000);
    }
  }
}

TEST_CASE("parallel NDJSON: a line over max_record_bytes is the one-thread reader's error, after the records before it",
          "[records][threads][limit]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 500; ++i) text += fmt::format(R"({{"id": {}, "n": {}}})", i * 2, i) + "\n";
  std::string long_line = R"({"id": 2, "s": ")" + std::string(5000, 'x') + "\"}";
  auto path = dir.Write("long.ndjson", text + long_line + "\n" + text);
  auto no_newline = dir.Write("no_newline.ndjson", text + std::string(200000, 'x'));
  for (const auto& file : {path, no_newline}) {
    records::ReadOptions options;
    options.max_record_bytes = 4096;
    std::size_t one_thread_records = 0;
    Status one = records::ReadRecords(file, DataFormat::kNdjson, options, [&](records::Record&) {
      ++one_thread_records;
      return Status::Ok();
    });
    REQUIRE_FALSE(one.ok());
    CHECK_THAT(one.message(), Catch::StartsWith(file.string() + ":501:1: record larger than max_record_bytes (4 KiB)"));
    CHECK(one_thread_records == 500);
    for (std::size_t block : {std::size_t{700}, std::size_t{64} << 10}) {
      for (std::size_t workers : {std::size_t{0}, std::size_t{2}}) {
        for (bool fast : {false, true}) {
          INFO("block " << block << ", workers " << workers << ", fast " << fast);
          std::size_t seen = 0;
          Status parallel = records::ReadNdjsonInParallel(
              file, options, workers, [](records::Record&) {}, [&](records::Record&) {
                ++seen;
                return Status::Ok();
              },
              block, fast ? records::FastLane{EvenIdFast, {}} : records::FastLane{});
          CHECK(parallel.message() == one.message());
          CHECK(seen == 500);
        }
      }
    }
  }
}
