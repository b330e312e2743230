// Builds one JSON value from RapidJSON SAX events, with an explicit stack (deep nesting cannot
// overflow the call stack), keeping the last value of a key an object repeats.
//
// Why not drive rapidjson::Document's own handler: it keeps every repeated member and its
// stack is private, so there is no place to merge repeats before the object is sealed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "json/lone_surrogate.h"
#include "json/number_text.h"

namespace sluice::records {

class ValueAssembler {
 public:
  // Starts a new value that will become the root of `target`, allocated with its allocator.
  // Containers nested deeper than `max_depth` stop the parse (too_deep() tells): a recursive
  // parser must not follow such a value down the call stack.
  void Begin(rapidjson::Document& target, std::size_t max_depth = SIZE_MAX);
  // The whole value has been received (its last event closed the root).
  bool complete() const { return complete_; }
  bool too_deep() const { return too_deep_; }
  // A string escaped a lone surrogate (json::HoldsLoneSurrogate), which stopped the parse.
  bool lone_surrogate() const { return lone_surrogate_; }
  // A number beyond a double's range (json::SendNumber), which stopped the parse.
  bool number_too_big() const { return number_too_big_; }
  std::uint64_t duplicate_keys() const { return duplicate_keys_; }
  const std::string& first_duplicate_key() const { return first_duplicate_key_; }

  // RapidJSON's Handler concept. Only opening a container too deep and a string with a lone
  // surrogate fail.
  bool Null() { return Add(); }
  bool Bool(bool b) { return Add(b); }
  bool Int(int i) { return Add(i); }
  bool Uint(unsigned u) { return Add(u); }
  bool Int64(std::int64_t i) { return Add(i); }
  bool Uint64(std::uint64_t u) { return Add(u); }
  bool Double(double d) { return Add(d); }
  // Numbers come as their text (the readers parse with kParseNumbersAsStringsFlag; why in
  // json/number_text.h).
  bool RawNumber(const char* str, rapidjson::SizeType length, bool /*copy*/) {
    return json::SendNumber(*this, str, length, number_too_big_);
  }
  bool String(const char* str, rapidjson::SizeType length, bool /*copy*/) {
    if (json::HoldsLoneSurrogate(str, length)) {
      lone_surrogate_ = true;
      return false;  // the parser stops with kParseErrorTermination
    }
    // Always copied: the reader's bytes are reused for the next token or line.
    return Add(str, length, *allocator_);
  }
  bool StartObject() { return Open(true); }
  bool Key(const char* str, rapidjson::SizeType length, bool copy) { return String(str, length, copy); }
  bool EndObject(rapidjson::SizeType member_count);
  bool StartArray() { return Open(false); }
  bool EndArray(rapidjson::SizeType element_count);

 private:
  struct OpenContainer {
    std::size_t first;  // index in values_ of its first element (or first key)
    bool is_object;
  };

  // Constructs the value in place (a temporary Value moved into the vector costs a
  // store-forwarding stall per value: 15% of NDJSON reading when measured).
  template <typename... Args>
  bool Add(Args&&... args) {
    if (open_.empty()) return SetRoot(rapidjson::Value(std::forward<Args>(args)...));
    values_.emplace_back(std::forward<Args>(args)...);
    return true;
  }
  bool SetRoot(rapidjson::Value&& value);
  bool Open(bool is_object);
  // For each member of the object being closed, the index of the first member with its key.
  bool FindRepeatedKeys(std::size_t first, std::size_t count);
  void NoteDuplicate(std::string_view key);

  rapidjson::Document* target_ = nullptr;
  rapidjson::Document::AllocatorType* allocator_ = nullptr;
  // Values of the open containers, in order; an object's are key, value, key, value...
  std::vector<rapidjson::Value> values_;
  std::vector<OpenContainer> open_;
  bool complete_ = false;
  std::size_t max_depth_ = SIZE_MAX;
  bool too_deep_ = false;
  bool lone_surrogate_ = false;
  bool number_too_big_ = false;
  std::uint64_t duplicate_keys_ = 0;
  std::string first_duplicate_key_;
  // Scratch reused across objects.
  std::vector<std::uint32_t> first_with_key_;
  std::vector<rapidjson::SizeType> slot_of_;
  std::unordered_map<std::string_view, std::uint32_t> seen_;
};

}  // namespace sluice::records
