// The keyed pass over CSV rows (DiffKeyed's results, without a JSON value per row): OLD into a
// KeyIndex with each row's byte offset, NEW matched against it, then only the rows a report
// shows are read again, by offset. NEW is scanned and hashed on a second thread while OLD is
// indexed (NewRowScan): the two sides take both cores, and the match reads no CSV.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
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

// What the match needs of one NEW row, scanned ahead: its place, key and hashes.
struct ScannedRow {
  std::uint64_t offset = 0;
  std::uint64_t line = 0;
  std::uint64_t key_hash = 0;
  std::uint64_t row_hash = 0;
  std::size_t key_offset = 0;  // into its batch's keys
  std::size_t key_size = 0;
};

struct ScannedBatch {
  std::vector<ScannedRow> rows;
  std::string keys;
  std::string_view KeyOf(const ScannedRow& row) const { return std::string_view(keys).substr(row.key_offset, row.key_size); }
};

// Reads NEW on its own thread, handing the rows over in batches, in file order. The queue holds
// at most FileRequest::scan_queue_bytes of keys and rows: a NEW side larger than that waits for
// the index of OLD to be whole, then both threads run again (one scans, the other matches), so
// memory stays bounded whatever the file's size.
class NewRowScan {
 public:
  NewRowScan(const FileRequest& request, const RowHasher& hasher, std::vector<std::string>& header,
             std::optional<CsvRowReading>& reading, int& trend_column)
      : side_(request.new_side), key_(request.key), hasher_(hasher), header_(header), reading_(reading),
        trend_column_(trend_column), trend_field_(request.trend_field),
        batch_rows_(std::max<std::size_t>(request.scan_batch_rows, 1)), max_queued_bytes_(request.scan_queue_bytes) {}
  NewRowScan(const NewRowScan&) = delete;
  NewRowScan& operator=(const NewRowScan&) = delete;
  ~NewRowScan() {
    Stop();
    if (thread_.joinable()) thread_.join();
  }

  void Start() { thread_ = std::thread([this] { Scan(); }); }

  // The next batch, or nullopt at the end of the side (then status() says how the read ended).
  std::optional<ScannedBatch> Next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !queue_.empty() || done_; });
    if (queue_.empty()) return std::nullopt;
    ScannedBatch batch = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= BytesOf(batch);
    changed_.notify_all();
    return batch;
  }

  // Waits for the scan to end; valid once Next() returned nullopt or after Stop().
  Status Finish(double& new_total) {
    if (thread_.joinable()) thread_.join();
    new_total += total_;
    return status_;
  }

  // Tells the scan to give up (OLD failed): it stops at its next row.
  void Stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  static std::size_t BytesOf(const ScannedBatch& batch) {
    return batch.keys.size() + batch.rows.size() * sizeof(ScannedRow);
  }

  void Scan() {
    ScannedBatch batch;
    std::string key_text;
    Status read = ReadCsvSide(side_, header_, [&](const records::CsvRow& r) -> Status {
      if (!reading_) {
        reading_.emplace(header_, hasher_);
        trend_column_ = trend_field_.empty() ? -1 : reading_->ColumnOf(trend_field_);
        SLUICE_RETURN_IF_ERROR(reading_->FindKey(key_, side_.origin, r.line));
      }
      if (trend_column_ >= 0) {
        if (auto value = NumericText(r.cell(static_cast<std::size_t>(trend_column_)))) total_ += *value;
      }
      reading_->KeyText(r, key_text);
      batch.rows.push_back({r.offset, r.line, hasher_.HashBytes(key_text), reading_->Hash(r), batch.keys.size(), key_text.size()});
      batch.keys += key_text;
      if (batch.rows.size() < batch_rows_) return Status::Ok();
      return Hand(batch);
    });
    if (read.ok() && !batch.rows.empty()) read = Hand(batch);
    std::lock_guard lock(mutex_);
    status_ = read;
    done_ = true;
    changed_.notify_all();
  }

  Status Hand(ScannedBatch& batch) {
    std::unique_lock lock(mutex_);
    // One batch always fits, however small the bound.
    changed_.wait(lock, [this] { return stopped_ || queue_.empty() || queued_bytes_ < max_queued_bytes_; });
    if (stopped_) return InternalError("the scan of the new version was stopped");
    queued_bytes_ += BytesOf(batch);
    queue_.push_back(std::move(batch));
    batch = ScannedBatch();
    changed_.notify_all();
    return Status::Ok();
  }

  const DataInput& side_;
  const std::vector<std::string>& key_;
  const RowHasher& hasher_;
  std::vector<std::string>& header_;
  std::optional<CsvRowReading>& reading_;
  int& trend_column_;
  const std::string& trend_field_;
  const std::size_t batch_rows_;
  const std::size_t max_queued_bytes_;
  double total_ = 0;  // the trend field's sum, added in file order as a single pass would
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ScannedBatch> queue_;
  std::size_t queued_bytes_ = 0;
  bool stopped_ = false;
  bool done_ = false;
  Status status_ = Status::Ok();
};

