// One reader per data format, over an InputBuffer; reader.cpp picks one (internal header).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "records/input_buffer.h"
#include "records/reader.h"

namespace sluice::records {

// A JSON document: a top-level array streams element by element, anything else is one record.
// Every reader stops at a record over `max_record_bytes` (ReadOptions), and the JSON readers at
// containers nested deeper than `max_depth` (ReadOptions), an InputError at their bracket.
Status ReadJsonRecords(InputBuffer& input, const std::string& origin, std::uint64_t max_record_bytes,
                       const RecordVisitor& visit, std::size_t max_depth = json::kDefaultMaxDepth);
// The same, the records where ReadOptions::records says (and its captures); `options` gives the
// limits too.
Status ReadJsonRecordsAt(InputBuffer& input, const std::string& origin, const ReadOptions& options,
                         const RecordVisitor& visit);

// One JSON document per non-blank line. The input's first line is line `first_line` of the
// file; a byte order mark is skipped only `at_start` of the file (a part read on its own, as
// ReadNdjsonInParallel does, starts elsewhere).
Status ReadNdjsonRecords(InputBuffer& input, const std::string& origin, std::uint64_t max_record_bytes,
                         const RecordVisitor& visit, std::uint64_t first_line = 1, bool at_start = true,
                         std::size_t max_depth = json::kDefaultMaxDepth);

// RFC 4180 with a header row; cells typed by `typing`.
Status ReadCsvRecords(InputBuffer& input, const std::string& origin, const CsvTyping& typing,
                      std::uint64_t max_record_bytes, const RecordVisitor& visit, std::vector<std::string>* header);

}  // namespace sluice::records
