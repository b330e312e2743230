// The fast verdict's inner loop, inline: SchemaNode::PassesFast's body, which PropertiesCheck
// also runs in place for each member of a record (a call per member and per step cost about a
// tenth of a run).
#pragma once

#include "json/repeated_keys.h"
#include "schema/fast_value.h"
#include "schema/node.h"
#include "schema/regex.h"

namespace sluice::schema::detail {

[[gnu::always_inline]] inline bool PassesStep(const FastStep& step, const FastValue& v, FastType type) {
  switch (step.kind) {
    case FastStep::Kind::kBound:
      return (type != FastType::INT64 && type != FastType::UINT64 && type != FastType::DOUBLE) ||
             BoundHolds(step.bound, FastNumber(v), step.limit);
    case FastStep::Kind::kLength: return type != FastType::STRING || LengthWithin(FastString(v), step.length, step.is_max);
    case FastStep::Kind::kPattern: return type != FastType::STRING || step.regex->SearchValidUtf8(FastString(v));
    case FastStep::Kind::kCheck: return step.check->PassesFast(v);
  }
  return false;
}

[[gnu::always_inline]] inline bool SchemaNode::PassesFastInline(const simdjson::dom::element& instance) const {
  if (boolean >= 0) return boolean == 1 && !json::RepeatsAKey(instance);
  if (has_unevaluated) return false;
  FastType type = instance.type();
  if (fast_prepared_) {
    if (fast_types_ != 0 && (FastTypeBits(instance, type) & fast_types_) == 0) return false;
    for (const FastStep& step : fast_steps_) {
      if (!PassesStep(step, instance, type)) return false;
    }
  } else {
    for (const auto& check : checks) {
      if (!check->PassesFast(instance)) return false;
    }
  }
  // An object or array no check here walked may still hide a repeated key.
  if ((type == FastType::OBJECT && !walks_objects_) || (type == FastType::ARRAY && !walks_arrays_)) {
    return !json::RepeatsAKey(instance);
  }
  return true;
}

}  // namespace sluice::schema::detail
