// Object keywords: properties / patternProperties / additionalProperties, required,
// dependencies / dependentRequired / dependentSchemas, propertyNames, min/maxProperties.
#include <algorithm>
#include <cstdint>

#include "json/repeated_keys.h"
#include "schema/compiler.h"
#include "schema/fast_eval.h"
#include "schema/fast_value.h"
#include "schema/name_table.h"

namespace sluice::schema::detail {
namespace {

std::string_view NameOf(const Value& name) { return {name.GetString(), name.GetStringLength()}; }

bool HasProperty(const Value& object, std::string_view name) {
  return object.FindMember(rapidjson::StringRef(name.data(), name.size())) != object.MemberEnd();
}

bool HasProperty(const simdjson::dom::object& object, std::string_view name) {
  for (auto member : object) {
    if (member.key == name) return true;
  }
  return false;
}

std::vector<std::string> FirstOfEach(const std::vector<std::pair<std::string, const SchemaNode*>>& named) {
  std::vector<std::string> names;
  for (const auto& entry : named) names.push_back(entry.first);
  return names;
}

// properties, patternProperties and additionalProperties as one check: what is "additional"
// depends on the other two.
class PropertiesCheck : public Check {
 public:
  using Named = std::pair<std::string, const SchemaNode*>;
  using Patterned = std::pair<std::shared_ptr<const Regex>, const SchemaNode*>;

  PropertiesCheck(std::string location, std::vector<Named> named, std::vector<Patterned> patterned, const SchemaNode* additional)
      : Check("properties", std::move(location)),
        named_(std::move(named)),
        names_(FirstOfEach(named_)),
        patterned_(std::move(patterned)),
        additional_(additional) {}

  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    if (!v.IsObject()) return true;
    bool ok = true;
    std::size_t index = 0, count = v.MemberCount();
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m, ++index) {
      std::string_view name = NameOf(m->name);
      PathScope at(ctx, name);
      bool matched = false;
      ok = EvaluateMatches(name, m->value, ctx, matched) && ok;
      if (!matched && additional_ != nullptr) {
        matched = true;
        ok = EvaluateAdditional(name, m->value, ctx) && ok;
      }
      if (matched && ann != nullptr) ann->MarkProp(index, count);
      if (!ok && !ctx.collecting()) return false;
    }
    return ok;
  }

  // The fast verdict also checks `required` when every required name is among `properties`
  // (`mask`: their bits, by position there): one pass over the members instead of two.
  void TakeOverRequired(std::uint64_t mask) { required_mask_ = mask; }

  bool PassesFast(const FastValue& v) const override {
    if (v.type() != FastType::OBJECT) return true;
    simdjson::dom::object object = v.get_object().value_unsafe();  // a copy: the result holding it is a temporary
    // Repeated keys: among the first 64 properties by a bit each, among the rest pairwise while
    // there are few, else by json::RepeatsOwnKey at the end.
    constexpr std::size_t kFewOthers = 8;
    std::uint64_t seen = 0;
    const char* other_data[kFewOthers];  // not string_views: those would be zeroed on every call
    std::size_t other_size[kFewOthers];
    std::size_t other_count = 0;
    bool many_others = false;
    for (auto member : object) {
      bool matched = false;
      std::size_t found = names_.Find(member.key);
      if (found != NameTable::kNotFound) {
        if (!named_[found].second->PassesFastInline(member.value)) return false;
        matched = true;
      }
      if (found < 64) {
        std::uint64_t bit = std::uint64_t{1} << found;
        if ((seen & bit) != 0) return false;
        seen |= bit;
      } else if (other_count < kFewOthers) {
        for (std::size_t i = 0; i < other_count; ++i) {
          if (std::string_view(other_data[i], other_size[i]) == member.key) return false;
        }
        other_data[other_count] = member.key.data();
        other_size[other_count++] = member.key.size();
      } else {
        many_others = true;
      }
      for (const auto& [regex, node] : patterned_) {
        if (!regex->SearchValidUtf8(member.key)) continue;
        if (!node->PassesFast(member.value)) return false;
        matched = true;
      }
      if (!matched) {
        // A subschema walks the value; an unconstrained value is looked through here.
        if (additional_ != nullptr ? !additional_->PassesFast(member.value) : json::RepeatsAKey(member.value)) return false;
      }
    }
    if (many_others && json::RepeatsOwnKey(v)) return false;
    return (seen & required_mask_) == required_mask_;
  }
  bool WalksFast(bool objects) const override { return objects; }
  bool HasFastPath() const override {
    auto able = [](const auto& entry) { return entry.second->HasFastPath(); };
    return std::all_of(named_.begin(), named_.end(), able) && std::all_of(patterned_.begin(), patterned_.end(), able) &&
           (additional_ == nullptr || additional_->HasFastPath());
  }

 private:
  bool EvaluateMatches(std::string_view name, const Value& value, EvalContext& ctx, bool& matched) const {
    bool ok = true;
    std::size_t found = names_.Find(name);
    if (found != NameTable::kNotFound) {
      matched = true;
      ok = named_[found].second->Evaluate(value, ctx, nullptr);
    }
    for (const auto& [regex, node] : patterned_) {
      if (!regex->Search(name)) continue;
      matched = true;
      ok = node->Evaluate(value, ctx, nullptr) && ok;
    }
    return ok;
  }

