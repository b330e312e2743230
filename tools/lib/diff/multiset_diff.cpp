#include <algorithm>
#include <unordered_map>

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

}  // namespace

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
