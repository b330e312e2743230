#include "records/value_assembler.h"

#include "json/json.h"

namespace sluice::records {
namespace {

// Up to this many members, repeated keys are found by comparing every pair (cheaper than
// hashing for the small objects records are made of); above it, through a hash map.
constexpr std::size_t kPairwiseLimit = 24;

std::string_view KeyText(const rapidjson::Value& key) { return {key.GetString(), key.GetStringLength()}; }

}  // namespace

void ValueAssembler::Begin(rapidjson::Document& target, std::size_t max_depth) {
  target_ = &target;
  max_depth_ = max_depth;
  too_deep_ = false;
  lone_surrogate_ = false;
  number_too_big_ = false;
  allocator_ = &target.GetAllocator();
  values_.clear();
  open_.clear();
  complete_ = false;
  duplicate_keys_ = 0;
  first_duplicate_key_.clear();
}

bool ValueAssembler::SetRoot(rapidjson::Value&& value) {
  static_cast<rapidjson::Value&>(*target_) = std::move(value);
  complete_ = true;
  return true;
}

bool ValueAssembler::Open(bool is_object) {
  if (open_.size() >= max_depth_) {
    too_deep_ = true;
    return false;  // the parser stops with kParseErrorTermination
  }
  open_.push_back({values_.size(), is_object});
  return true;
}

bool ValueAssembler::EndArray(rapidjson::SizeType /*element_count*/) {
  std::size_t first = open_.back().first;
  rapidjson::Value array(rapidjson::kArrayType);
  array.Reserve(static_cast<rapidjson::SizeType>(values_.size() - first), *allocator_);
  for (std::size_t i = first; i < values_.size(); ++i) array.PushBack(values_[i], *allocator_);
  values_.erase(values_.begin() + static_cast<std::ptrdiff_t>(first), values_.end());
  open_.pop_back();
  return Add(std::move(array));
}

bool ValueAssembler::EndObject(rapidjson::SizeType /*member_count*/) {
  std::size_t first = open_.back().first;
  std::size_t count = (values_.size() - first) / 2;
  bool repeats = FindRepeatedKeys(first, count);
  rapidjson::Value object(rapidjson::kObjectType);
  if (!repeats) {
    for (std::size_t i = first; i < values_.size(); i += 2) object.AddMember(values_[i], values_[i + 1], *allocator_);
  } else {
    // The member keeps the place of the key's first appearance and takes its last value.
    slot_of_.assign(count, 0);
    for (std::size_t m = 0; m < count; ++m) {
      rapidjson::Value& key = values_[first + 2 * m];
      rapidjson::Value& value = values_[first + 2 * m + 1];
      if (first_with_key_[m] == m) {
        slot_of_[m] = object.MemberCount();
        object.AddMember(key, value, *allocator_);
      } else {
        NoteDuplicate(KeyText(key));
        (object.MemberBegin() + slot_of_[first_with_key_[m]])->value = value;
      }
    }
  }
  values_.erase(values_.begin() + static_cast<std::ptrdiff_t>(first), values_.end());
  open_.pop_back();
  return Add(std::move(object));
}

bool ValueAssembler::FindRepeatedKeys(std::size_t first, std::size_t count) {
  first_with_key_.resize(count);
  bool repeats = false;
  if (count <= kPairwiseLimit) {
    // Length and end bytes first: most unequal keys differ there, and comparing integers in a
    // small array is cheaper than comparing the keys (10% of NDJSON reading before this).
    std::uint32_t tags[kPairwiseLimit];
    for (std::size_t m = 0; m < count; ++m) {
      std::string_view key = KeyText(values_[first + 2 * m]);
      tags[m] = key.empty() ? 0
                            : static_cast<std::uint32_t>(key.size()) << 16 |
                                  static_cast<std::uint32_t>(static_cast<unsigned char>(key.front())) << 8 |
                                  static_cast<unsigned char>(key.back());
      first_with_key_[m] = static_cast<std::uint32_t>(m);
      for (std::size_t earlier = 0; earlier < m; ++earlier) {
        if (tags[earlier] == tags[m] && KeyText(values_[first + 2 * earlier]) == key) {
          first_with_key_[m] = static_cast<std::uint32_t>(earlier);
          repeats = true;
          break;
        }
      }
    }
    return repeats;
  }
  seen_.clear();
  for (std::size_t m = 0; m < count; ++m) {
    auto [it, inserted] = seen_.emplace(KeyText(values_[first + 2 * m]), static_cast<std::uint32_t>(m));
    first_with_key_[m] = it->second;
    repeats = repeats || !inserted;
  }
  return repeats;
}

void ValueAssembler::NoteDuplicate(std::string_view key) {
  if (duplicate_keys_++ > 0) return;
  // The pointer is rebuilt from the open containers: an object's child sits right after its
  // key in values_, an array's child at its distance from the array's first element.
  std::string pointer;
  for (std::size_t level = 1; level < open_.size(); ++level) {
    const OpenContainer& parent = open_[level - 1];
    std::size_t child = open_[level].first;
    pointer += '/';
    if (parent.is_object) {
      pointer += json::EscapePointerToken(KeyText(values_[child - 1]));
    } else {
      pointer += std::to_string(child - parent.first);
    }
  }
  pointer += '/';
  pointer += json::EscapePointerToken(key);
  first_duplicate_key_ = std::move(pointer);
}

}  // namespace sluice::records
