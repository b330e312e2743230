// The old version's rows by key, compactly: what makes diffing two 1M-row tables fit in a
// few times the input's size. Per row it keeps the key's bytes (in one arena), the content
// hash, the row's position and line, and a few flags: about 40 bytes plus the key, where a
// std::unordered_map<std::string, ...> costs twice that.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::diff {

struct KeyEntry {
  std::uint64_t key_hash = 0;
  std::uint64_t row_hash = 0;
  std::uint64_t key_offset = 0;  // into the arena
  std::uint32_t key_size = 0;
  std::uint32_t row_index = 0;  // position in its file
  std::uint64_t line = 0;      // first line in the old version, or in the new one for a new key
  std::uint64_t new_line = 0;  // first line in the new version
  bool in_old = false;       // the key is in the old version
  bool seen_in_new = false;  // the new version has had a row with this key
};

class KeyIndex {
 public:
  KeyIndex();

  // The entry for `key`, or nullptr. Pointers are valid until the next Insert.
  KeyEntry* Find(std::string_view key, std::uint64_t key_hash);
  // Adds an entry (the caller has checked that Find returned nullptr).
  KeyEntry& Insert(std::string_view key, std::uint64_t key_hash);

  std::vector<KeyEntry>& entries() { return entries_; }
  std::string_view KeyOf(const KeyEntry& entry) const { return {arena_.data() + entry.key_offset, entry.key_size}; }

 private:
  void Grow();

  std::vector<KeyEntry> entries_;
  std::string arena_;
  // Open addressing, linear probing. A slot holds the key hash's high 32 bits over (entry index
  // + 1), 0 when empty: a probe rejects most other keys without touching their entry (a cache
  // miss each, which dominated the lookup).
  std::vector<std::uint64_t> slots_;
};

}  // namespace sluice::diff
