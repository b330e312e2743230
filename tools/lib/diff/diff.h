// What changed in a data file between two versions: the model every diff renderer reads, and
// the entry point that fills it.
//
// Record data (a JSON array, NDJSON, CSV) with a key is paired by key: rows added, removed and
// changed (with each changed cell, and the delta of numeric cells). Rows that share a key are
// compared as a group (a multiset per key) and a group that differs is reported with its rows;
// the repeated keys are counted as collisions. Without a key the rows are
// compared as a multiset: added and removed only. Fields present on one side only are schema
// drift: reported once, and left out when comparing rows (otherwise every row would show as
// changed). Ignored (volatile) fields never make a row differ. A JSON document that is not an
// array of records is compared structurally, by JSON pointer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/manifest.h"
#include "records/reader.h"

namespace sluice::diff {

// One side of the comparison: a file on disk, or bytes read from git.
struct DataInput {
  std::string origin;                      // how messages name it: "data/cases.csv", "data/cases.csv@HEAD"
  std::optional<std::filesystem::path> path;  // read from disk when set
  std::shared_ptr<const std::string> bytes;   // otherwise these bytes (nullptr: the side does not exist)
  std::uint64_t max_record_bytes = records::kDefaultMaxRecordBytes;  // DiffFile sets FileRequest's
  std::size_t max_depth = json::kDefaultMaxDepth;                    // DiffFile sets FileRequest's
  std::optional<json::PointerPattern> records;                       // DiffFile sets FileRequest's

  bool exists() const { return path.has_value() || bytes != nullptr; }
  static DataInput File(const std::filesystem::path& file, std::string origin = "");
  static DataInput Bytes(std::string content, std::string origin);
  static DataInput Missing(std::string origin);
};

// Values are kept as compact JSON text (a CSV cell is a JSON string), so reports keep types.
struct CellChange {
  std::string field;
  std::string old_json;  // "null" when the field was absent
  std::string new_json;
  std::optional<double> delta;    // new - old, when both are numbers (or numeric CSV text)
  std::optional<double> percent;  // 100 * delta / |old|; absent when old is 0
  // Both are the same number written differently ("06029" and "6029", "1.0" and "1"): only the
  // text (or the JSON type) changed; delta is 0.
  bool same_value = false;
};

struct RowChange {
  std::string key_json;  // the key fields as a JSON object: {"date":"2026-11-01","county":"Alameda"}
  std::uint64_t old_line = 0;
  std::uint64_t new_line = 0;
  std::vector<CellChange> cells;
  // The largest |percent| among the numeric cells (infinity when a 0 became non-zero), for
  // "largest changes first"; -1 when no cell is numeric.
  double rank = -1;
};

struct RowSample {
  std::uint64_t line = 0;
  std::string row_json;
};

// One row of a key group (GroupChange).
struct GroupRow {
  std::uint64_t line = 0;
  std::string row_json;
  bool paired = false;  // the other version's group has an equal row
};

// The rows that share one key, when the key repeats on either side: compared as a multiset (the
// order inside the group is not a change), and reported whole when the multisets differ, since
// rows with the same key cannot be paired one to one.
struct GroupChange {
  std::string key_json;
  std::uint64_t old_count = 0;  // rows with this key in each version
  std::uint64_t new_count = 0;
  std::vector<GroupRow> old_rows;  // in file order; the first kMaxGroupRows
  std::vector<GroupRow> new_rows;
};

inline constexpr std::size_t kMaxGroupRows = 1000;

struct KeyCollision {
  std::string side;  // "old" or "new"
  std::string key_json;
  std::uint64_t first_line = 0;
  std::uint64_t line = 0;  // the repeat
};

struct PointerChange {
  std::string pointer;  // RFC 6901; "" is the whole document
  std::string change;   // "added", "removed", "changed"
  std::string old_json;  // "" when added
  std::string new_json;  // "" when removed
  std::optional<double> delta;
  std::optional<double> percent;
  bool same_value = false;  // as CellChange::same_value
};

struct TrendPoint {
  std::string label;   // commit date, or "new"
  std::string commit;  // "" for the new data
  double total = 0;
};

struct Trend {
  std::string field;
  std::vector<TrendPoint> points;  // oldest first, the new data last
};

enum class FileKind { kRecords, kDocument };

struct FileDiff {
  std::string name;  // the source's name; "" ad hoc
  std::string path;  // as shown to people
  pipeline::DataFormat format = pipeline::DataFormat::kJson;
  FileKind kind = FileKind::kRecords;
  std::vector<std::string> key;
  std::vector<std::string> ignored;  // volatile fields and --ignore
  bool old_exists = true;
  std::uint64_t rows_before = 0;
  std::uint64_t rows_after = 0;
  std::uint64_t unchanged = 0;
  std::vector<RowSample> added;
  std::vector<RowSample> removed;
  std::vector<RowChange> changed;
  std::vector<GroupChange> changed_groups;  // keys with repeated rows whose groups differ
  bool order_changed = false;  // rows present on both sides appear in another order
  std::vector<std::string> columns_added;
  std::vector<std::string> columns_removed;
  std::uint64_t collision_count = 0;
  std::vector<KeyCollision> collisions;  // the first kMaxCollisionExamples
  std::vector<PointerChange> pointers;
  std::optional<Trend> trend;

