#include <unordered_map>

#include "diff/cells.h"
#include "diff/key_groups.h"
#include "diff/key_index.h"
#include "diff/passes.h"
#include "diff/row_identity.h"
#include "json/json.h"

namespace sluice::diff {
namespace {

// A changed row's new version, kept until OLD is re-read for the old one.
struct PendingChange {
  std::string new_row_json;
  std::uint64_t new_line = 0;
  std::uint64_t new_row_hash = 0;
};

class KeyedDiff {
 public:
  KeyedDiff(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out, PassFacts& facts)
      : request_(request), skipped_(skipped), out_(out), facts_(facts), hasher_(skipped) {}

  Status Run() {
    SLUICE_RETURN_IF_ERROR(ReadSide(request_.old_side, request_.format, [this](records::Record& r) { return IndexOld(r); }));
    SLUICE_RETURN_IF_ERROR(ReadSide(request_.new_side, request_.format, [this](records::Record& r) { return MatchNew(r); }));
    std::vector<bool> removed(out_.rows_before, false);
    bool any_removed = false;
    for (std::size_t i = 0; i < index_.size(); ++i) {
      const KeyEntry& entry = index_.at(i);
      if (entry.in_old && !entry.seen_in_new && !entry.in_group) removed[entry.row_index] = any_removed = true;
    }
    groups_.Settle(out_.unchanged);
    if (any_removed || !pending_.empty() || groups_.NeedsOldRows()) {
      SLUICE_RETURN_IF_ERROR(ReadSide(request_.old_side, request_.format,
                                      [&](records::Record& r) { return Materialise(r, removed); }));
    }
    if (groups_.NeedsNewRows()) {
      SLUICE_RETURN_IF_ERROR(ReadSide(request_.new_side, request_.format, [this](records::Record& r) {
        GroupChange* group = DifferingGroup(r, PositionOf(r, request_.new_side));
        if (group != nullptr) AddRow(group->new_rows, r.line, json::Write(r.value));
        return Status::Ok();
      }));
    }
    groups_.Finish(skipped_, hasher_, out_);
    return Status::Ok();
  }

 private:
  Status IndexOld(records::Record& r) {
    facts_.old_fields.Note(r.value);
    ++out_.rows_before;
    SLUICE_RETURN_IF_ERROR(KeyText(r.value, request_.key, request_.old_side.origin, r.line, key_));
    std::uint64_t key_hash = hasher_.HashBytes(key_);
    std::size_t position = index_.Position(key_, key_hash);
    if (position != KeyIndex::kNone) {
      KeyEntry& first = index_.at(position);
      NoteCollision("old", r, first.line);
      GroupTally& tally = groups_.Tally(position);
      if (!first.in_group) tally.AddOld(first.row_hash);
      first.in_group = true;
      tally.AddOld(hasher_.Hash(r.value));
      return Status::Ok();
    }
    KeyEntry& entry = index_.Insert(key_, key_hash);
    entry.row_hash = hasher_.Hash(r.value);
    entry.row_index = static_cast<std::uint32_t>(r.index);
    entry.line = r.line;
    entry.in_old = true;
    return Status::Ok();
  }

  Status MatchNew(records::Record& r) {
    facts_.new_fields.Note(r.value);
    ++out_.rows_after;
    if (!request_.trend_field.empty()) AddToTotal(r.value, request_.trend_field, facts_.new_total);
    SLUICE_RETURN_IF_ERROR(KeyText(r.value, request_.key, request_.new_side.origin, r.line, key_));
    std::uint64_t key_hash = hasher_.HashBytes(key_);
    std::size_t position = index_.Position(key_, key_hash);
    if (position == KeyIndex::kNone) {
      KeyEntry& added = index_.Insert(key_, key_hash);
      added.seen_in_new = true;
      added.line = added.new_line = r.line;
      out_.added.push_back({r.line, json::Write(r.value)});
      return Status::Ok();
    }
    KeyEntry* entry = &index_.at(position);
    if (!entry->in_old) {  // a key the old version lacks, repeated: every row of it is added
      NoteCollision("new", r, entry->new_line);
      out_.added.push_back({r.line, json::Write(r.value)});
      return Status::Ok();
    }
    if (entry->seen_in_new || entry->in_group) return MatchGroup(r, position);
    entry->seen_in_new = true;
    entry->new_line = r.line;
    // Rows on both sides must keep their relative order, or the file was reordered.
    if (matched_any_ && entry->row_index < last_old_index_) out_.order_changed = true;
    matched_any_ = true;
    last_old_index_ = entry->row_index;
    if (hasher_.Hash(r.value) == entry->row_hash) {
      ++out_.unchanged;
    } else {
      pending_.emplace(entry->row_index, PendingChange{json::Write(r.value), r.line, hasher_.Hash(r.value)});
    }
    return Status::Ok();
  }

