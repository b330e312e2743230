// How the diff recognises a row: a keyed hash of its content (without the ignored fields), and
// the key text that pairs it with its other version.
//
// The hash is SipHash-1-3 (the variant Rust's HashMap uses) under a random key chosen per run:
// the data comes from third parties, and with a fixed fast hash a crafted row could collide with
// its previous version and hide a change from the reviewer, or flood the key index. A 64-bit
// hash leaves a 2^-64 chance per row pair.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "core/status.h"

namespace sluice::diff {

std::uint64_t SipHash13(std::uint64_t k0, std::uint64_t k1, const void* data, std::size_t size);

class RowHasher {
 public:
  explicit RowHasher(std::vector<std::string> ignored);

  // The row's content without the ignored top-level fields. Numbers hash by value (1 and 1.0
  // agree). Member order counts: a row whose fields merely moved hashes differently, and the
  // cell comparison then finds nothing and counts it unchanged.
  std::uint64_t Hash(const rapidjson::Value& row);
  std::uint64_t HashBytes(std::string_view bytes) const;
  // Under a key changed by `tweak`: the same bytes under another tweak hash differently.
  std::uint64_t HashBytes(std::string_view bytes, std::uint64_t tweak) const;
  bool IsIgnored(std::string_view field) const;

 private:
  void Append(const rapidjson::Value& value);
  void AppendSized(std::string_view bytes);

  std::vector<std::string> ignored_;
  std::uint64_t k0_;
  std::uint64_t k1_;
  std::string scratch_;  // reused: one allocation for the whole file
};

// Writes into `out` the text that pairs rows: each key field's value (strings as they are,
// other values as JSON) joined by U+001F. A record that is not an object or lacks a key field is
// an InputError "<origin>:<line>: ...".
Status KeyText(const rapidjson::Value& row, const std::vector<std::string>& key, const std::string& origin,
               std::uint64_t line, std::string& out);

// The error for a record at `line` that lacks the key field `field`.
Status MissingKeyField(const std::vector<std::string>& key, const std::string& field, const std::string& origin,
                       std::uint64_t line);

// The key fields of `row` as a compact JSON object, for reports.
std::string KeyJson(const rapidjson::Value& row, const std::vector<std::string>& key);

// Whether two values are the same data (numbers by value, objects in any member order).
bool SameValue(const rapidjson::Value& a, const rapidjson::Value& b);

}  // namespace sluice::diff
