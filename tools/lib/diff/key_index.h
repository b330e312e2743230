// The old version's rows by key, compactly: what makes diffing two 1M-row tables fit in a
// few times the input's size. Per row it keeps the key's bytes (in one arena), the content
// hash, the row's position, line and byte offset, and three flags: 56 bytes plus the key, where a
// std::unordered_map<std::string, ...> costs twice that.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::diff {

struct KeyEntry {
  std::uint64_t key_hash = 0;
  std::uint64_t row_hash = 0;
  std::uint64_t key_offset : 61 = 0;  // into the arena
  std::uint64_t in_old : 1 = 0;       // the key is in the old version
  std::uint64_t seen_in_new : 1 = 0;  // the new version has had a row with this key
  std::uint64_t in_group : 1 = 0;     // the key has more than one row on some side (KeyGroups)
  std::uint32_t key_size = 0;
  std::uint32_t row_index = 0;  // position in its file
  std::uint64_t line = 0;      // first line in the old version, or in the new one for a new key
  std::uint64_t new_line = 0;  // first line in the new version
  std::uint64_t offset = 0;    // where the old row starts in its file (CSV: read again by offset)
};
static_assert(sizeof(KeyEntry) == 56, "a million keys cost 56 MB of entries");

class KeyIndex {
 public:
  static constexpr std::size_t kNone = ~std::size_t{0};

  KeyIndex();

  // The entry for `key`, or nullptr. Entries never move: pointers stay valid.
  KeyEntry* Find(std::string_view key, std::uint64_t key_hash);
  // The position of the entry for `key` (see at()), or kNone.
  std::size_t Position(std::string_view key, std::uint64_t key_hash) const;
  // Adds an entry at position size() (the caller has checked that Find returned nullptr).
  KeyEntry& Insert(std::string_view key, std::uint64_t key_hash);

  // The entries in the order they were inserted.
  std::size_t size() const { return size_; }
  KeyEntry& at(std::size_t position) const { return chunks_[position / kChunk][position % kChunk]; }
  std::string_view KeyOf(const KeyEntry& entry) const { return {arena_.data() + entry.key_offset, entry.key_size}; }

 private:
  // Entries live in chunks rather than one vector: a vector's doubling copies every entry and
  // holds both copies for a moment, which was the peak memory of a diff.
  static constexpr std::size_t kChunk = 1 << 16;

  void Grow();

  std::vector<std::unique_ptr<KeyEntry[]>> chunks_;
  std::size_t size_ = 0;
  std::string arena_;
  // Open addressing, linear probing. A slot holds the key hash's high 32 bits over (entry index
  // + 1), 0 when empty: a probe rejects most other keys without touching their entry (a cache
  // miss each, which dominated the lookup).
  std::vector<std::uint64_t> slots_;
};

}  // namespace sluice::diff