  bool EvaluateAdditional(std::string_view name, const Value& value, EvalContext& ctx) const {
    if (!additional_->IsFalse()) return additional_->Evaluate(value, ctx, nullptr);
    if (ctx.collecting()) ctx.Report("additionalProperties", additional_->location, "property " + Quote(name) + " is not allowed");
    return false;
  }

  std::vector<Named> named_;
  NameTable names_;
  std::vector<Patterned> patterned_;
  const SchemaNode* additional_;
  std::uint64_t required_mask_ = 0;
};

class RequiredCheck : public Check {
 public:
  RequiredCheck(std::string location, std::vector<std::string> names)
      : Check("required", std::move(location)), names_(std::move(names)), table_(names_) {}

  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (!v.IsObject()) return true;
    if (names_.size() <= 64 && AllPresent(v)) return true;  // one pass over the members
    bool ok = true;
    for (const std::string& name : names_) {
      if (HasProperty(v, name)) continue;
      ok = false;
      if (!ctx.collecting()) return false;
      Fail(ctx, "missing required property " + Quote(name));
    }
    return ok;
  }
  // The PropertiesCheck of the same schema checks these names in its own fast verdict.
  void LeaveFastVerdictToProperties() { left_to_properties_ = true; }
  bool FastIsTrivial() const override { return left_to_properties_; }

  bool PassesFast(const FastValue& v) const override {
    if (left_to_properties_ || v.type() != FastType::OBJECT) return true;
    simdjson::dom::object object = v.get_object().value_unsafe();
    if (names_.size() <= 64) {
      std::uint64_t seen = 0;
      for (auto member : object) {
        std::size_t found = table_.Find(member.key);
        if (found != NameTable::kNotFound) seen |= std::uint64_t{1} << found;
      }
      return seen == AllBits();
    }
    return std::all_of(names_.begin(), names_.end(), [&](const std::string& name) { return HasProperty(object, name); });
  }
  bool HasFastPath() const override { return true; }

 private:
  std::uint64_t AllBits() const { return names_.size() == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << names_.size()) - 1; }

  bool AllPresent(const Value& object) const {
    std::uint64_t seen = 0;
    for (auto m = object.MemberBegin(); m != object.MemberEnd(); ++m) {
      std::size_t found = table_.Find(NameOf(m->name));
      if (found != NameTable::kNotFound) seen |= std::uint64_t{1} << found;
    }
    return seen == AllBits();
  }

  std::vector<std::string> names_;
  NameTable table_;
  bool left_to_properties_ = false;
};

class DependentRequiredCheck : public Check {
 public:
  using Rule = std::pair<std::string, std::vector<std::string>>;
  DependentRequiredCheck(const char* keyword, std::string location, std::vector<Rule> rules)
      : Check(keyword, std::move(location)), rules_(std::move(rules)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (!v.IsObject()) return true;
    bool ok = true;
    for (const auto& [trigger, needed] : rules_) {
      if (!HasProperty(v, trigger)) continue;
      for (const std::string& name : needed) {
        if (HasProperty(v, name)) continue;
        ok = false;
        if (!ctx.collecting()) return false;
        Fail(ctx, "property " + Quote(trigger) + " requires property " + Quote(name));
      }
    }
    return ok;
  }
  bool PassesFast(const FastValue& v) const override {
    if (v.type() != FastType::OBJECT) return true;
    simdjson::dom::object object = v.get_object().value_unsafe();
    for (const auto& [trigger, needed] : rules_) {
      if (!HasProperty(object, trigger)) continue;
      for (const std::string& name : needed) {
        if (!HasProperty(object, name)) return false;
      }
    }
    return true;
  }
  bool HasFastPath() const override { return true; }

 private:
  std::vector<Rule> rules_;
};

// dependentSchemas (and schema-valued dependencies): an in-place applicator, so annotations flow.
class DependentSchemasCheck : public Check {
 public:
  using Rule = std::pair<std::string, const SchemaNode*>;
  DependentSchemasCheck(const char* keyword, std::string location, std::vector<Rule> rules)
      : Check(keyword, std::move(location)), rules_(std::move(rules)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations* ann) const override {
    if (!v.IsObject()) return true;
    bool ok = true;
    for (const auto& [trigger, node] : rules_) {
      if (!HasProperty(v, trigger)) continue;
      ok = node->Evaluate(v, ctx, ann) && ok;
      if (!ok && !ctx.collecting()) return false;
    }
    return ok;
  }

 private:
  std::vector<Rule> rules_;
};

class PropertyNamesCheck : public Check {
 public:
  PropertyNamesCheck(std::string location, const SchemaNode* sub) : Check("propertyNames", std::move(location)), sub_(sub) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (!v.IsObject()) return true;
    bool ok = true;
    for (const auto& member : v.GetObject()) {
      PathScope at(ctx, NameOf(member.name));
      ok = sub_->Evaluate(member.name, ctx, nullptr) && ok;  // the name is a JSON string value
      if (!ok && !ctx.collecting()) return false;
    }
    return ok;
  }

 private:
  const SchemaNode* sub_;
};

