// Records inside a JSON document (a source's "records" pointer, issue 31), read the ways sluice
// reads them: the one-thread reader (ReadRecords with ReadOptions::records) through a large and a
// tiny buffer, and ReadNestedInParallel with the caller's thread alone, one worker and two, in tiny
// blocks, with and without the fast lane. The headers promise the same records, fields, places and
// errors every way (parallel_nested.h: "the records and errors are always ReadRecords'").
//
// Input layout: the records pointer pattern (e.g. `/data/{series}/VALUES`), a line feed, then the
// document. A first line that is no pattern is skipped (ParsePointerPattern's own errors are the
// manifest target's business).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "fuzz_input.h"
#include "json/json.h"
#include "json/pointer_pattern.h"
#include "json/repeated_keys.h"
#include "records/parallel_nested.h"
#include "records/reader.h"

namespace {

using sluice::Status;
namespace records = sluice::records;
namespace json = sluice::json;

struct Seen {
  std::string json;  // "null" for a record that took the fast lane
  std::uint64_t index, line, column, duplicate_keys;
  std::string first_duplicate_key;
  bool valueless;
};

struct Read {
  std::vector<Seen> records;
  std::string status;  // "" when the read succeeded
};

Seen SeenOf(const records::Record& r) {
  return {json::Write(r.value), r.index, r.line, r.column, r.duplicate_keys, r.first_duplicate_key, r.valueless};
}

// The fast lane's verdict: an object whose "id" is an even integer and repeats no key. Whatever
// it says, positions and errors must not change; only the records it passes lose their values.
bool PassesFast(const simdjson::dom::element& record) {
  std::int64_t id = 0;
  return record.type() == simdjson::dom::element_type::OBJECT && record["id"].get(id) == simdjson::SUCCESS &&
         id % 2 == 0 && !json::RepeatsAKey(record);
}

Read OneThread(const std::filesystem::path& file, records::ReadOptions options, std::size_t buffer) {
  Read read;
  options.buffer_bytes = buffer;
  Status status = records::ReadRecords(file, sluice::pipeline::DataFormat::kJson, options, [&](records::Record& r) {
    read.records.push_back(SeenOf(r));
    return Status::Ok();
  });
  read.status = status.ok() ? "" : status.message();
  return read;
}

Read Parallel(const std::filesystem::path& file, records::ReadOptions options, std::size_t workers, bool fast) {
  Read read;
  options.buffer_bytes = 16;
  Status status = records::ReadNestedInParallel(
      file, options, workers, [](records::Record& r) { r.verdict = r.value.IsObject(); },
      [&](records::Record& r) {
        read.records.push_back(SeenOf(r));
        return Status::Ok();
      },
      /*block_bytes=*/32, fast ? records::FastLane{PassesFast, {}} : records::FastLane{});
  read.status = status.ok() ? "" : status.message();
  return read;
}

void Compare(const Read& expected, const Read& got, const std::string& how) {
  if (expected.status != got.status) {
    sluice::fuzz::Broken("nested_records",
                         fmt::format("one thread says \"{}\", {} says \"{}\"", expected.status, how, got.status));
  }
  if (expected.records.size() != got.records.size()) {
    sluice::fuzz::Broken("nested_records", fmt::format("one thread visits {} records, {} {}", expected.records.size(),
                                                       how, got.records.size()));
  }
  for (std::size_t i = 0; i < got.records.size(); ++i) {
    const Seen& a = expected.records[i];
    const Seen& b = got.records[i];
    bool same_place = a.index == b.index && a.line == b.line && a.column == b.column;
    // A fast-lane record has no value; it must be one the verdict passes, in the same place.
    bool same = b.valueless ? b.json == "null" && a.duplicate_keys == 0
                            : a.json == b.json && a.duplicate_keys == b.duplicate_keys &&
                                  a.first_duplicate_key == b.first_duplicate_key && !a.valueless;
    if (!same_place || !same) {
      sluice::fuzz::Broken("nested_records",
                           fmt::format("record {} at {}:{} is {} on one thread; {} gives record {} at {}:{}: {}{}", a.index,
                                       a.line, a.column, a.json, how, b.index, b.line, b.column, b.json,
                                       b.valueless ? " (fast lane)" : ""));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return 0;
  auto pattern = json::ParsePointerPattern(text.substr(0, newline));
  if (!pattern.ok()) return 0;

  const std::filesystem::path file = sluice::fuzz::ScratchDirectory() / "document.json";
  sluice::fuzz::WriteScratchFile(file, text.substr(newline + 1));
  records::ReadOptions options;
  options.records = *pattern;
  // Small limits, so that the fuzzer reaches them with small inputs.
  options.max_depth = 12;
  options.max_record_bytes = 512;

  const Read expected = OneThread(file, options, 64 * 1024);
  Compare(expected, OneThread(file, options, 7), "the one-thread reader through a 7-byte buffer");
  for (std::size_t workers : {std::size_t{0}, std::size_t{1}, std::size_t{2}}) {
    for (bool fast : {false, true}) {
      Compare(expected, Parallel(file, options, workers, fast),
              fmt::format("the parallel reader on {} worker(s) in 32-byte blocks{}", workers,
                          fast ? " with the fast lane" : ""));
    }
  }
  return 0;
}
