// How a compiled node evaluates a value, and what an evaluation carries along.
#include <algorithm>
#include <cmath>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "json/json.h"
#include "json/repeated_keys.h"
#include "schema/fast_eval.h"
#include "schema/fast_value.h"
#include "schema/node.h"
#include "schema/regex.h"

namespace sluice::schema::detail {
namespace {

constexpr std::size_t kDescribeLimit = 60;

void Grow(std::vector<bool>& marks, std::size_t count) {
  if (marks.size() < count) marks.resize(count, false);
}

void MergeMarks(std::vector<bool>& into, const std::vector<bool>& from) {
  Grow(into, from.size());
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (from[i]) into[i] = true;
  }
}

}  // namespace

void Annotations::MarkProp(std::size_t index, std::size_t count) {
  Grow(props, count);
  props[index] = true;
}

void Annotations::MarkItem(std::size_t index, std::size_t count) {
  Grow(items, count);
  items[index] = true;
}

void Annotations::MergeFrom(const Annotations& other) {
  all_props = all_props || other.all_props;
  all_items = all_items || other.all_items;
  item_prefix = std::max(item_prefix, other.item_prefix);
  if (!other.props.empty()) MergeMarks(props, other.props);
  if (!other.items.empty()) MergeMarks(items, other.items);
}

std::string EvalContext::InstancePointer() const {
  std::string pointer;
  for (const PathToken& token : path) {
    pointer += '/';
    pointer += token.is_index ? std::to_string(token.index) : json::EscapePointerToken(token.name);
  }
  return pointer;
}

void EvalContext::Report(std::string_view keyword, const std::string& schema_pointer, std::string message) {
  if (!collecting()) return;
  errors_->push_back({InstancePointer(), std::string(keyword), schema_pointer, std::move(message)});
}

namespace {

bool EvaluateChecks(const SchemaNode& node, const Value& instance, EvalContext& ctx, Annotations* annotations) {
  bool ok = true;
  for (const auto& check : node.checks) {
    if (check->Evaluate(instance, ctx, annotations)) continue;
    ok = false;
    if (!ctx.collecting()) break;
  }
  return ok;
}

}  // namespace

bool SchemaNode::Evaluate(const Value& instance, EvalContext& ctx, Annotations* ann) const {
  if (boolean >= 0) {
    if (boolean == 0) ctx.Report("false", location, "no value is allowed here (the schema is false)");
    return boolean == 1;
  }
  // The dynamic scope ($dynamicRef, $recursiveRef) changes only when a resource is entered.
  bool entered = ctx.dynamic_scope.empty() || ctx.dynamic_scope.back() != resource;
  if (entered) ctx.dynamic_scope.push_back(resource);
  bool ok;
  if (ann == nullptr && !has_unevaluated) {
    ok = EvaluateChecks(*this, instance, ctx, nullptr);  // the common case: nobody needs annotations
  } else {
    Annotations local;
    ok = EvaluateChecks(*this, instance, ctx, &local);
    // A failing schema produces no annotations (the drafts drop them with the failure).
    if (ok && ann != nullptr) ann->MergeFrom(local);
  }
  if (entered) ctx.dynamic_scope.pop_back();
  return ok;
}

bool LengthWithin(std::string_view text, std::size_t limit, bool is_max) {
  // Short-cut: a string's bytes bound its code points from above and its code points from below / 4.
  if (is_max ? text.size() <= limit : text.size() / 4 >= limit) return true;
  std::size_t length = CodePointCount(text);
  return is_max ? length <= limit : length >= limit;
}

bool SchemaNode::PassesFast(const simdjson::dom::element& instance) const { return PassesFastInline(instance); }

bool SchemaNode::HasFastPath() const {
  if (has_fast_path_ < 0) {
    walks_objects_ = std::any_of(checks.begin(), checks.end(), [](const auto& c) { return c->WalksFast(true); });
    walks_arrays_ = std::any_of(checks.begin(), checks.end(), [](const auto& c) { return c->WalksFast(false); });
    for (const auto& check : checks) {
      if (fast_types_ == 0 && check->FastTypeMask() != 0) fast_types_ = check->FastTypeMask();
      else if (!check->FastIsTrivial()) fast_steps_.push_back(check->FastStepOf());
    }
    fast_prepared_ = true;
    has_fast_path_ = 1;  // a $ref back to this node, met below, is judged by the rest of the cycle
    bool able = boolean >= 0 ||
                (!has_unevaluated && std::all_of(checks.begin(), checks.end(), [](const auto& c) { return c->HasFastPath(); }));
    has_fast_path_ = able ? 1 : 0;
  }
  return has_fast_path_ == 1;
}

bool IsInteger(const Value& value) {
  if (!value.IsNumber()) return false;
  if (value.IsInt64() || value.IsUint64()) return true;
  double d = value.GetDouble();
  return std::isfinite(d) && d == std::floor(d);
}

const char* JsonTypeName(const Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "boolean";
    case rapidjson::kObjectType: return "object";
    case rapidjson::kArrayType: return "array";
    case rapidjson::kStringType: return "string";
    case rapidjson::kNumberType: return IsInteger(value) ? "integer" : "number";
  }
  return "value";
}

std::string Describe(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  std::string text(buffer.GetString(), buffer.GetSize());
  if (text.size() > kDescribeLimit) {
    std::size_t cut = kDescribeLimit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    text = text.substr(0, cut) + "...";
  }
  return text;
}

std::string Quote(std::string_view text) {
  Value value(rapidjson::StringRef(text.data(), text.size()));
  return Describe(value);
}

std::size_t CodePointCount(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

}  // namespace sluice::schema::detail
