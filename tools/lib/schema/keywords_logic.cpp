// Applicators that combine subschemas on the same value (allOf, anyOf, oneOf, not,
// if/then/else) and references ($ref, $dynamicRef, $recursiveRef).
#include <algorithm>
#include <unordered_map>

#include "schema/compiler.h"
#include "schema/fast_value.h"
#include "schema/uri.h"

namespace sluice::schema::detail {
namespace {

// A $ref chain that returns to the same schema without consuming the instance would recurse
// forever; real schemas nest far less deeply than this.
constexpr std::size_t kMaxReferenceDepth = 1000;
// References the fast verdict follows from one outermost $ref before it gives up and leaves the
// record to Evaluate (which finds a cycle at its first turn): a cycle through anyOf or oneOf, or
// subschemas that reference the next ones twice, would otherwise cost 2^depth.
constexpr long kMaxFastFollows = 1 << 20;

// Evaluates with the error sink switched off (the caller decides what to report).
bool Silently(const SchemaNode& node, const Value& v, EvalContext& ctx, Annotations* ann) {
  auto* sink = ctx.SwapSink(nullptr);
  bool ok = node.Evaluate(v, ctx, ann);
  ctx.SwapSink(sink);
  return ok;
}

class AllOfCheck : public Check {
 public:
  AllOfCheck(std::string location, std::vector<const SchemaNode*> subs) : Check("allOf", std::move(location)), subs_(std::move(subs)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    bool ok = true;
    for (const SchemaNode* sub : subs_) {
      ok = sub->Evaluate(v, ctx, ann) && ok;
      if (!ok && !ctx.collecting()) return false;
    }
    return ok;
  }
  bool PassesFast(const FastValue& v) const override {
    return std::all_of(subs_.begin(), subs_.end(), [&](const SchemaNode* sub) { return sub->PassesFast(v); });
  }
  bool HasFastPath() const override {
    return std::all_of(subs_.begin(), subs_.end(), [](const SchemaNode* sub) { return sub->HasFastPath(); });
  }
  void AppliesToSameInstance(std::vector<const SchemaNode*>& out) const override {
    out.insert(out.end(), subs_.begin(), subs_.end());
  }

 private:
  std::vector<const SchemaNode*> subs_;
};

class AnyOfCheck : public Check {
 public:
  AnyOfCheck(std::string location, std::vector<const SchemaNode*> subs) : Check("anyOf", std::move(location)), subs_(std::move(subs)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    bool any = false;
    for (const SchemaNode* sub : subs_) {
      // With annotations wanted every passing branch counts, so no early exit then.
      if (Silently(*sub, v, ctx, ann)) {
        any = true;
        if (ann == nullptr) break;
      }
    }
    if (any || !ctx.collecting()) return any;
    Fail(ctx, Describe(v) + " matches none of the " + std::to_string(subs_.size()) + " schemas in anyOf");
    for (const SchemaNode* sub : subs_) sub->Evaluate(v, ctx, nullptr);  // why each branch failed
    return false;
  }
  bool PassesFast(const FastValue& v) const override {
    return std::any_of(subs_.begin(), subs_.end(), [&](const SchemaNode* sub) { return sub->PassesFast(v); });
  }
  bool HasFastPath() const override {
    return std::any_of(subs_.begin(), subs_.end(), [](const SchemaNode* sub) { return sub->HasFastPath(); });
  }

 private:
  std::vector<const SchemaNode*> subs_;
};

class OneOfCheck : public Check {
 public:
  OneOfCheck(std::string location, std::vector<const SchemaNode*> subs) : Check("oneOf", std::move(location)), subs_(std::move(subs)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    std::vector<std::size_t> passed;
    for (std::size_t i = 0; i < subs_.size(); ++i) {
      if (Silently(*subs_[i], v, ctx, ann)) passed.push_back(i);
      if (passed.size() > 1 && !ctx.collecting()) return false;
    }
    if (passed.size() == 1) return true;
    if (!ctx.collecting()) return false;
    if (passed.empty()) {
      Fail(ctx, Describe(v) + " matches none of the " + std::to_string(subs_.size()) + " schemas in oneOf");
      for (const SchemaNode* sub : subs_) sub->Evaluate(v, ctx, nullptr);
    } else {
      Fail(ctx, Describe(v) + " matches more than one schema in oneOf (" + std::to_string(passed[0]) + " and " +
                    std::to_string(passed[1]) + ")");
    }
    return false;
  }

 private:
  std::vector<const SchemaNode*> subs_;
};

class NotCheck : public Check {
 public:
  NotCheck(std::string location, const SchemaNode* sub) : Check("not", std::move(location)), sub_(sub) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (!Silently(*sub_, v, ctx, nullptr)) return true;
    Fail(ctx, Describe(v) + " must not match the schema in \"not\"");
    return false;
  }