std::vector<std::string> StringList(const Value& v, const std::string& location) {
  if (!v.IsArray()) FailAt(location, "must be an array of strings");
  std::vector<std::string> names;
  for (const Value& item : v.GetArray()) {
    if (!item.IsString()) FailAt(location, "must be an array of strings");
    names.emplace_back(item.GetString(), item.GetStringLength());
  }
  return names;
}

// dependencies (draft-04 to 07) mixes both kinds; dependentRequired / dependentSchemas split them.
void CompileDependencies(Compiler& c, const Value& s, const Scope& scope, SchemaNode& node) {
  const bool modern = DraftAtLeast(scope, Draft::kDraft2019_09);
  const char* keywords[] = {"dependencies", "dependentRequired", "dependentSchemas"};
  for (const char* keyword : keywords) {
    bool is_legacy = keyword == keywords[0];
    if (is_legacy == modern || (keyword == keywords[1] && !scope.validation_vocabulary)) continue;
    auto it = s.FindMember(keyword);
    if (it == s.MemberEnd() || !it->value.IsObject()) continue;
    std::string location = ChildLocation(scope.location, keyword);
    std::vector<DependentRequiredCheck::Rule> required;
    std::vector<DependentSchemasCheck::Rule> schemas;
    for (const auto& m : it->value.GetObject()) {
      std::string name(NameOf(m.name));
      if (m.value.IsArray() && keyword != keywords[2]) required.emplace_back(name, StringList(m.value, ChildLocation(location, name)));
      else if (keyword != keywords[1]) schemas.emplace_back(name, c.Sub(m.value, scope, keyword, name));
    }
    if (!required.empty()) node.checks.push_back(std::make_unique<DependentRequiredCheck>(keyword, location, std::move(required)));
    if (!schemas.empty()) node.checks.push_back(std::make_unique<DependentSchemasCheck>(keyword, location, std::move(schemas)));
  }
}

}  // namespace

void CompileObjectKeywords(Compiler& c, const Value& s, const Scope& scope, SchemaNode& node) {
  auto member = [&](const char* keyword) -> const Value* {
    auto it = s.FindMember(keyword);
    return it == s.MemberEnd() ? nullptr : &it->value;
  };
  std::vector<PropertiesCheck::Named> named;
  std::vector<PropertiesCheck::Patterned> patterned;
  const SchemaNode* additional = nullptr;
  if (const Value* v = member("properties"); v != nullptr && v->IsObject()) {
    for (const auto& m : v->GetObject()) named.emplace_back(std::string(NameOf(m.name)), c.Sub(m.value, scope, "properties", NameOf(m.name)));
  }
  if (const Value* v = member("patternProperties"); v != nullptr && v->IsObject()) {
    for (const auto& m : v->GetObject()) {
      std::string location = ChildLocation(ChildLocation(scope.location, "patternProperties"), NameOf(m.name));
      patterned.emplace_back(c.Pattern(NameOf(m.name), location), c.Sub(m.value, scope, "patternProperties", NameOf(m.name)));
    }
  }
  if (const Value* v = member("additionalProperties")) additional = c.Sub(*v, scope, "additionalProperties");
  PropertiesCheck* properties = nullptr;
  if (!named.empty() || !patterned.empty() || additional != nullptr) {
    auto check = std::make_unique<PropertiesCheck>(ChildLocation(scope.location, "properties"), named,
                                                   std::move(patterned), additional);
    properties = check.get();
    node.checks.push_back(std::move(check));
  }
  if (const Value* v = member("required"); v != nullptr && scope.validation_vocabulary) {
    std::string location = ChildLocation(scope.location, "required");
    std::vector<std::string> required = StringList(*v, location);
    // Required names that are all among the first 64 properties: their fast verdict goes to PropertiesCheck.
    std::uint64_t mask = 0;
    NameTable table(FirstOfEach(named));
    bool all_named = properties != nullptr && std::all_of(required.begin(), required.end(), [&](const std::string& name) {
      std::size_t found = table.Find(name);
      if (found == NameTable::kNotFound || found >= 64) return false;
      mask |= std::uint64_t{1} << found;
      return true;
    });
    auto check = std::make_unique<RequiredCheck>(location, std::move(required));
    if (all_named) {
      properties->TakeOverRequired(mask);
      check->LeaveFastVerdictToProperties();
    }
    node.checks.push_back(std::move(check));
  }
  CompileDependencies(c, s, scope, node);
  if (const Value* v = member("propertyNames"); v != nullptr && scope.draft != Draft::kDraft4) {
    node.checks.push_back(std::make_unique<PropertyNamesCheck>(ChildLocation(scope.location, "propertyNames"), c.Sub(*v, scope, "propertyNames")));
  }
  AddCountChecks(s, scope, node, true);
}

}  // namespace sluice::schema::detail