  // Anything a reviewer must look at: rows, cells, columns, pointers, a new file.
  bool has_changes() const;
  // The same rows in another order, and nothing else.
  bool order_only() const { return !has_changes() && order_changed; }
};

inline constexpr std::size_t kMaxCollisionExamples = 100;

struct FileRequest {
  std::string name;
  std::string display_path;
  DataInput old_side;
  DataInput new_side;
  pipeline::DataFormat format = pipeline::DataFormat::kJson;
  std::vector<std::string> key;
  std::vector<std::string> ignored;
  std::string trend_field;  // "" for none: sum this field over the new data (FileDiff::trend)
  // The largest record either side may hold (records::ReadOptions::max_record_bytes); a JSON
  // document compared by pointer is one record.
  std::uint64_t max_record_bytes = records::kDefaultMaxRecordBytes;
  // How deep either side's records may nest (records::ReadOptions::max_depth).
  std::size_t max_depth = json::kDefaultMaxDepth;
  // Where the records are inside a JSON document (records::ReadOptions::records): then both
  // sides are records, never compared as documents.
  std::optional<json::PointerPattern> records;
  // A keyed CSV diff scans NEW on a second thread while OLD is indexed, handing rows over in
  // batches of scan_batch_rows, at most scan_queue_bytes of them waiting (then the scan waits
  // for the match). The defaults suit any file; tests make them small to make the threads wait.
  std::size_t scan_batch_rows = 4096;
  std::size_t scan_queue_bytes = std::size_t{64} << 20;
};

// Compares the two sides. Errors: InputError "<origin>:<line>: ..." for malformed data or a
// record without a key field (exit 2).
Result<FileDiff> DiffFile(const FileRequest& request);

struct DiffReport {
  std::string pipeline;  // "" ad hoc
  std::string against;   // the git revision compared with; "" ad hoc
  std::vector<FileDiff> files;

  bool changed() const;
  bool order_only() const;  // some file changed order only, none changed otherwise
  std::uint64_t files_changed() const;
  std::uint64_t added() const;
  std::uint64_t removed() const;
  std::uint64_t modified() const;  // changed rows, a changed key group counting as one
  std::uint64_t groups_changed() const;
  std::uint64_t collisions() const;
};

// "json" when the bytes start with '[' (after whitespace and a BOM): records; otherwise a document.
bool LooksLikeJsonArray(std::string_view start);

}  // namespace sluice::diff
