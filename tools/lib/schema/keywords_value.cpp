// Keywords about one value on its own: type, enum, const, numbers, strings, format.
#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "schema/compiler.h"
#include "schema/fast_value.h"
#include "schema/format.h"

namespace sluice::schema::detail {
namespace {


struct TypeName {
  const char* name;
  unsigned bit;
};
constexpr TypeName kTypes[] = {{"null", kNull},     {"boolean", kBoolean}, {"object", kObject}, {"array", kArray},
                               {"number", kNumber}, {"string", kString},   {"integer", kInteger}};

unsigned TypeBitsOf(const Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: return kNull;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return kBoolean;
    case rapidjson::kObjectType: return kObject;
    case rapidjson::kArrayType: return kArray;
    case rapidjson::kStringType: return kString;
    case rapidjson::kNumberType: return IsInteger(v) ? (kNumber | kInteger) : kNumber;
  }
  return 0;
}


class TypeCheck : public Check {
 public:
  TypeCheck(std::string location, unsigned allowed, std::string expected)
      : Check("type", std::move(location)), allowed_(allowed), expected_(std::move(expected)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (TypeBitsOf(v) & allowed_) return true;
    // null, true and false name themselves; other values come after their type ("got number 5").
    Fail(ctx, "expected " + expected_ + ", got " + (v.IsNull() || v.IsBool() ? Describe(v) : std::string(JsonTypeName(v)) + " " + Describe(v)));
    return false;
  }
  bool PassesFast(const FastValue& v) const override { return (FastTypeBits(v) & allowed_) != 0; }
  bool HasFastPath() const override { return true; }
  unsigned FastTypeMask() const override { return allowed_; }

 private:
  unsigned allowed_;
  std::string expected_;
};

// Owns a copy of the allowed values: a Validator outlives the schema document it came from.
class EnumCheck : public Check {
 public:
  EnumCheck(const char* keyword, std::string location, const std::vector<const Value*>& allowed)
      : Check(keyword, std::move(location)) {
    allowed_.SetArray();
    for (const Value* v : allowed) allowed_.PushBack(Value(*v, allowed_.GetAllocator()), allowed_.GetAllocator());
    for (const Value& v : allowed_.GetArray()) {
      if (v.IsString()) strings_.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    // RapidJSON's == is deep and numeric (1 == 1.0), as JSON Schema equality wants.
    for (const Value& candidate : allowed_.GetArray()) {
      if (candidate == v) return true;
    }
    if (allowed_.Size() == 1) Fail(ctx, Describe(v) + " is not the constant " + Describe(allowed_[0]));
    else Fail(ctx, Describe(v) + " is not one of " + AllowedList());
    return false;
  }
  bool PassesFast(const FastValue& v) const override {
    if (v.type() == FastType::STRING) {  // the usual enum: a string among strings, read once
      std::string_view text = FastString(v);
      return std::find(strings_.begin(), strings_.end(), text) != strings_.end();
    }
    for (const Value& candidate : allowed_.GetArray()) {
      if (FastEqualsScalar(candidate, v)) return true;
    }
    return false;  // not allowed, or an array or object: left to Evaluate
  }
  bool HasFastPath() const override { return true; }
  // The allowed values for a message, or how many there are when listing them would drown it.
  std::string AllowedList() const {
    if (allowed_.Size() > 8) return "the " + std::to_string(allowed_.Size()) + " allowed values";
    std::string list;
    for (const Value& candidate : allowed_.GetArray()) list += (list.empty() ? "" : ", ") + Describe(candidate);
    return list;
  }

 private:
  rapidjson::Document allowed_;
  std::vector<std::string_view> strings_;  // the allowed strings (into allowed_)
};

class BoundCheck : public Check {
 public:
  BoundCheck(const char* keyword, std::string location, Bound bound, const Value& limit)
      : Check(keyword, std::move(location)), bound_(bound), limit_(limit.GetDouble()), text_(Describe(limit)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (!v.IsNumber() || Holds(v.GetDouble())) return true;
    const char* relation = "";
    switch (bound_) {
      case Bound::kMin: relation = "less than"; break;
      case Bound::kMax: relation = "greater than"; break;
      case Bound::kExclusiveMin: relation = "less than or equal to"; break;
      case Bound::kExclusiveMax: relation = "greater than or equal to"; break;
    }
    Fail(ctx, Describe(v) + " is " + relation + " " + text_);
    return false;
  }
  bool PassesFast(const FastValue& v) const override { return !FastIsNumber(v) || Holds(FastNumber(v)); }
  bool HasFastPath() const override { return true; }
  FastStep FastStepOf() const override { return {.kind = FastStep::Kind::kBound, .bound = bound_, .limit = limit_}; }

 private:
  bool Holds(double x) const { return BoundHolds(bound_, x, limit_); }

