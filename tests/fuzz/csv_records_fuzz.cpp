// A CSV data file as sluice reads one: as records (typed by the demo's cases schema, in memory and
// from a file through a tiny buffer), and as raw rows the way sluice-diff compares them. The
// reader's header promises that both cut the same rows, and that ScanCsvRow cuts a row's raw
// bytes again into the same cells.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fuzz_input.h"
#include "json/json.h"
#include "record_stream.h"

namespace {

using sluice::Status;
namespace records = sluice::records;

// The demo's cases schema, typing cases and deaths as integers: the typed cell conversion runs.
constexpr const char* kTypingSchema = R"({"type":"object","properties":{
  "date":{"type":"string"},"county":{"type":"string"},"fips":{"type":"string"},
  "cases":{"type":"integer"},"deaths":{"type":"integer"},"rate":{"type":"number"},"final":{"type":"boolean"}}})";

const records::ReadOptions& TypedOptions() {
  static const records::ReadOptions options = [] {
    auto schema = sluice::json::Parse(kTypingSchema, "typing schema");
    if (!schema.ok()) sluice::fuzz::Broken("csv_records", schema.status().message());
    records::ReadOptions typed;
    typed.csv_typing = records::CsvTypingFromSchema(*schema);
    return typed;
  }();
  return options;
}

struct RowPlace {
  std::uint64_t index, line;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  sluice::fuzz::CheckRecordStream("csv_records", sluice::pipeline::DataFormat::kCsv, text, TypedOptions());

  std::vector<RowPlace> record_places;
  std::vector<std::string> record_header;
  Status as_records = records::ReadRecordsFromString(
      std::string(text), "fuzz.csv", sluice::pipeline::DataFormat::kCsv, {},
      [&](records::Record& record) {
        record_places.push_back({record.index, record.line});
        return Status::Ok();
      },
      &record_header);

  std::vector<std::string> header;
  std::size_t rows = 0;
  records::CsvRow again;
  Status as_rows = records::ReadCsvRowsFromString(
      text, "fuzz.csv", {},
      [&](const records::CsvRow& row) {
        if (rows >= record_places.size() || record_places[rows].index != row.index ||
            record_places[rows].line != row.line) {
          sluice::fuzz::Broken("csv_records", fmt::format("row {} at line {} is not where ReadRecords put it", row.index,
                                                          row.line));
        }
        ++rows;
        Status scanned = records::ScanCsvRow(row.raw, again);
        if (!scanned.ok()) {
          sluice::fuzz::Broken("csv_records", fmt::format("ScanCsvRow refuses row {} (line {}) that the reader cut: {}",
                                                          row.index, row.line, scanned.message()));
        }
        if (again.text != row.text || again.ends != row.ends) {
          sluice::fuzz::Broken("csv_records", fmt::format("ScanCsvRow cuts row {} (line {}) into other cells", row.index,
                                                          row.line));
        }
        rapidjson::Document record;
        records::CsvRecordOf(header, row, record);
        return Status::Ok();
      },
      header);

  if (as_records.ok() != as_rows.ok() || as_records.message() != as_rows.message()) {
    sluice::fuzz::Broken("csv_records", fmt::format("records end \"{}\", rows end \"{}\"", as_records.message(),
                                                    as_rows.message()));
  }
  if (rows != record_places.size()) {
    sluice::fuzz::Broken("csv_records", fmt::format("{} records but {} rows", record_places.size(), rows));
  }
  if (as_rows.ok() && header != record_header) sluice::fuzz::Broken("csv_records", "the two readers' headers differ");
  return 0;
}
