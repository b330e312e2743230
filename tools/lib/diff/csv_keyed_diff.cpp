// The keyed pass over CSV rows (DiffKeyed's results, without a JSON value per row): OLD into a
// KeyIndex with each row's byte offset, NEW matched against it, then only the rows a report
// shows are read again, by offset.
#include <algorithm>
#include <optional>
#include <unordered_map>

#include "diff/cells.h"
#include "diff/csv_side.h"
#include "diff/key_groups.h"
#include "diff/key_index.h"
#include "diff/passes.h"
#include "json/json.h"

namespace sluice::diff {
namespace {

// Where a changed row's new version is.
struct NewPlace {
  std::uint64_t offset = 0;
  std::uint64_t line = 0;
  std::uint64_t row_hash = 0;
};

class CsvKeyedDiff {
 public:
  CsvKeyedDiff(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out, PassFacts& facts)
      : request_(request), skipped_(skipped), out_(out), facts_(facts), hasher_(skipped) {}

  Status Run() {
    SLUICE_RETURN_IF_ERROR(ReadCsvSide(request_.old_side, old_header_, [this](const records::CsvRow& r) { return IndexOld(r); }));
    SLUICE_RETURN_IF_ERROR(ReadCsvSide(request_.new_side, new_header_, [this](const records::CsvRow& r) { return MatchNew(r); }));
    groups_.Settle(out_.unchanged);
    SLUICE_RETURN_IF_ERROR(Materialise());
    return MaterialiseGroups();
  }

 private:
  Status IndexOld(const records::CsvRow& r) {
    if (!old_reading_) {
      old_reading_.emplace(old_header_, hasher_);
      facts_.old_fields.Note(old_header_);
      SLUICE_RETURN_IF_ERROR(old_reading_->FindKey(request_.key, request_.old_side.origin, r.line));
    }
    ++out_.rows_before;
    old_reading_->KeyText(r, key_);
    std::uint64_t key_hash = hasher_.HashBytes(key_);
    std::size_t position = index_.Position(key_, key_hash);
    if (position != KeyIndex::kNone) {
      KeyEntry& first = index_.at(position);
      GroupTally& tally = groups_.Tally(position);
      if (!first.in_group) tally.AddOld(first.row_hash);
      first.in_group = true;
      tally.AddOld(old_reading_->Hash(r));
      return NoteCollision("old", old_header_, r, first.line);
    }
    KeyEntry& entry = index_.Insert(key_, key_hash);
    entry.row_hash = old_reading_->Hash(r);
    entry.row_index = static_cast<std::uint32_t>(r.index);
    entry.line = r.line;
    entry.offset = r.offset;
    entry.in_old = true;
    return Status::Ok();
  }

  Status MatchNew(const records::CsvRow& r) {
    if (!new_reading_) {
      new_reading_.emplace(new_header_, hasher_);
      facts_.new_fields.Note(new_header_);
      trend_column_ = request_.trend_field.empty() ? -1 : new_reading_->ColumnOf(request_.trend_field);
      SLUICE_RETURN_IF_ERROR(new_reading_->FindKey(request_.key, request_.new_side.origin, r.line));
    }
    ++out_.rows_after;
    if (trend_column_ >= 0) {
      if (auto value = NumericText(r.cell(static_cast<std::size_t>(trend_column_)))) facts_.new_total += *value;
    }
    new_reading_->KeyText(r, key_);
    std::uint64_t key_hash = hasher_.HashBytes(key_);
    std::size_t position = FindNewKey(key_hash);
    if (position == KeyIndex::kNone) {
      KeyEntry& added = index_.Insert(key_, key_hash);
      added.seen_in_new = true;
      added.line = added.new_line = r.line;
      added_.push_back({r.offset, r.line});
      return Status::Ok();
    }
    KeyEntry* entry = &index_.at(position);
    if (!entry->in_old) {  // a key the old version lacks, repeated: every row of it is added
      added_.push_back({r.offset, r.line});
      return NoteCollision("new", new_header_, r, entry->new_line);
    }
    if (entry->seen_in_new || entry->in_group) return MatchGroup(r, position);
    entry->seen_in_new = true;
    entry->new_line = r.line;
    // Rows on both sides must keep their relative order, or the file was reordered.
    if (matched_any_ && entry->row_index < last_old_index_) out_.order_changed = true;
    matched_any_ = true;
    last_old_index_ = entry->row_index;
    last_match_ = position;
    if (new_reading_->Hash(r) == entry->row_hash) {
      ++out_.unchanged;
    } else {
      pending_.emplace(entry->row_index, NewPlace{r.offset, r.line, new_reading_->Hash(r)});
    }
    return Status::Ok();
  }

  // A new row whose key repeats on some side: it joins the key's group. A key with one old row
  // becomes a group at its second new row, taking over the first new row's comparison.
  Status MatchGroup(const records::CsvRow& r, std::size_t position) {
    KeyEntry& entry = index_.at(position);
    GroupTally& tally = groups_.Tally(position);
    EnterGroup(entry, tally, pending_, out_.unchanged, [](const NewPlace& first) { return first.row_hash; });
    tally.AddNew(new_reading_->Hash(r));
    if (!entry.seen_in_new) {
      entry.seen_in_new = true;
      entry.new_line = r.line;
      return Status::Ok();
    }
    return NoteCollision("new", new_header_, r, entry.new_line);
  }