  // A new row whose key repeats on some side: it joins the key's group. A key with one old row
  // becomes a group at its second new row, taking over the first new row's comparison.
  Status MatchGroup(records::Record& r, std::size_t position) {
    KeyEntry& entry = index_.at(position);
    GroupTally& tally = groups_.Tally(position);
    EnterGroup(entry, tally, pending_, out_.unchanged, [](const PendingChange& first) { return first.new_row_hash; });
    if (entry.seen_in_new) {
      NoteCollision("new", r, entry.new_line);
    } else {
      entry.seen_in_new = true;
      entry.new_line = r.line;
    }
    tally.AddNew(hasher_.Hash(r.value));
    return Status::Ok();
  }

  // Where the key of `r` is in the index (a row read again: its key was read before).
  std::size_t PositionOf(const records::Record& r, const DataInput& side) {
    if (!KeyText(r.value, request_.key, side.origin, r.line, key_).ok()) return KeyIndex::kNone;
    return index_.Position(key_, hasher_.HashBytes(key_));
  }

  // The group `r` belongs to when its key's group differs, or nullptr.
  GroupChange* DifferingGroup(const records::Record& r, std::size_t position) {
    GroupChange* group = position == KeyIndex::kNone ? nullptr : groups_.Differing(position);
    if (group != nullptr && group->key_json.empty()) group->key_json = KeyJson(r.value, request_.key);
    return group;
  }

  Status Materialise(records::Record& r, const std::vector<bool>& removed) {
    if (!groups_.empty()) {
      std::size_t position = PositionOf(r, request_.old_side);
      if (position != KeyIndex::kNone && groups_.IsRemoved(position)) {
        out_.removed.push_back({r.line, json::Write(r.value)});
        return Status::Ok();
      }
      if (GroupChange* group = DifferingGroup(r, position)) {
        AddRow(group->old_rows, r.line, json::Write(r.value));
        return Status::Ok();
      }
    }
    if (r.index < removed.size() && removed[r.index]) {
      out_.removed.push_back({r.line, json::Write(r.value)});
      return Status::Ok();
    }
    auto pending = pending_.find(static_cast<std::uint32_t>(r.index));
    if (pending == pending_.end()) return Status::Ok();
    rapidjson::Document new_row;
    new_row.Parse(pending->second.new_row_json.c_str());
    RowChange change;
    change.cells = CompareRows(r.value, new_row, skipped_);
    if (change.cells.empty()) {  // only member order differed: the same data
      ++out_.unchanged;
    } else {
      change.key_json = KeyJson(r.value, request_.key);
      change.old_line = r.line;
      change.new_line = pending->second.new_line;
      change.rank = RankOf(change.cells);
      out_.changed.push_back(std::move(change));
    }
    pending_.erase(pending);
    return Status::Ok();
  }

  void NoteCollision(const char* side, const records::Record& r, std::uint64_t first_line) {
    ++out_.collision_count;
    if (out_.collisions.size() < kMaxCollisionExamples) {
      out_.collisions.push_back({side, KeyJson(r.value, request_.key), first_line, r.line});
    }
  }

  const FileRequest& request_;
  const std::vector<std::string>& skipped_;
  FileDiff& out_;
  PassFacts& facts_;
  RowHasher hasher_;
  KeyIndex index_;
  KeyGroups groups_;
  std::string key_;  // reused for every row
  std::unordered_map<std::uint32_t, PendingChange> pending_;
  bool matched_any_ = false;
  std::uint32_t last_old_index_ = 0;
};

}  // namespace

Status DiffKeyed(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out,
                 PassFacts& facts) {
  return KeyedDiff(request, skipped, out, facts).Run();
}

}  // namespace sluice::diff