  Bound bound_;
  double limit_;
  std::string text_;
};

class MultipleOfCheck : public Check {
 public:
  MultipleOfCheck(std::string location, const Value& divisor)
      : Check("multipleOf", std::move(location)), divisor_(divisor.GetDouble()), text_(Describe(divisor)) {
    if (divisor.IsInt64()) int_divisor_ = divisor.GetInt64();
  }
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (!v.IsNumber()) return true;
    bool ok = v.IsInt64() ? DividesInteger(v.GetInt64()) : Divides(v.GetDouble());
    if (!ok) Fail(ctx, Describe(v) + " is not a multiple of " + text_);
    return ok;
  }
  bool PassesFast(const FastValue& v) const override {
    if (!FastIsNumber(v)) return true;
    // RapidJSON's IsInt64 holds for every integer simdjson reads as INT64, and for a UINT64 up
    // to INT64_MAX, which simdjson never gives (it reads those as INT64).
    return v.type() == FastType::INT64 ? DividesInteger(v.get_int64().value_unsafe()) : Divides(FastNumber(v));
  }
  bool HasFastPath() const override { return true; }

 private:
  bool DividesInteger(std::int64_t x) const { return int_divisor_ != 0 ? x % int_divisor_ == 0 : Divides(static_cast<double>(x)); }
  bool Divides(double x) const {
    // Division, not fmod: 0.0075 / 0.0001 is 75 in doubles, fmod leaves a remainder.
    double quotient = x / divisor_;
    return std::isfinite(quotient) && quotient == std::floor(quotient);
  }

  double divisor_;
  std::int64_t int_divisor_ = 0;
  std::string text_;
};

class LengthCheck : public Check {
 public:
  LengthCheck(const char* keyword, std::string location, std::size_t limit, bool is_max)
      : Check(keyword, std::move(location)), limit_(limit), is_max_(is_max) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (!v.IsString() || Fits({v.GetString(), v.GetStringLength()})) return true;
    std::size_t length = CodePointCount({v.GetString(), v.GetStringLength()});
    Fail(ctx, Describe(v) + " is " + (is_max_ ? "longer" : "shorter") + " than " + std::to_string(limit_) +
                  " characters (" + std::to_string(length) + ")");
    return false;
  }
  bool PassesFast(const FastValue& v) const override { return v.type() != FastType::STRING || Fits(FastString(v)); }
  bool HasFastPath() const override { return true; }
  FastStep FastStepOf() const override { return {.kind = FastStep::Kind::kLength, .length = limit_, .is_max = is_max_}; }

 private:
  bool Fits(std::string_view text) const { return LengthWithin(text, limit_, is_max_); }

  std::size_t limit_;
  bool is_max_;
};

class PatternCheck : public Check {
 public:
  PatternCheck(std::string location, std::shared_ptr<const Regex> regex)
      : Check("pattern", std::move(location)), regex_(std::move(regex)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (!v.IsString() || regex_->Search({v.GetString(), v.GetStringLength()})) return true;
    Fail(ctx, Describe(v) + " does not match pattern " + regex_->source());
    return false;
  }
  bool PassesFast(const FastValue& v) const override {
    return v.type() != FastType::STRING || regex_->SearchValidUtf8(FastString(v));
  }
  bool HasFastPath() const override { return true; }
  FastStep FastStepOf() const override { return {.kind = FastStep::Kind::kPattern, .regex = regex_.get()}; }

 private:
  std::shared_ptr<const Regex> regex_;
};

class FormatCheck : public Check {
 public:
  FormatCheck(std::string location, FormatTest test, std::string name)
      : Check("format", std::move(location)), test_(test), name_(std::move(name)) {}
  bool Evaluate(const Value& v, EvalContext& ctx, Annotations*) const override {
    if (!v.IsString() || test_({v.GetString(), v.GetStringLength()})) return true;
    Fail(ctx, Describe(v) + " is not a valid " + name_);
    return false;
  }
  bool PassesFast(const FastValue& v) const override { return v.type() != FastType::STRING || test_(FastString(v)); }
  bool HasFastPath() const override { return true; }

 private:
  FormatTest test_;
  std::string name_;
};

}  // namespace

std::size_t CountKeyword(const Value& v, const std::string& location) {
  if (!IsInteger(v) || v.GetDouble() < 0) FailAt(location, "must be a non-negative integer");
  if (v.IsUint64()) return static_cast<std::size_t>(v.GetUint64());
  // An integer written with an exponent (5.6e86) comes as a double; past size_t it is cast to
  // nothing defined. No string, array or object is that long, so the largest count serves.
  constexpr double kBeyondSizeT = 18446744073709551616.0;  // 2^64
  static_assert(sizeof(std::size_t) == 8);
  const double d = v.GetDouble();
  return d >= kBeyondSizeT ? SIZE_MAX : static_cast<std::size_t>(d);
}