 private:
  const SchemaNode* sub_;
};

class IfThenElseCheck : public Check {
 public:
  IfThenElseCheck(std::string location, const SchemaNode* if_node, const SchemaNode* then_node, const SchemaNode* else_node)
      : Check("if", std::move(location)), if_(if_node), then_(then_node), else_(else_node) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    const SchemaNode* branch = Silently(*if_, v, ctx, ann) ? then_ : else_;
    return branch == nullptr || branch->Evaluate(v, ctx, ann);
  }

 private:
  const SchemaNode *if_, *then_, *else_;
};

bool Follow(const SchemaNode& target, const Value& v, EvalContext& ctx, Annotations* ann, const std::string& location) {
  if (ctx.following.size() > kMaxReferenceDepth) {
    if (ctx.collecting()) {
      ctx.Report("$ref", location, "references nest deeper than " + std::to_string(kMaxReferenceDepth) + " (a $ref cycle?)");
    }
    return false;
  }
  // A cycle through anyOf, oneOf, not or if (FindEndlessReference refuses those through allOf
  // and $ref alone at compile time) ends at its first turn, not after kMaxReferenceDepth turns
  // that each branch again (a hang: found by the schema_compile fuzz target).
  for (const auto& [node, value] : ctx.following) {
    if (node == &target && value == &v) {
      if (ctx.collecting()) {
        ctx.Report("$ref", location, "a reference cycle: " + target.location +
                                         " is applied to the same value again before it has answered");
      }
      return false;
    }
  }
  ctx.following.emplace_back(&target, &v);
  bool ok = target.Evaluate(v, ctx, ann);
  ctx.following.pop_back();
  return ok;
}

class RefCheck : public Check {
 public:
  explicit RefCheck(std::string location) : Check("$ref", std::move(location)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    return Follow(*target, v, ctx, ann, location_);
  }
  bool PassesFast(const FastValue& v) const override {
    thread_local int depth = 0;
    thread_local long follows = 0;
    if (depth == 0) follows = 0;
    if (static_cast<std::size_t>(depth) > kMaxReferenceDepth || ++follows > kMaxFastFollows) return false;  // Evaluate reports the cycle
    ++depth;
    bool ok = target->PassesFast(v);
    --depth;
    return ok;
  }
  bool HasFastPath() const override { return target->HasFastPath(); }
  void AppliesToSameInstance(std::vector<const SchemaNode*>& out) const override { out.push_back(target); }
  const SchemaNode* target = nullptr;
};

// 2020-12: when the statically resolved target declares the same $dynamicAnchor, the
// outermost resource in the dynamic scope declaring that anchor wins.
class DynamicRefCheck : public Check {
 public:
  DynamicRefCheck(std::string location, std::string anchor) : Check("$dynamicRef", std::move(location)), anchor_(std::move(anchor)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    const SchemaNode* chosen = target;
    auto own = target->resource->dynamic_anchors.find(anchor_);
    if (!anchor_.empty() && own != target->resource->dynamic_anchors.end() && own->second == target) {
      for (const Resource* resource : ctx.dynamic_scope) {
        auto found = resource->dynamic_anchors.find(anchor_);
        if (found != resource->dynamic_anchors.end()) {
          chosen = found->second;
          break;
        }
      }
    }
    return Follow(*chosen, v, ctx, ann, location_);
  }
  const SchemaNode* target = nullptr;

 private:
  std::string anchor_;
};

// 2019-09: "$recursiveRef": "#" moves outwards through the dynamic scope while the resources
// there carry "$recursiveAnchor": true.
class RecursiveRefCheck : public Check {
 public:
  explicit RecursiveRefCheck(std::string location) : Check("$recursiveRef", std::move(location)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    const SchemaNode* chosen = target;
    if (target->resource->recursive_anchor) {
      for (auto it = ctx.dynamic_scope.rbegin(); it != ctx.dynamic_scope.rend(); ++it) {
        if (!(*it)->recursive_anchor || (*it)->root == nullptr) break;
        chosen = (*it)->root;
      }
    }
    return Follow(*chosen, v, ctx, ann, location_);
  }
  const SchemaNode* target = nullptr;
};

std::vector<const SchemaNode*> SchemaArray(Compiler& c, const Value& array, const Scope& scope, const char* keyword) {
  if (!array.IsArray() || array.Empty()) FailAt(ChildLocation(scope.location, keyword), "must be a non-empty array of schemas");
  std::vector<const SchemaNode*> subs;
  for (rapidjson::SizeType i = 0; i < array.Size(); ++i) subs.push_back(c.Sub(array[i], scope, keyword, std::to_string(i)));
  return subs;
}

std::string StringOf(const Value& v, const std::string& location) {
  if (!v.IsString()) FailAt(location, "must be a string");
  return {v.GetString(), v.GetStringLength()};
}

}  // namespace

