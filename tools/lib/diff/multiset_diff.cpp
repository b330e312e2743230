#include <algorithm>
#include <optional>
#include <unordered_map>

#include "diff/cells.h"
#include "diff/csv_side.h"
#include "diff/passes.h"
#include "diff/row_identity.h"
#include "json/json.h"

namespace sluice::diff {
namespace {

// Hashes present more often on one side than on the other, with how many extra times.
using ExtraRows = std::unordered_map<std::uint64_t, std::uint64_t>;

void CountExtras(const std::vector<std::uint64_t>& mine, const std::vector<std::uint64_t>& theirs, ExtraRows& extra) {
  std::size_t i = 0, j = 0;
  while (i < mine.size()) {
    if (j < theirs.size() && theirs[j] < mine[i]) {
      ++j;
    } else if (j < theirs.size() && theirs[j] == mine[i]) {
      ++i, ++j;
    } else {
      ++extra[mine[i++]];
    }
  }
}

// Re-reads a side and keeps the rows whose hash is among its extras.
Status CollectExtras(const DataInput& side, pipeline::DataFormat format, RowHasher& hasher, ExtraRows& extra,
                     std::vector<RowSample>& rows) {
  if (extra.empty()) return Status::Ok();
  return ReadSide(side, format, [&](records::Record& r) {
    auto found = extra.find(hasher.Hash(r.value));
    if (found != extra.end() && found->second > 0) {
      --found->second;
      rows.push_back({r.line, json::Write(r.value)});
    }
    return Status::Ok();
  });
}

// One CSV side: each row's hash and place, in file order.
struct CsvSideRows {
  struct Place {
    std::uint64_t offset = 0;
    std::uint64_t line = 0;
  };
  std::vector<std::string> header;
  std::vector<std::uint64_t> hashes;
  std::vector<Place> places;
};

Status ReadCsvSideRows(const DataInput& side, const RowHasher& hasher, FieldSet& fields, CsvSideRows& rows,
                       const std::string& trend_field = "", double* total = nullptr) {
  std::optional<CsvRowReading> reading;
  int trend_column = -1;
  return ReadCsvSide(side, rows.header, [&](const records::CsvRow& r) {
    if (!reading) {
      reading.emplace(rows.header, hasher);
      fields.Note(rows.header);
      trend_column = trend_field.empty() ? -1 : reading->ColumnOf(trend_field);
    }
    if (trend_column >= 0) {
      if (auto value = NumericText(r.cell(static_cast<std::size_t>(trend_column)))) *total += *value;
    }
    rows.hashes.push_back(reading->Hash(r));
    rows.places.push_back({r.offset, r.line});
    return Status::Ok();
  });
}

// The rows whose hash is among the side's extras, read again by offset.
Status CollectCsvExtras(const DataInput& side, const CsvSideRows& rows, ExtraRows& extra, std::vector<RowSample>& out) {
  if (extra.empty()) return Status::Ok();
  CsvRowFetcher fetcher(side);
  for (std::size_t i = 0; i < rows.hashes.size(); ++i) {
    auto found = extra.find(rows.hashes[i]);
    if (found == extra.end() || found->second == 0) continue;
    --found->second;
    auto row = fetcher.RowJson(rows.places[i].offset, rows.header);
    if (!row.ok()) return row.status();
    out.push_back({rows.places[i].line, std::move(*row)});
  }
  return Status::Ok();
}

std::vector<std::uint64_t> Sorted(std::vector<std::uint64_t> hashes) {
  std::sort(hashes.begin(), hashes.end());
  return hashes;
}

}  // namespace

Status DiffUnkeyedCsv(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out,
                      PassFacts& facts) {
  RowHasher hasher(skipped);
  CsvSideRows old_rows, new_rows;
  SLUICE_RETURN_IF_ERROR(ReadCsvSideRows(request.old_side, hasher, facts.old_fields, old_rows));
  SLUICE_RETURN_IF_ERROR(
      ReadCsvSideRows(request.new_side, hasher, facts.new_fields, new_rows, request.trend_field, &facts.new_total));
  out.rows_before = old_rows.hashes.size();
  out.rows_after = new_rows.hashes.size();
  if (old_rows.hashes == new_rows.hashes) {
    out.unchanged = out.rows_before;
    return Status::Ok();
  }
  ExtraRows only_old, only_new;
  {
    std::vector<std::uint64_t> old_sorted = Sorted(old_rows.hashes), new_sorted = Sorted(new_rows.hashes);
    CountExtras(old_sorted, new_sorted, only_old);
    CountExtras(new_sorted, old_sorted, only_new);
  }
  if (only_old.empty() && only_new.empty()) out.order_changed = true;
  std::uint64_t removed = 0;
  for (const auto& [hash, count] : only_old) removed += count;
  out.unchanged = out.rows_before - removed;
  SLUICE_RETURN_IF_ERROR(CollectCsvExtras(request.old_side, old_rows, only_old, out.removed));
  return CollectCsvExtras(request.new_side, new_rows, only_new, out.added);
}

Status DiffUnkeyed(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out,
                   PassFacts& facts) {
  RowHasher hasher(skipped);
  std::vector<std::uint64_t> old_rows, new_rows;
  SLUICE_RETURN_IF_ERROR(ReadSide(request.old_side, request.format, [&](records::Record& r) {
    facts.old_fields.Note(r.value);
    old_rows.push_back(hasher.Hash(r.value));
    return Status::Ok();
  }));
  SLUICE_RETURN_IF_ERROR(ReadSide(request.new_side, request.format, [&](records::Record& r) {
    facts.new_fields.Note(r.value);
    if (!request.trend_field.empty()) AddToTotal(r.value, request.trend_field, facts.new_total);
    new_rows.push_back(hasher.Hash(r.value));
    return Status::Ok();
  }));
  out.rows_before = old_rows.size();
  out.rows_after = new_rows.size();
  if (old_rows == new_rows) {
    out.unchanged = old_rows.size();
    return Status::Ok();
  }
  std::sort(old_rows.begin(), old_rows.end());
  std::sort(new_rows.begin(), new_rows.end());
  ExtraRows only_old, only_new;
  CountExtras(old_rows, new_rows, only_old);
  CountExtras(new_rows, old_rows, only_new);
  if (only_old.empty() && only_new.empty()) out.order_changed = true;
  std::uint64_t removed = 0;
  for (const auto& [hash, count] : only_old) removed += count;
  out.unchanged = out.rows_before - removed;
  old_rows = {};  // the hashes are no longer needed; the re-reads need the memory
  new_rows = {};
  SLUICE_RETURN_IF_ERROR(CollectExtras(request.old_side, request.format, hasher, only_old, out.removed));
  return CollectExtras(request.new_side, request.format, hasher, only_new, out.added);
}

}  // namespace sluice::diff
