// Records inside a JSON document (ReadOptions::records) on several cores.
#pragma once

#include <cstddef>
#include <filesystem>

#include "core/status.h"
#include "records/reader.h"

namespace sluice::records {

// Reads as ReadNdjsonInParallel reads NDJSON, on `workers` threads: the caller's thread finds
// where each record lies (a scan of the bytes: strings, brackets and the keys along the records
// pointer's path), blocks of records are parsed, given the wildcards' fields and prepared on the
// workers, the fast lane first when `fast` has a verdict, and `visit` sees them in document order
// with the index, line, column and errors ReadRecords gives. Where the scan or a worker meets
// what it cannot vouch for (an error in the document, a key with an escape or a non-ASCII byte on
// the path, a value over 1 MiB...), ReadRecords reads the document again and visits the records
// from the first one not yet visited: the records and errors are always ReadRecords'. Options
// with captures are read by ReadRecords alone.
Status ReadNestedInParallel(const std::filesystem::path& path, const ReadOptions& options, std::size_t workers,
                            const RecordPreparer& prepare, const RecordVisitor& visit,
                            std::size_t block_bytes = 1 << 20, const FastLane& fast = {});

// Whether the JSON document at `path` is an array: its first byte past a byte order mark and
// JSON whitespace is '['. ReadRecords reads such a file's elements as records without a records
// pointer, and so does ReadNestedInParallel with the root pointer "": the same records, places
// and errors, on every core. False for a file that cannot be read (its reader says why).
bool StartsWithArray(const std::filesystem::path& path);

}  // namespace sluice::records
