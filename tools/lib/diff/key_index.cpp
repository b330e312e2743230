#include "diff/key_index.h"

namespace sluice::diff {
namespace {
constexpr std::uint64_t kFingerprint = 0xFFFFFFFF00000000ULL;
}  // namespace

KeyIndex::KeyIndex() : slots_(1024, 0) {}

KeyEntry* KeyIndex::Find(std::string_view key, std::uint64_t key_hash) {
  std::size_t position = Position(key, key_hash);
  return position == kNone ? nullptr : &at(position);
}

std::size_t KeyIndex::Position(std::string_view key, std::uint64_t key_hash) const {
  std::size_t mask = slots_.size() - 1;
  for (std::size_t i = key_hash & mask;; i = (i + 1) & mask) {
    std::uint64_t slot = slots_[i];
    if (slot == 0) return kNone;
    if ((slot & kFingerprint) != (key_hash & kFingerprint)) continue;
    std::size_t position = (slot & ~kFingerprint) - 1;
    const KeyEntry& entry = at(position);
    if (entry.key_hash == key_hash && KeyOf(entry) == key) return position;
  }
}

KeyEntry& KeyIndex::Insert(std::string_view key, std::uint64_t key_hash) {
  // A load of at most one half keeps probe sequences short.
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<KeyEntry[]>(kChunk));
  KeyEntry& entry = at(size_++);
  entry.key_hash = key_hash;
  entry.key_offset = arena_.size();
  entry.key_size = static_cast<std::uint32_t>(key.size());
  arena_.append(key);
  std::size_t mask = slots_.size() - 1;
  std::size_t i = key_hash & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = (key_hash & kFingerprint) | size_;
  return entry;
}

void KeyIndex::Grow() {
  std::vector<std::uint64_t> bigger(slots_.size() * 2, 0);
  std::size_t mask = bigger.size() - 1;
  for (std::size_t e = 0; e < size_; ++e) {
    std::uint64_t key_hash = at(e).key_hash;
    std::size_t i = key_hash & mask;
    while (bigger[i] != 0) i = (i + 1) & mask;
    bigger[i] = (key_hash & kFingerprint) | (e + 1);
  }
  slots_.swap(bigger);
}

}  // namespace sluice::diff
