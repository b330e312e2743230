// A schema's list of property names, looked up by the names of an instance's members.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::schema::detail {

// Property names a schema lists, found by length, then compared a word at a time: records hold
// a handful of short keys, and comparing whole names (a sorted search, or FindMember per name)
// was the largest single cost of validating them.
class NameTable {
 public:
  static constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

  explicit NameTable(const std::vector<std::string>& names) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::size_t length = names[i].size();
      if (length >= by_length_.size()) by_length_.resize(length + 1);
      by_length_[length].push_back({names[i], i});
    }
  }

  // The position of `name` in the list given, or kNotFound.
  std::size_t Find(std::string_view name) const {
    if (name.size() >= by_length_.size()) return kNotFound;
    for (const Entry& entry : by_length_[name.size()]) {
      if (SameBytes(entry.name.data(), name.data(), name.size())) return entry.index;
    }
    return kNotFound;
  }

 private:
  // Keys are short: two overlapping loads of 8 (or 4) bytes from each side beat a byte loop
  // or a call to memcmp, and read nothing outside the n bytes.
  static bool SameBytes(const char* a, const char* b, std::size_t n) {
    if (n >= 8) {
      for (std::size_t at = 0; at + 8 < n; at += 8) {
        if (Load<std::uint64_t>(a + at) != Load<std::uint64_t>(b + at)) return false;
      }
      return Load<std::uint64_t>(a + n - 8) == Load<std::uint64_t>(b + n - 8);
    }
    if (n >= 4) return Load<std::uint32_t>(a) == Load<std::uint32_t>(b) && Load<std::uint32_t>(a + n - 4) == Load<std::uint32_t>(b + n - 4);
    for (std::size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  template <typename Word>
  static Word Load(const char* p) {
    Word word;
    std::memcpy(&word, p, sizeof word);
    return word;
  }

  struct Entry {
    std::string name;
    std::size_t index;
  };
  std::vector<std::vector<Entry>> by_length_;
};

}  // namespace sluice::schema::detail