class CsvKeyedDiff {
 public:
  CsvKeyedDiff(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out, PassFacts& facts)
      : request_(request), skipped_(skipped), out_(out), facts_(facts), hasher_(skipped) {}

  Status Run() {
    NewRowScan scan(request_, hasher_, new_header_, new_reading_, trend_column_);
    scan.Start();
    Status indexed = ReadCsvSide(request_.old_side, old_header_, [this](const records::CsvRow& r) { return IndexOld(r); });
    if (!indexed.ok()) {  // OLD's error, as a pass that reads OLD first gives it
      scan.Stop();
      double ignored = 0;
      (void)scan.Finish(ignored);
      return indexed;
    }
    Status matched = Status::Ok();
    while (auto batch = scan.Next()) {
      for (const auto& row : batch->rows) {
        matched = MatchNew(*batch, row);
        if (!matched.ok()) break;
      }
      if (!matched.ok()) break;
    }
    if (!matched.ok()) scan.Stop();
    Status scanned = scan.Finish(facts_.new_total);
    SLUICE_RETURN_IF_ERROR(matched.ok() ? scanned : matched);
    if (new_reading_) facts_.new_fields.Note(new_header_);
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

  Status MatchNew(const ScannedBatch& batch, const ScannedRow& r) {
    ++out_.rows_after;
    std::string_view key = batch.KeyOf(r);
    std::size_t position = FindNewKey(key, r.key_hash);
    if (position == KeyIndex::kNone) {
      KeyEntry& added = index_.Insert(key, r.key_hash);
      added.seen_in_new = true;
      added.line = added.new_line = r.line;
      added_.push_back({r.offset, r.line});
      return Status::Ok();
    }
    KeyEntry* entry = &index_.at(position);
    if (!entry->in_old) {  // a key the old version lacks, repeated: every row of it is added
      added_.push_back({r.offset, r.line});
      return NoteNewCollision(r, entry->new_line);
    }
    if (entry->seen_in_new || entry->in_group) return MatchGroup(r, position);
    entry->seen_in_new = true;
    entry->new_line = r.line;
    // Rows on both sides must keep their relative order, or the file was reordered.
    if (matched_any_ && entry->row_index < last_old_index_) out_.order_changed = true;
    matched_any_ = true;
    last_old_index_ = entry->row_index;
    last_match_ = position;
    if (r.row_hash == entry->row_hash) {
      ++out_.unchanged;
    } else {
      pending_.emplace(entry->row_index, NewPlace{r.offset, r.line, r.row_hash});
    }
    return Status::Ok();
  }

  // A new row whose key repeats on some side: it joins the key's group. A key with one old row
  // becomes a group at its second new row, taking over the first new row's comparison.
  Status MatchGroup(const ScannedRow& r, std::size_t position) {
    KeyEntry& entry = index_.at(position);
    GroupTally& tally = groups_.Tally(position);
    EnterGroup(entry, tally, pending_, out_.unchanged, [](const NewPlace& first) { return first.row_hash; });
    tally.AddNew(r.row_hash);
    if (!entry.seen_in_new) {
      entry.seen_in_new = true;
      entry.new_line = r.line;
      return Status::Ok();
    }
    return NoteNewCollision(r, entry.new_line);
  }

  // Rows mostly keep their order, so the entry after the last match is tried before the index:
  // a hit there saves a lookup at a random place in a large table. Keys are unique among the
  // entries, so a hit is the entry Find would return.
  std::size_t FindNewKey(std::string_view key, std::uint64_t key_hash) const {
    std::size_t next = matched_any_ ? last_match_ + 1 : 0;
    if (next < index_.size()) {
      const KeyEntry& guess = index_.at(next);
      if (guess.key_hash == key_hash && index_.KeyOf(guess) == key) return next;
    }
    return index_.Position(key, key_hash);
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

  // A repeated NEW key, noted as NoteCollision does; the row, scanned ahead, is read again by
  // its offset for the first few examples only.
  Status NoteNewCollision(const ScannedRow& r, std::uint64_t first_line) {
    ++out_.collision_count;
    if (out_.collisions.size() >= kMaxCollisionExamples) return Status::Ok();
    if (!new_fetcher_) new_fetcher_.emplace(request_.new_side);
    rapidjson::Document record;
    SLUICE_RETURN_IF_ERROR(new_fetcher_->Record(r.offset, new_header_, record));
    out_.collisions.push_back({"new", KeyJson(record, request_.key), first_line, r.line});
    return Status::Ok();
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
  std::optional<CsvRowReading> old_reading_;
  std::optional<CsvRowReading> new_reading_;  // made by the scan's thread, used here once it ended
  std::optional<CsvRowFetcher> new_fetcher_;  // the repeated NEW rows noted as collisions
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
