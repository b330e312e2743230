// One reader per data format, over an InputBuffer; reader.cpp picks one (internal header).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "records/input_buffer.h"
#include "records/reader.h"

namespace sluice::records {

// A JSON document: a top-level array streams element by element, anything else is one record.
Status ReadJsonRecords(InputBuffer& input, const std::string& origin, const RecordVisitor& visit);

// One JSON document per non-blank line.
Status ReadNdjsonRecords(InputBuffer& input, const std::string& origin, const RecordVisitor& visit);

// RFC 4180 with a header row; cells typed by `typing`.
Status ReadCsvRecords(InputBuffer& input, const std::string& origin, const CsvTyping& typing,
                      const RecordVisitor& visit, std::vector<std::string>* header);

}  // namespace sluice::records
