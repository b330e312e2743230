// unevaluatedProperties / unevaluatedItems: they apply to what no other keyword of the same
// schema (or of its in-place subschemas that passed) evaluated, so they run last, reading the
// node's annotations.
#include "schema/compiler.h"

namespace sluice::schema::detail {
namespace {

class UnevaluatedPropertiesCheck : public Check {
 public:
  UnevaluatedPropertiesCheck(std::string location, const SchemaNode* sub) : Check("unevaluatedProperties", std::move(location)), sub_(sub) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    if (!v.IsObject() || ann->all_props) return true;
    bool ok = true;
    std::size_t index = 0;
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m, ++index) {
      if (ann->PropEvaluated(index)) continue;
      std::string_view name(m->name.GetString(), m->name.GetStringLength());
      PathScope at(ctx, name);
      if (sub_->IsFalse()) {
        Fail(ctx, "property " + Quote(name) + " is not allowed (no other keyword evaluated it)");
        ok = false;
      } else {
        ok = sub_->Evaluate(m->value, ctx, nullptr) && ok;
      }
      if (!ok && !ctx.collecting()) return false;
    }
    // Every property is evaluated now, as far as enclosing schemas are concerned.
    if (ok) ann->all_props = true;
    return ok;
  }

 private:
  const SchemaNode* sub_;
};

class UnevaluatedItemsCheck : public Check {
 public:
  UnevaluatedItemsCheck(std::string location, const SchemaNode* sub) : Check("unevaluatedItems", std::move(location)), sub_(sub) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    if (!v.IsArray() || ann->all_items) return true;
    bool ok = true;
    for (std::size_t i = 0; i < v.Size(); ++i) {
      if (ann->ItemEvaluated(i)) continue;
      PathScope at(ctx, i);
      if (sub_->IsFalse()) {
        Fail(ctx, "item " + std::to_string(i) + " is not allowed (no other keyword evaluated it)");
        ok = false;
      } else {
        ok = sub_->Evaluate(v[static_cast<rapidjson::SizeType>(i)], ctx, nullptr) && ok;
      }
      if (!ok && !ctx.collecting()) return false;
    }
    if (ok) ann->all_items = true;
    return ok;
  }

 private:
  const SchemaNode* sub_;
};

}  // namespace

void CompileUnevaluatedKeywords(Compiler& c, const Value& s, const Scope& scope, SchemaNode& node) {
  if (!DraftAtLeast(scope, Draft::kDraft2019_09)) return;
  if (auto it = s.FindMember("unevaluatedProperties"); it != s.MemberEnd()) {
    node.checks.push_back(std::make_unique<UnevaluatedPropertiesCheck>(ChildLocation(scope.location, "unevaluatedProperties"),
                                                                      c.Sub(it->value, scope, "unevaluatedProperties")));
    node.has_unevaluated = true;
  }
  if (auto it = s.FindMember("unevaluatedItems"); it != s.MemberEnd()) {
    node.checks.push_back(std::make_unique<UnevaluatedItemsCheck>(ChildLocation(scope.location, "unevaluatedItems"),
                                                                 c.Sub(it->value, scope, "unevaluatedItems")));
    node.has_unevaluated = true;
  }
}

}  // namespace sluice::schema::detail
