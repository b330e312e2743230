// Array keywords: items / prefixItems / additionalItems, contains with min/maxContains,
// minItems / maxItems, uniqueItems.
#include <algorithm>

#include "schema/compiler.h"
#include "json/repeated_keys.h"
#include "schema/fast_value.h"

namespace sluice::schema::detail {
namespace {

// items (array form) or prefixItems for the first positions, then items (schema form) or
// additionalItems for the rest: one check, because the rest depends on the prefix.
class ItemsCheck : public Check {
 public:
  ItemsCheck(const char* keyword, std::string location, std::vector<const SchemaNode*> prefix, const SchemaNode* rest,
             const char* rest_keyword)
      : Check(keyword, std::move(location)), prefix_(std::move(prefix)), rest_(rest), rest_keyword_(rest_keyword) {}

  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    if (!v.IsArray()) return true;
    std::size_t size = v.Size();
    std::size_t prefix = std::min(size, prefix_.size());
    bool ok = true;
    for (std::size_t i = 0; i < prefix; ++i) {
      PathScope at(ctx, i);
      ok = prefix_[i]->Evaluate(v[static_cast<rapidjson::SizeType>(i)], ctx, nullptr) && ok;
      if (!ok && !ctx.collecting()) return false;
    }
    if (rest_ != nullptr && size > prefix) ok = EvaluateRest(v, prefix, ctx) && ok;
    if (ann != nullptr) {
      ann->item_prefix = std::max(ann->item_prefix, prefix);
      if (rest_ != nullptr) ann->all_items = true;
    }
    return ok;
  }
  bool PassesFast(const FastValue& v) const override {
    if (v.type() != FastType::ARRAY) return true;
    std::size_t i = 0;
    simdjson::dom::array items = v.get_array().value_unsafe();  // a copy: the result holding it is a temporary
    for (FastValue item : items) {
      const SchemaNode* node = i < prefix_.size() ? prefix_[i] : rest_;
      // A subschema walks the item; an unconstrained item is looked through here.
      if (node != nullptr ? !node->PassesFast(item) : json::RepeatsAKey(item)) return false;
      ++i;
    }
    return true;
  }
  bool WalksFast(bool objects) const override { return !objects; }
  bool HasFastPath() const override {
    return std::all_of(prefix_.begin(), prefix_.end(), [](const SchemaNode* n) { return n->HasFastPath(); }) &&
           (rest_ == nullptr || rest_->HasFastPath());
  }

 private:
  bool EvaluateRest(const Value& v, std::size_t from, EvalContext& ctx) const {
    if (rest_->IsFalse()) {
      if (ctx.collecting()) {
        ctx.Report(rest_keyword_, rest_->location,
                   "array has " + std::to_string(v.Size()) + " items, at most " + std::to_string(from) + " are allowed");
      }
      return false;
    }
    bool ok = true;
    for (std::size_t i = from; i < v.Size(); ++i) {
      PathScope at(ctx, i);
      ok = rest_->Evaluate(v[static_cast<rapidjson::SizeType>(i)], ctx, nullptr) && ok;
      if (!ok && !ctx.collecting()) return false;
    }
    return ok;
  }

  std::vector<const SchemaNode*> prefix_;
  const SchemaNode* rest_;
  const char* rest_keyword_;
};

class ContainsCheck : public Check {
 public:
  ContainsCheck(std::string location, const SchemaNode* sub, std::size_t min, std::size_t max, bool annotates)
      : Check("contains", std::move(location)), sub_(sub), min_(min), max_(max), annotates_(annotates) {}

  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    if (!v.IsArray()) return true;
    bool track = ann != nullptr && annotates_;
    bool bounded = max_ != kUnbounded;
    std::size_t count = 0;
    auto* sink = ctx.SwapSink(nullptr);  // a non-matching item is no error in itself
    for (std::size_t i = 0; i < v.Size(); ++i) {
      if (!sub_->Evaluate(v[static_cast<rapidjson::SizeType>(i)], ctx, nullptr)) continue;
      ++count;
      if (track) ann->MarkItem(i, v.Size());
      if (!track && !bounded && count >= min_) break;
    }
    ctx.SwapSink(sink);
    if (count < min_) {
      Fail(ctx, min_ == 1 ? "array has no item matching the schema in \"contains\""
                          : "array has " + std::to_string(count) + " items matching \"contains\", fewer than " + std::to_string(min_));
      return false;
    }
    if (count > max_) {
      Fail(ctx, "array has " + std::to_string(count) + " items matching \"contains\", more than " + std::to_string(max_));
      return false;
    }
    return true;
  }
  static constexpr std::size_t kUnbounded = static_cast<std::size_t>(-1);

 private:
  const SchemaNode* sub_;
  std::size_t min_, max_;
  bool annotates_;
};

