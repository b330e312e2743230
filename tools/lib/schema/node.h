// The compiled form of a schema: one SchemaNode per subschema, each holding small Check
// objects (one per keyword or keyword group), and what an evaluation carries along.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rapidjson/document.h>

#include "schema/validator.h"

namespace simdjson::dom {
class element;
}

namespace sluice::schema::detail {

using rapidjson::Value;
struct SchemaNode;
class Check;
class Regex;

enum class Bound { kMin, kMax, kExclusiveMin, kExclusiveMax };

// minimum / maximum / exclusive*: whether `x` is within `limit`.
inline bool BoundHolds(Bound bound, double x, double limit) {
  switch (bound) {
    case Bound::kMin: return x >= limit;
    case Bound::kMax: return x <= limit;
    case Bound::kExclusiveMin: return x > limit;
    case Bound::kExclusiveMax: return x < limit;
  }
  return false;
}

// minLength / maxLength: whether `text` has at least (at most, `is_max`) `limit` code points.
bool LengthWithin(std::string_view text, std::size_t limit, bool is_max);

// One step of a node's fast verdict. The keywords every record meets are flattened into their
// parameters, so the node tests them without a virtual call; any other check is called.
struct FastStep {
  enum class Kind : unsigned char { kBound, kLength, kPattern, kCheck };
  Kind kind = Kind::kCheck;
  Bound bound = Bound::kMin;      // kBound
  double limit = 0;               // kBound
  std::size_t length = 0;         // kLength
  bool is_max = false;            // kLength
  const Regex* regex = nullptr;   // kPattern
  const Check* check = nullptr;   // kCheck
};

// A schema resource (a document or a subschema with its own $id): the unit of the dynamic
// scope that $dynamicRef and $recursiveRef search.
struct Resource {
  std::string uri;
  bool recursive_anchor = false;                                          // 2019-09 $recursiveAnchor
  const SchemaNode* root = nullptr;                                       // compiled when $recursiveRef may need it
  std::unordered_map<std::string, const Value*> dynamic_anchor_values;    // filled by the index
  std::unordered_map<std::string, const SchemaNode*> dynamic_anchors;     // filled by the compiler
};

// Which properties / items of the current instance some subschema evaluated successfully:
// what unevaluatedProperties and unevaluatedItems need. Indexed by member / item position.
struct Annotations {
  bool all_props = false;
  std::vector<bool> props;
  bool all_items = false;
  std::size_t item_prefix = 0;
  std::vector<bool> items;

  void MarkProp(std::size_t index, std::size_t count);
  void MarkItem(std::size_t index, std::size_t count);
  void MergeFrom(const Annotations& other);
  bool PropEvaluated(std::size_t index) const { return all_props || (index < props.size() && props[index]); }
  bool ItemEvaluated(std::size_t index) const {
    return all_items || index < item_prefix || (index < items.size() && items[index]);
  }
};

// One position in the instance: a property name (borrowed from the instance) or an index.
struct PathToken {
  std::string_view name;
  std::size_t index = 0;
  bool is_index = false;
};

class EvalContext {
 public:
  EvalContext(std::vector<ValidationError>* errors, std::size_t max_errors) : errors_(errors), max_errors_(max_errors) {}

  // False when nobody wants messages (IsValid, a branch of anyOf, not): checks stop at the first failure.
  bool collecting() const { return errors_ != nullptr && errors_->size() < max_errors_; }
  void Report(std::string_view keyword, const std::string& schema_pointer, std::string message);
  std::string InstancePointer() const;

  // Swaps the error sink (nullptr = only validity wanted); returns the previous one.
  std::vector<ValidationError>* SwapSink(std::vector<ValidationError>* sink) {
    std::swap(sink, errors_);
    return sink;
  }

  std::vector<PathToken> path;
  std::vector<const Resource*> dynamic_scope;
  // The references being followed, outermost first: which schema, against which value (their
  // number is the nesting of references). Evaluation is a function of the two, so meeting a pair
  // again before it returned is a loop that never ends (Follow).
  std::vector<std::pair<const SchemaNode*, const Value*>> following;

 private:
  std::vector<ValidationError>* errors_;
  std::size_t max_errors_;
};

// Keeps the instance path right on every exit.
class PathScope {
 public:
  PathScope(EvalContext& ctx, std::string_view name) : ctx_(ctx) { ctx.path.push_back({name, 0, false}); }
  PathScope(EvalContext& ctx, std::size_t index) : ctx_(ctx) { ctx.path.push_back({{}, index, true}); }
  ~PathScope() { ctx_.path.pop_back(); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  EvalContext& ctx_;
};

class Check {
 public:
  Check(const char* keyword, std::string location) : keyword_(keyword), location_(std::move(location)) {}
  virtual ~Check() = default;
  // `ann` is non-null when an enclosing unevaluated* keyword needs to know what was evaluated.
  virtual bool Evaluate(const Value& instance, EvalContext& ctx, Annotations* ann) const = 0;

