// JSON array, NDJSON and CSV as one stream of records, read in constant memory.
//
// A record is a JSON object (CSV rows become objects keyed by the header, typed by the
// schema when one is given) together with where it starts in the file, so every later
// message can say "data/cases.csv:812:5".
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "core/status.h"
#include "json/json.h"
#include "json/pointer_pattern.h"
#include "pipeline/manifest.h"

namespace simdjson::dom {
class element;
}

namespace sluice::records {

// The reader fills one Record again for every record and reuses the memory of its value: a
// Record lives until the visitor returns. To keep a value, copy it into a Document of your own
// (`kept.CopyFrom(record.value, kept.GetAllocator())`); do not std::move(record.value) out, the
// moved Document would still point into memory the next record overwrites.
struct Record {
  rapidjson::Document value;  // the record (an object for CSV; any JSON value otherwise)
  std::uint64_t index = 0;    // 0-based position in the stream
  std::uint64_t line = 0;     // 1-based line where the record starts
  std::uint64_t column = 0;   // 1-based byte column where it starts
  // An object that names a key twice keeps the LAST value, at the place of the first (as
  // JSON.parse does). How many such repeats the record held, and the JSON pointer (relative to
  // the record, e.g. "/address/city") of the first one, so a check can warn about them.
  std::uint64_t duplicate_keys = 0;
  std::string first_duplicate_key;
  // What a RecordPreparer concluded on a worker thread (ReadNdjsonInParallel), e.g. "valid
  // against the schema"; empty when none ran.
  std::optional<bool> verdict;
  // The record passed a FastVerdict (ReadNdjsonInParallel's fast lane): `value` is null, as
  // nobody needed it, and `verdict` is true.
  bool valueless = false;
};

// How CSV cells become JSON values: by default every cell is a string; a column the schema
// types as integer/number/boolean is converted when the text allows (a cell that does not
// convert stays a string, so the schema check reports it with its location). Empty cells
// become null for typed columns.
enum class CellType { kString, kInteger, kNumber, kBoolean };
struct CsvTyping {
  std::vector<std::pair<std::string, CellType>> columns;  // by header name
};

// Derives CSV typing from a JSON Schema (items.properties / properties with "type").
CsvTyping CsvTypingFromSchema(const rapidjson::Value& schema);

// A value found at one of ReadOptions::captures while the records were read: a range stated
// beside a series ("/data/time_series/{series}/DATE_RANGE/MINIMUM"), for the checks that
// compare records with it. Valid while the callback runs.
struct CapturedValue {
  std::size_t capture = 0;  // which of ReadOptions::captures matched
  // Each named wildcard of that pattern and the member name (or array index, in decimal) it
  // matched, in the pattern's order.
  std::vector<std::pair<std::string, std::string>> bindings;
  const rapidjson::Value* value = nullptr;  // an object or array found there reads as empty
  std::string pointer;  // where it is: "/data/time_series/cases/DATE_RANGE/MINIMUM"
  std::uint64_t line = 0;
  std::uint64_t column = 0;
};

// The default ReadOptions::max_record_bytes (a source's "max_record_bytes" in the manifest).
inline constexpr std::uint64_t kDefaultMaxRecordBytes = std::uint64_t{64} << 20;

struct ReadOptions {
  CsvTyping csv_typing;
  // Bytes read at a time. The buffer grows only to hold the longest NDJSON line or CSV row, so
  // memory stays flat in the file size. Tests set it tiny to cross chunk boundaries.
  std::size_t buffer_bytes = 64 * 1024;
  // The largest record held: an NDJSON line, a CSV row, an element of a JSON array, a whole
  // JSON document. A larger one is an InputError at its start (RecordTooLarge), found before
  // about twice as many bytes are held: a file without line breaks cannot take the memory.
  std::uint64_t max_record_bytes = kDefaultMaxRecordBytes;
  // Objects and arrays may nest this deep in a JSON or NDJSON record (counted from the
  // document's root, a top-level array included); a deeper one ends the read with an
  // InputError "<path>:<line>:<column>: nesting deeper than N levels" at its bracket.
  std::size_t max_depth = json::kDefaultMaxDepth;
  // Format json only: where the records are inside the document (a source's "records"). Every
  // element of every array the pattern matches is a record, and each named wildcard's member
  // name (or array index) is added to it as a field of that name: a record that is not an object,
  // or already has such a field, is an InputError at its place. Nothing is built of the rest of
  // the document. A pattern that matches no array is an InputError naming it, and so is a match
  // that is not an array. Unset: a top-level array's elements, or the whole document.
  std::optional<json::PointerPattern> records;
  // Scalars elsewhere in the same document, handed to `on_capture` as the read passes them (in
  // document order, between the records around them). Only with `records`.
  std::vector<json::PointerPattern> captures;
  std::function<Status(const CapturedValue&)> on_capture;
};

// What is wrong with a record over `limit` bytes, for "<file>:<line>:<col>: " to precede.
std::string RecordTooLarge(std::uint64_t limit);

// Called per record; returning a failed Status stops the read and is returned.
using RecordVisitor = std::function<Status(Record&)>;

// Reads `path` as `format` and visits every record in order. A JSON document that is not an
// array is one record. Malformed input is an InputError "<path>:<line>:<column>: <what>"
// (columns count bytes, a leading BOM included); records before the fault have been visited.
// Also returns the CSV header (empty for JSON formats) through `header` when non-null.
//
// Formats in detail:
// - json: a top-level array streams element by element; a file that is empty or only
//   whitespace holds no records. Parsing is iterative, so deep nesting cannot overflow the
//   stack. Invalid UTF-8 is an error.
// - ndjson: one record per line; blank lines (spaces, tabs, CR) are skipped and count as lines;
//   CRLF and a leading BOM are accepted.
// - csv (RFC 4180): the first row is the header; names must be unique. Rows end with LF, CRLF
//   or CR; quoted cells may hold commas, "" and line breaks; a bare quote inside an unquoted
//   cell is kept as text. Empty lines are skipped. Every other row must have as many cells as
//   the header.
Status ReadRecords(const std::filesystem::path& path, pipeline::DataFormat format, const ReadOptions& options,
                   const RecordVisitor& visit, std::vector<std::string>* header = nullptr);

// Runs on a worker thread for each record ReadNdjsonInParallel parses: work that may run on
// any core (validating against a schema), before the record is kept for the visitor. It may
// set Record::verdict; anything else it touches must be safe to use from several threads.
using RecordPreparer = std::function<void(Record&)>;

// The fast lane of ReadNdjsonInParallel, asked on a worker thread of each line that simdjson
// parses: true when the record certainly passes what the preparer would check, no object in it
// repeats a key (simdjson keeps repeats silently, RapidJSON's reader reports them; see
// json::RepeatsAKey), and nobody needs its value. The record is then visited valueless
// (Record::valueless, verdict true) without RapidJSON ever parsing it. False, and every line
// simdjson refuses (it is the stricter: a lone surrogate escape, which RapidJSON may take) or
// might place otherwise (a byte order mark), go the ordinary way, so positions, errors and
// verdicts are the same either way. Must be thread-safe.
using FastVerdict = std::function<bool(const simdjson::dom::element& record)>;

struct FastLane {
  FastVerdict verdict;  // empty: no fast lane
  // When set, records that passed the verdict reach this instead of the visitor, a run of
  // consecutive ones at a time: `count` records from index `first` on, without values or
  // positions. When empty, the visitor sees each (Record::valueless).
  std::function<Status(std::uint64_t first, std::uint64_t count)> visit_passed;
};

// NDJSON read on `workers` threads: blocks of whole lines (about `block_bytes` each) are parsed
// and prepared on the workers, and `visit` sees every record in file order on the caller's
// thread, with the index, line, column and errors ReadRecords gives. A record too large to hand
// over cheaply (and the rest of its block) is parsed on the caller's thread, unprepared. With a
// `fast` verdict, lines take the fast lane first (see FastVerdict and FastLane). With 0 workers
// the caller's thread does the blocks' work itself, in turn: the fast lane on one thread.
Status ReadNdjsonInParallel(const std::filesystem::path& path, const ReadOptions& options, std::size_t workers,
                            const RecordPreparer& prepare, const RecordVisitor& visit,
                            std::size_t block_bytes = 256 * 1024, const FastLane& fast = {});

// The same from bytes in memory (data read from git), `origin` naming it in messages.
Status ReadRecordsFromString(const std::string& bytes, const std::string& origin, pipeline::DataFormat format,
                             const ReadOptions& options, const RecordVisitor& visit,
                             std::vector<std::string>* header = nullptr);

// A CSV row as the reader cuts it, before it becomes a record: for a tool that compares rows
// without building JSON (sluice-diff). ReadRecords makes its records from these very rows, so
// both agree on quoting, line breaks, the BOM, empty lines and every error.
struct CsvRow {
  std::string text;                   // the unescaped cells back to back
  std::vector<std::size_t> ends;      // where each cell ends in `text`
  std::vector<std::uint64_t> columns;  // where each cell starts in its line (1-based bytes)
  std::uint64_t index = 0;            // 0-based among the data rows (the header has none)
  std::uint64_t line = 0;             // 1-based line where the row starts
  std::uint64_t line_breaks = 0;      // inside quoted cells
  std::uint64_t offset = 0;           // input offset of the row's first byte
  std::uint64_t bytes = 0;            // the row's bytes, without its line break
  std::string_view raw;               // those bytes as in the file; valid while the visitor runs

  std::size_t size() const { return ends.size(); }
  std::string_view cell(std::size_t i) const {
    std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(text).substr(begin, ends[i] - begin);
  }
};

// Called per data row (the header is in `header` before the first call); a failed Status stops
// the read and is returned. Rows with another number of cells than the header are an error
// before they reach the visitor, as in ReadRecords.
using CsvRowVisitor = std::function<Status(const CsvRow&)>;

Status ReadCsvRows(const std::filesystem::path& path, const ReadOptions& options, const CsvRowVisitor& visit,
                   std::vector<std::string>& header);
Status ReadCsvRowsFromString(std::string_view bytes, const std::string& origin, const ReadOptions& options,
                             const CsvRowVisitor& visit, std::vector<std::string>& header);

// Cuts the one row in `raw` (the CsvRow::bytes at CsvRow::offset of an earlier read) into `row`.
Status ScanCsvRow(std::string_view raw, CsvRow& row);

// The record ReadRecords makes of `row` when no column is typed: every cell a string.
void CsvRecordOf(const std::vector<std::string>& header, const CsvRow& row, rapidjson::Document& out);

}  // namespace sluice::records
