// A JSON data file as sluice-validate and sluice-diff read it: an array streamed record by
// record (or one document as one record), in memory and from a file through a tiny buffer; and
// an array as sluice-validate reads it on several cores, ReadNestedInParallel with the root as
// the records pointer (records::StartsWithArray), which must give the records, places and errors
// ReadRecords gives.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fuzz_input.h"
#include "json/json.h"
#include "records/parallel_nested.h"
#include "records/reader.h"
#include "record_stream.h"

namespace {

using sluice::Status;
namespace records = sluice::records;

struct Read {
  std::vector<std::string> records;  // "<index> <line>:<column> <json>"
  std::string status;
};

std::string Seen(const records::Record& r) {
  return fmt::format("{} {}:{} {}", r.index, r.line, r.column, sluice::json::Write(r.value));
}

void CheckArrayInParallel(const std::filesystem::path& file) {
  if (!records::StartsWithArray(file)) return;
  Read flat;
  Status status = records::ReadRecords(file, sluice::pipeline::DataFormat::kJson, {}, [&](records::Record& r) {
    flat.records.push_back(Seen(r));
    return Status::Ok();
  });
  flat.status = status.ok() ? "" : status.message();
  for (std::size_t workers : {std::size_t{1}, std::size_t{2}}) {
    Read parallel;
    records::ReadOptions root;
    root.records = sluice::json::PointerPattern{};
    root.buffer_bytes = 16;
    status = records::ReadNestedInParallel(
        file, root, workers, [](records::Record& r) { r.verdict = r.value.IsObject(); },
        [&](records::Record& r) {
          parallel.records.push_back(Seen(r));
          return Status::Ok();
        },
        /*block_bytes=*/32);
    parallel.status = status.ok() ? "" : status.message();
    if (parallel.status != flat.status) {
      sluice::fuzz::Broken("json_records", fmt::format("ReadRecords says \"{}\", the array read on {} worker(s) \"{}\"",
                                                       flat.status, workers, parallel.status));
    }
    if (parallel.records != flat.records) {
      std::size_t i = 0;
      while (i < parallel.records.size() && i < flat.records.size() && parallel.records[i] == flat.records[i]) ++i;
      sluice::fuzz::Broken("json_records",
                           fmt::format("ReadRecords visits {} records, the array read on {} worker(s) {}; the first "
                                       "difference at {}: \"{}\" against \"{}\"",
                                       flat.records.size(), workers, parallel.records.size(), i,
                                       i < flat.records.size() ? flat.records[i] : "(none)",
                                       i < parallel.records.size() ? parallel.records[i] : "(none)"));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  sluice::fuzz::CheckRecordStream("json_records", sluice::pipeline::DataFormat::kJson, text);
  // CheckRecordStream left the input in this file.
  CheckArrayInParallel(sluice::fuzz::ScratchDirectory() / "records.data");
  return 0;
}