  // The fast verdict on simdjson's parse of the same JSON (Validator::PassesFast): true only
  // when Evaluate would pass the instance; false when it would not, or when this check cannot
  // tell without the RapidJSON value (the default: the caller then takes the ordinary path).
  virtual bool PassesFast(const simdjson::dom::element& /*instance*/) const { return false; }
  // Whether PassesFast can say true at all, this check's subschemas included: when a schema
  // holds a check that cannot, the fast lane would only add work, so nobody uses it.
  virtual bool HasFastPath() const { return false; }
  // Whether PassesFast, saying true of an object (`objects`) or an array, has made sure that no
  // object in it repeats a key (the fast verdict promises that; see Validator::PassesFast).
  virtual bool WalksFast(bool /*objects*/) const { return false; }
  // The types a "type" keyword allows (FastTypeBits' bits), so the node can test them inline;
  // 0 for every other check.
  virtual unsigned FastTypeMask() const { return 0; }
  // True when PassesFast has nothing left to do (another check took its work over).
  virtual bool FastIsTrivial() const { return false; }
  // This check as a step of the node's fast verdict: by default a call of PassesFast.
  virtual FastStep FastStepOf() const { return {.kind = FastStep::Kind::kCheck, .check = this}; }
  // The subschemas this check always applies to the instance it is given, itself (a $ref's
  // target, allOf's branches; not anyOf, whose branches may be skipped, nor properties, which
  // apply to parts of it): a cycle through these never ends (FindEndlessReference).
  virtual void AppliesToSameInstance(std::vector<const SchemaNode*>& /*out*/) const {}
  const std::string& location() const { return location_; }

 protected:
  void Fail(EvalContext& ctx, std::string message) const {
    if (ctx.collecting()) ctx.Report(keyword_, location_, std::move(message));
  }
  const char* keyword_;
  std::string location_;  // "#/properties/fips/pattern"
};

struct SchemaNode {
  std::string location;                  // "#/properties/fips"
  const Resource* resource = nullptr;
  int boolean = -1;                      // 0 / 1 for the schemas false / true; -1 otherwise
  bool has_unevaluated = false;          // owns unevaluatedProperties / unevaluatedItems
  std::vector<std::unique_ptr<Check>> checks;  // unevaluated* last: they read the others' annotations

  bool Evaluate(const Value& instance, EvalContext& ctx, Annotations* ann) const;
  bool IsFalse() const { return boolean == 0; }
  bool PassesFast(const simdjson::dom::element& instance) const;
  bool PassesFastInline(const simdjson::dom::element& instance) const;  // the same, in schema/fast_eval.h
  // Asked while the validator is built (one thread); a $ref cycle counts as able while it is
  // being looked at. Only a hint: a check without a fast path says false at run time anyway.
  bool HasFastPath() const;

 private:
  mutable signed char has_fast_path_ = -1;  // -1 not asked yet
  // Whether a check walks every member of an object / item of an array in PassesFast; if not,
  // PassesFast looks for repeated keys itself. Set by HasFastPath.
  mutable bool walks_objects_ = false, walks_arrays_ = false;
  // Also set by HasFastPath: the node's "type" as a mask tested inline, and its other checks
  // as FastSteps (no virtual call for the common ones). Until then PassesFast asks `checks`.
  mutable bool fast_prepared_ = false;
  mutable unsigned fast_types_ = 0;
  mutable std::vector<FastStep> fast_steps_;
};


// A cycle of subschemas that apply each other to the same instance, always (a $ref to itself,
// a → b → a with nothing else): evaluating it never ends, whatever the instance. Returns the
// cycle as " → "-joined schema locations, starting at the $ref that closes it, or "".
std::string FindEndlessReference(const std::vector<std::unique_ptr<SchemaNode>>& nodes, std::string* at);

// Type name as JSON Schema says it ("integer" for 3 and 3.0 alike).
const char* JsonTypeName(const Value& value);
// The value in short JSON for messages ("12" quoted, long values cut with "...").
std::string Describe(const Value& value);
std::string Quote(std::string_view text);
std::size_t CodePointCount(std::string_view text);
bool IsInteger(const Value& value);

}  // namespace sluice::schema::detail
