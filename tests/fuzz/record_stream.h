// The records readers' promise, checked on one input: ReadRecordsFromString (the whole input in
// memory) and ReadRecords (the same bytes from a file, read through a tiny buffer so records
// straddle chunk boundaries) visit the same records at the same places and stop with the same
// error. json_records, ndjson_records and csv_records share it.
#pragma once

#include <string_view>

#include "pipeline/manifest.h"
#include "records/reader.h"

namespace sluice::fuzz {

void CheckRecordStream(const char* target, pipeline::DataFormat format, std::string_view text,
                       const records::ReadOptions& options = {});

}  // namespace sluice::fuzz