class UniqueItemsCheck : public Check {
 public:
  explicit UniqueItemsCheck(std::string location) : Check("uniqueItems", std::move(location)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (!v.IsArray()) return true;
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      for (rapidjson::SizeType j = i + 1; j < v.Size(); ++j) {
        if (v[i] == v[j]) {  // deep and numeric, as the drafts define equality
          Fail(ctx, "items " + std::to_string(i) + " and " + std::to_string(j) + " are equal (" + Describe(v[i]) + ")");
          return false;
        }
      }
    }
    return true;
  }
};

class CountCheck : public Check {
 public:
  CountCheck(const char* keyword, std::string location, std::size_t limit, bool is_max, bool objects)
      : Check(keyword, std::move(location)), limit_(limit), is_max_(is_max), objects_(objects) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (objects_ ? !v.IsObject() : !v.IsArray()) return true;
    std::size_t count = objects_ ? v.MemberCount() : v.Size();
    if (is_max_ ? count <= limit_ : count >= limit_) return true;
    Fail(ctx, std::string(objects_ ? "object has " : "array has ") + std::to_string(count) +
                  (objects_ ? " properties, " : " items, ") + (is_max_ ? "more than " : "fewer than ") + std::to_string(limit_));
    return false;
  }
  bool PassesFast(const FastValue& v) const override {
    if (v.type() != (objects_ ? FastType::OBJECT : FastType::ARRAY)) return true;
    std::size_t count = 0;
    if (objects_) {
      simdjson::dom::object object = v.get_object().value_unsafe();
      count = object.size();
    } else {
      simdjson::dom::array array = v.get_array().value_unsafe();
      count = array.size();
    }
    if (count >= 0xFFFFFF) return false;  // simdjson caps the count it keeps there: left to Evaluate
    return is_max_ ? count <= limit_ : count >= limit_;
  }
  bool HasFastPath() const override { return true; }

 private:
  std::size_t limit_;
  bool is_max_, objects_;
};

}  // namespace

void AddCountChecks(const Value& s, const Scope& scope, SchemaNode& node, bool objects) {
  if (!scope.validation_vocabulary) return;
  const char* keywords[2] = {objects ? "minProperties" : "minItems", objects ? "maxProperties" : "maxItems"};
  for (int is_max = 0; is_max < 2; ++is_max) {
    auto it = s.FindMember(keywords[is_max]);
    if (it == s.MemberEnd()) continue;
    std::string location = ChildLocation(scope.location, keywords[is_max]);
    node.checks.push_back(std::make_unique<CountCheck>(keywords[is_max], location, CountKeyword(it->value, location), is_max == 1, objects));
  }
}

void CompileArrayKeywords(Compiler& c, const Value& s, const Scope& scope, SchemaNode& node) {
  auto member = [&](const char* keyword) -> const Value* {
    auto it = s.FindMember(keyword);
    return it == s.MemberEnd() ? nullptr : &it->value;
  };
  bool modern = scope.draft == Draft::kDraft2020_12;
  const char* prefix_keyword = modern ? "prefixItems" : "items";
  const char* rest_keyword = modern ? "items" : "additionalItems";
  std::vector<const SchemaNode*> prefix;
  const SchemaNode* rest = nullptr;
  const Value* prefix_value = member(prefix_keyword);
  if (prefix_value != nullptr && prefix_value->IsArray()) {
    for (rapidjson::SizeType i = 0; i < prefix_value->Size(); ++i) {
      prefix.push_back(c.Sub((*prefix_value)[i], scope, prefix_keyword, std::to_string(i)));
    }
    if (const Value* r = member(rest_keyword)) rest = c.Sub(*r, scope, rest_keyword);
  } else if (const Value* items = member("items"); items != nullptr && !items->IsArray()) {
    rest_keyword = "items";
    rest = c.Sub(*items, scope, "items");
  }
  if (!prefix.empty() || rest != nullptr) {
    node.checks.push_back(std::make_unique<ItemsCheck>(prefix_keyword, ChildLocation(scope.location, prefix_keyword),
                                                       std::move(prefix), rest, rest_keyword));
  }
  if (const Value* contains = member("contains"); contains != nullptr && scope.draft != Draft::kDraft4) {
    std::size_t min = 1, max = ContainsCheck::kUnbounded;
    if (DraftAtLeast(scope, Draft::kDraft2019_09) && scope.validation_vocabulary) {
      if (const Value* v = member("minContains")) min = CountKeyword(*v, ChildLocation(scope.location, "minContains"));
      if (const Value* v = member("maxContains")) max = CountKeyword(*v, ChildLocation(scope.location, "maxContains"));
    }
    node.checks.push_back(std::make_unique<ContainsCheck>(ChildLocation(scope.location, "contains"),
                                                          c.Sub(*contains, scope, "contains"), min, max, modern));
  }
  AddCountChecks(s, scope, node, false);
  const Value* unique = member("uniqueItems");
  if (unique != nullptr && unique->IsBool() && unique->GetBool() && scope.validation_vocabulary) {
    node.checks.push_back(std::make_unique<UniqueItemsCheck>(ChildLocation(scope.location, "uniqueItems")));
  }
}

}  // namespace sluice::schema::detail
