// An NDJSON data file, read the three ways sluice reads one: the one-thread reader (in memory and
// from a file through a tiny buffer), and ReadNdjsonInParallel on a worker thread in tiny blocks,
// with and without simdjson's fast lane. Its header promises the same records at the same places
// and the same errors every way.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "fuzz_input.h"
#include "json/repeated_keys.h"
#include "record_stream.h"

namespace {

using sluice::Status;
namespace records = sluice::records;

struct Place {
  std::uint64_t index, line, column;
  bool operator==(const Place&) const = default;
};

struct Read {
  std::vector<Place> places;
  Status status;
};

Read ReadWith(const std::filesystem::path& file, std::size_t workers, const records::FastLane& fast) {
  Read read;
  records::ReadOptions options;
  options.buffer_bytes = 16;
  read.status = records::ReadNdjsonInParallel(
      file, options, workers, [](records::Record& record) { record.verdict = record.value.IsObject(); },
      [&](records::Record& record) {
        read.places.push_back({record.index, record.line, record.column});
        return Status::Ok();
      },
      /*block_bytes=*/32, fast);
  return read;
}

void Compare(const Read& expected, const Read& got, const char* how) {
  if (expected.status.message() != got.status.message() || expected.status.ok() != got.status.ok()) {
    sluice::fuzz::Broken("ndjson_records", fmt::format("one thread says \"{}\", {} says \"{}\"",
                                                       expected.status.message(), how, got.status.message()));
  }
  if (expected.places.size() != got.places.size()) {
    sluice::fuzz::Broken("ndjson_records", fmt::format("one thread visits {} records, {} {}", expected.places.size(),
                                                       how, got.places.size()));
  }
  for (std::size_t i = 0; i < got.places.size(); ++i) {
    const Place& a = expected.places[i];
    const Place& b = got.places[i];
    if (!(a == b)) {
      sluice::fuzz::Broken("ndjson_records", fmt::format("record {} at {}:{} on one thread, {} at {}:{} {}", a.index,
                                                         a.line, a.column, b.index, b.line, b.column, how));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  sluice::fuzz::CheckRecordStream("ndjson_records", sluice::pipeline::DataFormat::kNdjson, text);

  // CheckRecordStream left the input in this file.
  const std::filesystem::path file = sluice::fuzz::ScratchDirectory() / "records.data";
  Read one_thread;
  one_thread.status = records::ReadRecords(file, sluice::pipeline::DataFormat::kNdjson, {}, [&](records::Record& r) {
    one_thread.places.push_back({r.index, r.line, r.column});
    return Status::Ok();
  });
  Compare(one_thread, ReadWith(file, 1, {}), "one worker in 32-byte blocks");
  records::FastLane fast;
  // As the validator's fast lane must: only objects without a repeated key pass.
  fast.verdict = [](const simdjson::dom::element& record) {
    return record.is_object() && !sluice::json::RepeatsAKey(record);
  };
  Compare(one_thread, ReadWith(file, 0, fast), "the fast lane in 32-byte blocks");
  return 0;
}