  // Rows mostly keep their order, so the entry after the last match is tried before the index:
  // a hit there saves a lookup at a random place in a large table. Keys are unique among the
  // entries, so a hit is the entry Find would return.
  std::size_t FindNewKey(std::uint64_t key_hash) const {
    std::size_t next = matched_any_ ? last_match_ + 1 : 0;
    if (next < index_.size()) {
      const KeyEntry& guess = index_.at(next);
      if (guess.key_hash == key_hash && index_.KeyOf(guess) == key_) return next;
    }
    return index_.Position(key_, key_hash);
  }

  // Old rows in file order: removed ones as they were, changed ones cell by cell.
  Status Materialise() {
    CsvRowFetcher old_rows(request_.old_side), new_rows(request_.new_side);
    for (const auto& place : added_) {
      auto row = new_rows.RowJson(place.offset, new_header_);
      if (!row.ok()) return row.status();
      out_.added.push_back({place.line, std::move(*row)});
    }
    rapidjson::Document old_row, new_row;
    for (std::size_t i = 0; i < index_.size(); ++i) {
      const KeyEntry& entry = index_.at(i);
      if (!entry.in_old || entry.in_group) continue;  // groups: MaterialiseGroups
      if (!entry.seen_in_new) {
        auto row = old_rows.RowJson(entry.offset, old_header_);
        if (!row.ok()) return row.status();
        out_.removed.push_back({entry.line, std::move(*row)});
        continue;
      }
      auto pending = pending_.find(entry.row_index);
      if (pending == pending_.end()) continue;
      SLUICE_RETURN_IF_ERROR(old_rows.Record(entry.offset, old_header_, old_row));
      SLUICE_RETURN_IF_ERROR(new_rows.Record(pending->second.offset, new_header_, new_row));
      RowChange change;
      change.cells = CompareRows(old_row, new_row, skipped_);
      if (change.cells.empty()) {  // only the columns' order differed: the same data
        ++out_.unchanged;
        continue;
      }
      change.key_json = KeyJson(old_row, request_.key);
      change.old_line = entry.line;
      change.new_line = pending->second.line;
      change.rank = RankOf(change.cells);
      out_.changed.push_back(std::move(change));
    }
    return Status::Ok();
  }

  // The rows of groups removed whole, and of groups that differ, read again by key.
  Status MaterialiseGroups() {
    if (!groups_.NeedsOldRows()) return Status::Ok();
    rapidjson::Document record;
    SLUICE_RETURN_IF_ERROR(ReadCsvSide(request_.old_side, old_header_, [&](const records::CsvRow& r) {
      old_reading_->KeyText(r, key_);
      std::size_t position = index_.Position(key_, hasher_.HashBytes(key_));
      bool removed = groups_.IsRemoved(position);
      GroupChange* group = removed ? nullptr : groups_.Differing(position);
      if (!removed && group == nullptr) return Status::Ok();
      records::CsvRecordOf(old_header_, r, record);
      if (removed) out_.removed.push_back({r.line, json::Write(record)});
      else CollectRow(*group, group->old_rows, r.line, record);
      return Status::Ok();
    }));
    std::stable_sort(out_.removed.begin(), out_.removed.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
    if (groups_.NeedsNewRows()) {
      SLUICE_RETURN_IF_ERROR(ReadCsvSide(request_.new_side, new_header_, [&](const records::CsvRow& r) {
        new_reading_->KeyText(r, key_);
        GroupChange* group = groups_.Differing(index_.Position(key_, hasher_.HashBytes(key_)));
        if (group == nullptr) return Status::Ok();
        records::CsvRecordOf(new_header_, r, record);
        CollectRow(*group, group->new_rows, r.line, record);
        return Status::Ok();
      }));
    }
    groups_.Finish(skipped_, hasher_, out_);
    return Status::Ok();
  }

  void CollectRow(GroupChange& group, std::vector<GroupRow>& rows, std::uint64_t line, const rapidjson::Document& record) {
    if (group.key_json.empty()) group.key_json = KeyJson(record, request_.key);
    AddRow(rows, line, json::Write(record));
  }

  Status NoteCollision(const char* side, const std::vector<std::string>& header, const records::CsvRow& r,
                       std::uint64_t first_line) {
    ++out_.collision_count;
    if (out_.collisions.size() >= kMaxCollisionExamples) return Status::Ok();
    rapidjson::Document record;
    records::CsvRecordOf(header, r, record);
    out_.collisions.push_back({side, KeyJson(record, request_.key), first_line, r.line});
    return Status::Ok();
  }

  const FileRequest& request_;
  const std::vector<std::string>& skipped_;
  FileDiff& out_;
  PassFacts& facts_;
  RowHasher hasher_;
  std::vector<std::string> old_header_, new_header_;
  std::optional<CsvRowReading> old_reading_, new_reading_;
  int trend_column_ = -1;
  KeyIndex index_;
  KeyGroups groups_;
  std::string key_;  // reused for every row
  std::vector<NewPlace> added_;
  std::unordered_map<std::uint32_t, NewPlace> pending_;
  bool matched_any_ = false;
  std::uint32_t last_old_index_ = 0;
  std::size_t last_match_ = 0;
};

}  // namespace

Status DiffKeyedCsv(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out,
                    PassFacts& facts) {
  return CsvKeyedDiff(request, skipped, out, facts).Run();
}

}  // namespace sluice::diff