namespace {

void CompileType(const Value& type, const std::string& location, SchemaNode& node) {
  unsigned allowed = 0;
  std::string expected;
  auto add = [&](const Value& name) {
    for (const TypeName& t : kTypes) {
      if (name.IsString() && name == t.name) {
        allowed |= t.bit;
        expected += (expected.empty() ? "" : " or ") + std::string(t.name);
        return;
      }
    }
    FailAt(location, "unknown type " + Describe(name));
  };
  if (type.IsArray()) {
    for (const Value& name : type.GetArray()) add(name);
  } else {
    add(type);
  }
  node.checks.push_back(std::make_unique<TypeCheck>(location, allowed, expected));
}

void CompileBounds(const Value& s, const Scope& scope, SchemaNode& node) {
  auto number = [&](const char* keyword) -> const Value* {
    auto it = s.FindMember(keyword);
    if (it == s.MemberEnd()) return nullptr;
    if (it->value.IsBool() && scope.draft == Draft::kDraft4) return nullptr;  // draft-04 modifier, read below
    if (!it->value.IsNumber()) FailAt(ChildLocation(scope.location, keyword), "must be a number");
    return &it->value;
  };
  auto flag = [&](const char* keyword) {
    auto it = s.FindMember(keyword);
    return scope.draft == Draft::kDraft4 && it != s.MemberEnd() && it->value.IsBool() && it->value.GetBool();
  };
  auto add = [&](const char* keyword, Bound bound, const Value& limit) {
    node.checks.push_back(std::make_unique<BoundCheck>(keyword, ChildLocation(scope.location, keyword), bound, limit));
  };
  if (const Value* v = number("minimum")) add("minimum", flag("exclusiveMinimum") ? Bound::kExclusiveMin : Bound::kMin, *v);
  if (const Value* v = number("maximum")) add("maximum", flag("exclusiveMaximum") ? Bound::kExclusiveMax : Bound::kMax, *v);
  if (scope.draft == Draft::kDraft4) return;
  if (const Value* v = number("exclusiveMinimum")) add("exclusiveMinimum", Bound::kExclusiveMin, *v);
  if (const Value* v = number("exclusiveMaximum")) add("exclusiveMaximum", Bound::kExclusiveMax, *v);
}

}  // namespace

void CompileValueKeywords(Compiler& c, const Value& s, const Scope& scope, SchemaNode& node) {
  if (!scope.validation_vocabulary) return;
  auto at = [&](const char* keyword) { return ChildLocation(scope.location, keyword); };
  auto member = [&](const char* keyword) -> const Value* {
    auto it = s.FindMember(keyword);
    return it == s.MemberEnd() ? nullptr : &it->value;
  };
  if (const Value* v = member("type")) CompileType(*v, at("type"), node);
  if (const Value* v = member("enum")) {
    if (!v->IsArray()) FailAt(at("enum"), "must be an array");
    std::vector<const Value*> allowed;
    for (const Value& item : v->GetArray()) allowed.push_back(&item);
    node.checks.push_back(std::make_unique<EnumCheck>("enum", at("enum"), allowed));
  }
  if (const Value* v = member("const"); v && scope.draft != Draft::kDraft4) {
    node.checks.push_back(std::make_unique<EnumCheck>("const", at("const"), std::vector<const Value*>{v}));
  }
  if (const Value* v = member("multipleOf")) {
    if (!v->IsNumber() || v->GetDouble() <= 0) FailAt(at("multipleOf"), "must be a number greater than 0");
    node.checks.push_back(std::make_unique<MultipleOfCheck>(at("multipleOf"), *v));
  }
  CompileBounds(s, scope, node);
  if (const Value* v = member("maxLength")) {
    node.checks.push_back(std::make_unique<LengthCheck>("maxLength", at("maxLength"), CountKeyword(*v, at("maxLength")), true));
  }
  if (const Value* v = member("minLength")) {
    node.checks.push_back(std::make_unique<LengthCheck>("minLength", at("minLength"), CountKeyword(*v, at("minLength")), false));
  }
  if (const Value* v = member("pattern")) {
    if (!v->IsString()) FailAt(at("pattern"), "must be a string");
    node.checks.push_back(std::make_unique<PatternCheck>(at("pattern"), c.Pattern({v->GetString(), v->GetStringLength()}, at("pattern"))));
  }
  const Value* format = member("format");
  if (format != nullptr && format->IsString() && c.options().format_assertion) {
    std::string name(format->GetString(), format->GetStringLength());
    // Formats we do not know stay annotations, as the drafts ask of unknown formats.
    if (FormatTest test = FindFormatTest(name)) node.checks.push_back(std::make_unique<FormatCheck>(at("format"), test, name));
  }
}

}  // namespace sluice::schema::detail
