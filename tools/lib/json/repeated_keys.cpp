#include "json/repeated_keys.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace sluice::json {
namespace {

// A record's handful of keys are compared in pairs, held on the stack; more are sorted.
constexpr std::size_t kPairwise = 16;

bool RepeatsIn(const simdjson::dom::object& object) {
  std::string_view few[kPairwise];
  std::size_t count = 0;
  for (auto member : object) {
    if (count == kPairwise) {
      thread_local std::vector<std::string_view> many;
      many.clear();
      for (auto each : object) many.push_back(each.key);
      std::sort(many.begin(), many.end());
      return std::adjacent_find(many.begin(), many.end()) != many.end();
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (few[i].size() == member.key.size() && few[i] == member.key) return true;
    }
    few[count++] = member.key;
  }
  return false;
}

}  // namespace

bool RepeatsOwnKey(const simdjson::dom::element& object) {
  if (object.type() != simdjson::dom::element_type::OBJECT) return false;
  simdjson::dom::object members = object.get_object().value_unsafe();  // a copy: the result is a temporary
  return RepeatsIn(members);
}

bool RepeatsAKey(const simdjson::dom::element& value) {
  switch (value.type()) {
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array items = value.get_array().value_unsafe();
      return std::any_of(items.begin(), items.end(), [](simdjson::dom::element item) { return RepeatsAKey(item); });
    }
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object members = value.get_object().value_unsafe();
      if (RepeatsIn(members)) return true;
      for (auto member : members) {
        if (RepeatsAKey(member.value)) return true;
      }
      return false;
    }
    default: return false;
  }
}

}  // namespace sluice::json
