// Rows that share a key (internal to the diff module). Such rows cannot be paired one to one, so
// a key that repeats on either side is compared as a group: a multiset of rows per key. While
// the two sides stream past, each group keeps a tally per side, the number of rows and the sum
// of their content hashes (a multiset hash: the order of the rows does not change it, and under
// RowHasher's per-run random key a different multiset matches it as rarely as a different row
// matches a row's hash). Groups whose tallies differ are read again and their rows paired by
// content, so that a reviewer sees which rows of the group differ.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "diff/diff.h"
#include "diff/key_index.h"
#include "diff/row_identity.h"

namespace sluice::diff {

struct GroupTally {
  std::uint64_t old_count = 0;
  std::uint64_t new_count = 0;
  std::uint64_t old_sum = 0;
  std::uint64_t new_sum = 0;

  void AddOld(std::uint64_t row_hash) { ++old_count, old_sum += row_hash; }
  void AddNew(std::uint64_t row_hash) { ++new_count, new_sum += row_hash; }
  bool Same() const { return old_count == new_count && old_sum == new_sum; }
};

class KeyGroups {
 public:
  // The tally of the key at `position` in the KeyIndex (created empty).
  GroupTally& Tally(std::size_t position) { return tallies_[position]; }
  bool empty() const { return tallies_.empty(); }

  // After both passes: groups alike on both sides add their rows to `unchanged`; the rows of the
  // others are read again.
  void Settle(std::uint64_t& unchanged);
  bool NeedsOldRows() const { return removed_ > 0 || !differing_.empty(); }
  bool NeedsNewRows() const { return !differing_.empty(); }
  // Whether the key at `position` is a group that the new version lacks: all its rows were removed.
  bool IsRemoved(std::size_t position) const;
  // Where the rows of the key at `position` go when read again; nullptr when it is not a group
  // that differs. Add rows with AddRow.
  GroupChange* Differing(std::size_t position);

  // Pairs equal rows in each differing group (CompareRows finds no cell): a group whose rows all
  // pair is counted unchanged (only the member or column order differed), the others are appended
  // to out.changed_groups in the order their keys first appeared.
  void Finish(const std::vector<std::string>& skipped, RowHasher& hasher, FileDiff& out);

 private:
  std::unordered_map<std::size_t, GroupTally> tallies_;
  std::map<std::size_t, GroupChange> differing_;
  std::size_t removed_ = 0;
};

// A key with one old row becomes a group at its second new row: the tally takes the old row and
// the first new row, whose comparison was pending in `pending` (a map from the old row's index to
// what the new row was, its hash in `NewHash(pending value)`) or which was counted unchanged
// because it hashed alike. Returns at once for an entry that is a group already.
template <typename PendingMap, typename NewHash>
void EnterGroup(KeyEntry& entry, GroupTally& tally, PendingMap& pending, std::uint64_t& unchanged, NewHash new_hash) {
  if (entry.in_group) return;
  tally.AddOld(entry.row_hash);
  auto first_new = pending.find(entry.row_index);
  if (first_new == pending.end()) {
    --unchanged;
    tally.AddNew(entry.row_hash);
  } else {
    tally.AddNew(new_hash(first_new->second));
    pending.erase(first_new);
  }
  entry.in_group = true;
}

// Appends a row to one side of a group, keeping the first kMaxGroupRows.
void AddRow(std::vector<GroupRow>& rows, std::uint64_t line, std::string row_json);

}  // namespace sluice::diff
