#include "diff/key_groups.h"

#include <algorithm>
#include <unordered_map>

#include <rapidjson/document.h>

#include "diff/cells.h"

namespace sluice::diff {
namespace {

// Rows left unpaired after matching by hash are compared pairwise, up to this many on each side:
// beyond it the group stays reported as changed (a false "changed" is shown to a person; a
// false "unchanged" would not be).
constexpr std::size_t kMaxPairwise = 256;

std::vector<rapidjson::Document> Parse(const std::vector<GroupRow>& rows) {
  std::vector<rapidjson::Document> docs(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) docs[i].Parse(rows[i].row_json.c_str(), rows[i].row_json.size());
  return docs;
}

// Marks the rows of each side that have an equal row on the other side; true when all of them do.
bool PairRows(GroupChange& group, const std::vector<std::string>& skipped, RowHasher& hasher) {
  auto old_docs = Parse(group.old_rows), new_docs = Parse(group.new_rows);
  auto same = [&](std::size_t o, std::size_t n) { return CompareRows(old_docs[o], new_docs[n], skipped).empty(); };
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> new_by_hash;  // in file order: the first equal row pairs
  for (std::size_t n = 0; n < new_docs.size(); ++n) new_by_hash[hasher.Hash(new_docs[n])].push_back(n);
  for (std::size_t o = 0; o < old_docs.size(); ++o) {
    auto found = new_by_hash.find(hasher.Hash(old_docs[o]));
    if (found == new_by_hash.end()) continue;
    for (std::size_t n : found->second) {
      if (group.new_rows[n].paired || !same(o, n)) continue;
      group.old_rows[o].paired = group.new_rows[n].paired = true;
      break;
    }
  }
  std::vector<std::size_t> old_left, new_left;
  for (std::size_t o = 0; o < old_docs.size(); ++o) {
    if (!group.old_rows[o].paired) old_left.push_back(o);
  }
  for (std::size_t n = 0; n < new_docs.size(); ++n) {
    if (!group.new_rows[n].paired) new_left.push_back(n);
  }
  if (old_left.size() <= kMaxPairwise && new_left.size() <= kMaxPairwise) {
    for (std::size_t o : old_left) {
      for (std::size_t n : new_left) {
        if (group.new_rows[n].paired || !same(o, n)) continue;
        group.old_rows[o].paired = group.new_rows[n].paired = true;
        break;
      }
    }
  }
  bool all_collected = group.old_rows.size() == group.old_count && group.new_rows.size() == group.new_count;
  auto paired = [](const GroupRow& r) { return r.paired; };
  return all_collected && group.old_count == group.new_count &&
         std::all_of(group.old_rows.begin(), group.old_rows.end(), paired) &&
         std::all_of(group.new_rows.begin(), group.new_rows.end(), paired);
}

}  // namespace

void AddRow(std::vector<GroupRow>& rows, std::uint64_t line, std::string row_json) {
  if (rows.size() < kMaxGroupRows) rows.push_back({line, std::move(row_json), false});
}

void KeyGroups::Settle(std::uint64_t& unchanged) {
  for (const auto& [position, tally] : tallies_) {
    if (tally.Same()) {
      unchanged += tally.old_count;
    } else if (tally.new_count == 0) {
      ++removed_;
    } else {
      GroupChange& group = differing_[position];
      group.old_count = tally.old_count;
      group.new_count = tally.new_count;
    }
  }
}

bool KeyGroups::IsRemoved(std::size_t position) const {
  auto found = tallies_.find(position);
  return found != tallies_.end() && found->second.new_count == 0;
}

GroupChange* KeyGroups::Differing(std::size_t position) {
  auto found = differing_.find(position);
  return found == differing_.end() ? nullptr : &found->second;
}

void KeyGroups::Finish(const std::vector<std::string>& skipped, RowHasher& hasher, FileDiff& out) {
  for (auto& [position, group] : differing_) {
    if (PairRows(group, skipped, hasher)) {
      out.unchanged += group.old_count;
    } else {
      out.changed_groups.push_back(std::move(group));
    }
  }
  differing_.clear();
}

}  // namespace sluice::diff
