// A CSV side read as rows rather than records (internal to the diff module): no JSON value is
// built for a row unless a report shows it, which is most of what makes a diff of two large
// tables fast. The results are those of the record passes: two rows hash alike exactly when
// RowHasher::Hash of their records would, and a row shown in a report is its record.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "diff/diff.h"
#include "diff/row_identity.h"
#include "records/reader.h"

namespace sluice::diff {

// Reads the data rows of a CSV side; `header` holds its header before the first visit.
Status ReadCsvSide(const DataInput& side, std::vector<std::string>& header, const records::CsvRowVisitor& visit);

// What a diff takes from each row of one side, given its header: the key text and a content hash.
class CsvRowReading {
 public:
  CsvRowReading(const std::vector<std::string>& header, const RowHasher& hasher);

  // The row's content hash, without building its record. Rows of two sides hash alike exactly
  // when their records would under RowHasher::Hash: the same compared columns in the same order
  // (the header's compared names tweak the key), and the same cells. The cells are hashed as
  // CSV written one way (a cell quoted only when it holds a comma, quote or line break), which
  // is the row's own bytes when it has no quote and no column is left out: no copy then.
  std::uint64_t Hash(const records::CsvRow& row);

  // Finds the key columns. A key field the header lacks is the error KeyText gives the first
  // row (at `line`).
  Status FindKey(const std::vector<std::string>& key, const std::string& origin, std::uint64_t line);
  // The row's key text (as KeyText): the key cells joined by U+001F.
  void KeyText(const records::CsvRow& row, std::string& out) const;
  // The column of `name`, or -1.
  int ColumnOf(const std::string& name) const;

 private:
  const std::vector<std::string>& header_;
  const RowHasher& hasher_;
  std::vector<bool> ignored_;
  bool any_ignored_ = false;
  std::uint64_t columns_tweak_ = 0;  // the hash of the compared column names
  std::vector<std::size_t> key_columns_;
  std::string scratch_;
};

// Reads single rows again by their byte offset: the few rows a report shows, without another
// pass over the file.
class CsvRowFetcher {
 public:
  explicit CsvRowFetcher(const DataInput& side) : side_(side) {}
  CsvRowFetcher(const CsvRowFetcher&) = delete;
  CsvRowFetcher& operator=(const CsvRowFetcher&) = delete;
  ~CsvRowFetcher();

  // The row that starts at `offset`, as the record ReadRecords made of it, written as JSON.
  Result<std::string> RowJson(std::uint64_t offset, const std::vector<std::string>& header);
  // The same as a Document, and the row's cells.
  Status Record(std::uint64_t offset, const std::vector<std::string>& header, rapidjson::Document& out);

 private:
  Status Fetch(std::uint64_t offset);

  const DataInput& side_;
  int fd_ = -1;
  std::string window_;
  records::CsvRow row_;
};

}  // namespace sluice::diff