void CompileLogicKeywords(Compiler& c, const Value& s, const Scope& scope, SchemaNode& node) {
  auto at = [&](const char* keyword) { return ChildLocation(scope.location, keyword); };
  auto member = [&](const char* keyword) -> const Value* {
    auto it = s.FindMember(keyword);
    return it == s.MemberEnd() ? nullptr : &it->value;
  };
  if (const Value* v = member("allOf")) node.checks.push_back(std::make_unique<AllOfCheck>(at("allOf"), SchemaArray(c, *v, scope, "allOf")));
  if (const Value* v = member("anyOf")) node.checks.push_back(std::make_unique<AnyOfCheck>(at("anyOf"), SchemaArray(c, *v, scope, "anyOf")));
  if (const Value* v = member("oneOf")) node.checks.push_back(std::make_unique<OneOfCheck>(at("oneOf"), SchemaArray(c, *v, scope, "oneOf")));
  if (const Value* v = member("not")) node.checks.push_back(std::make_unique<NotCheck>(at("not"), c.Sub(*v, scope, "not")));
  const Value* if_value = member("if");
  if (if_value != nullptr && DraftAtLeast(scope, Draft::kDraft7)) {
    const Value* then_value = member("then");
    const Value* else_value = member("else");
    node.checks.push_back(std::make_unique<IfThenElseCheck>(at("if"), c.Sub(*if_value, scope, "if"),
                                                            then_value ? c.Sub(*then_value, scope, "then") : nullptr,
                                                            else_value ? c.Sub(*else_value, scope, "else") : nullptr));
  }
}

void CompileReferenceKeywords(Compiler& c, const Value& s, const Scope& scope, SchemaNode& node) {
  auto at = [&](const char* keyword) { return ChildLocation(scope.location, keyword); };
  if (auto it = s.FindMember("$ref"); it != s.MemberEnd()) {
    auto check = std::make_unique<RefCheck>(at("$ref"));
    c.ResolveLater(&check->target, ResolveUri(scope.base, StringOf(it->value, at("$ref"))), at("$ref"));
    node.checks.push_back(std::move(check));
  }
  if (auto it = s.FindMember("$dynamicRef"); it != s.MemberEnd() && scope.draft == Draft::kDraft2020_12) {
    std::string uri = ResolveUri(scope.base, StringOf(it->value, at("$dynamicRef")));
    std::string_view without_fragment, fragment;
    SplitFragment(uri, without_fragment, fragment);
    std::string anchor = fragment.empty() || fragment[0] == '/' ? std::string() : std::string(fragment);
    auto check = std::make_unique<DynamicRefCheck>(at("$dynamicRef"), std::move(anchor));
    c.ResolveLater(&check->target, uri, at("$dynamicRef"));
    node.checks.push_back(std::move(check));
  }
  if (auto it = s.FindMember("$recursiveRef"); it != s.MemberEnd() && scope.draft == Draft::kDraft2019_09) {
    auto check = std::make_unique<RecursiveRefCheck>(at("$recursiveRef"));
    c.ResolveLater(&check->target, ResolveUri(scope.base, StringOf(it->value, at("$recursiveRef"))), at("$recursiveRef"));
    node.checks.push_back(std::move(check));
  }
}

std::string FindEndlessReference(const std::vector<std::unique_ptr<SchemaNode>>& nodes, std::string* at) {
  // Depth-first over the "applies to the same instance" edges; a node met again while still on
  // the path closes a cycle. Iterative: schemas may chain many references.
  enum : char { kUnseen, kOnPath, kDone };
  std::unordered_map<const SchemaNode*, char> state;
  struct Step {
    const SchemaNode* node;
    std::vector<std::pair<const SchemaNode*, const Check*>> next;  // target, the check leading there
    std::size_t i = 0;
  };
  auto expand = [](const SchemaNode* node) {
    Step step{node, {}};
    std::vector<const SchemaNode*> targets;
    for (const auto& check : node->checks) {
      targets.clear();
      check->AppliesToSameInstance(targets);
      for (const SchemaNode* target : targets) {
        if (target != nullptr) step.next.emplace_back(target, check.get());
      }
    }
    return step;
  };
  for (const auto& root : nodes) {
    if (state[root.get()] != kUnseen) continue;
    std::vector<Step> path{expand(root.get())};
    state[root.get()] = kOnPath;
    while (!path.empty()) {
      Step& top = path.back();
      if (top.i == top.next.size()) {
        state[top.node] = kDone;
        path.pop_back();
        continue;
      }
      auto [target, via] = top.next[top.i++];
      char& seen = state[target];
      if (seen == kDone) continue;
      if (seen == kOnPath) {
        std::string cycle;
        std::size_t from = 0;
        while (path[from].node != target) ++from;
        for (std::size_t k = from; k < path.size(); ++k) cycle += path[k].node->location + " → ";
        *at = via->location();
        return cycle + target->location;
      }
      seen = kOnPath;
      path.push_back(expand(target));
    }
  }
  return "";
}

}  // namespace sluice::schema::detail
