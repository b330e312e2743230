// Per-field checks on every record: not_null, range, pattern, enum. A field may be a pointer
// pattern ("/data/*/NEW_*"): each field it matches is judged on its own, and the finding names
// the concrete one.
#include <memory>
#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "checks/families.h"
#include "json/json.h"
#include "schema/regex.h"

namespace sluice::checks {
namespace {

// A check that judges one field of each record on its own.
class FieldCheck : public Check {
 public:
  FieldCheck(CheckSpec spec, std::vector<FieldRef> fields) : Check(std::move(spec)), fields_(std::move(fields)) {
    outcome_ = NewOutcome();
    Watch(this->spec().config != nullptr && this->spec().config->HasMember("fields") ? "fields" : "field", fields_);
  }

  void OnRecord(const records::Record& record) override {
    ++records_;
    for (const auto& field : fields_) {
      if (field.is_pattern()) {
        bool any = false;
        field.ForEach(record.value, [&](const std::string& name, const rapidjson::Value& value) {
          any = true;
          std::string problem = Judge(name, &value);
          if (!problem.empty()) {
            Fail(outcome_, Finding{problem, record.line, record.column, FieldRef::PointerIn(record.index, name)});
          }
        });
        if (std::string none = any ? "" : JudgeNoMatch(field.text()); !none.empty()) {
          Fail(outcome_, Finding{std::move(none), record.line, record.column, fmt::format("/{}", record.index)});
        }
        continue;
      }
      const rapidjson::Value* value = field.Find(record.value);
      std::string problem = Judge(field.text(), value);
      if (!problem.empty()) {
        Fail(outcome_, Finding{problem, record.line, record.column, field.PointerIn(record.index)});
      }
    }
  }

  // Each field a top-level member, present, and passing Passes: what OnRecord would find no fault in.
  records::FastVerdict fast_pass() const override {
    std::vector<std::string> names;
    for (const auto& field : fields_) {
      if (!field.is_top_level_name()) return {};
      names.push_back(field.text());
    }
    return [this, names](const simdjson::dom::element& record) {
      for (const auto& name : names) {
        simdjson::dom::element value;
        if (record[name].get(value) != simdjson::SUCCESS || !Passes(value)) return false;
      }
      return true;
    };
  }
  void OnPassedRecords(std::uint64_t, std::uint64_t count) override {
    records_ += count;
    if (count > 0) {
      for (const auto& field : fields_) field.NoteMatched();
    }
  }

  CheckOutcome Finish() override {
    outcome_.summary = outcome_.passed
                           ? fmt::format("{} records, every {} {}", records_, FieldNames(), Rule())
                           : fmt::format("{} of {} records fail: {} {}", outcome_.failures, records_, FieldNames(), Rule());
    return std::move(outcome_);
  }

 protected:
  // "" when the value passes, else a sentence about it; `field` is the field's concrete name.
  virtual std::string Judge(const std::string& field, const rapidjson::Value* value) const = 0;
  // A pattern that matches no field of a record: "" when that passes (as a missing field does).
  virtual std::string JudgeNoMatch(const std::string& /*pattern*/) const { return ""; }
  virtual std::string Rule() const = 0;
  // For the fast verdict: true only when Judge would pass this present value. Unsure is false:
  // the record then takes the ordinary path, which reports it. Thread-safe.
  virtual bool Passes(const simdjson::dom::element& value) const = 0;

 private:
  std::string FieldNames() const {
    std::string names;
    for (const auto& f : fields_) names += (names.empty() ? "" : ", ") + f.text();
    return names;
  }
  std::vector<FieldRef> fields_;
  CheckOutcome outcome_;
  std::uint64_t records_ = 0;
};

// {"type": "not_null", "fields": ["date", "county"]}: present and not null (nor an empty CSV cell).
class NotNull : public FieldCheck {
 public:
  using FieldCheck::FieldCheck;
  std::string Judge(const std::string& field, const rapidjson::Value* value) const override {
    if (value == nullptr) return fmt::format("{} is missing", field);
    if (value->IsNull()) return fmt::format("{} is null", field);
    if (value->IsString() && value->GetStringLength() == 0) return fmt::format("{} is empty", field);
    return "";
  }
  std::string JudgeNoMatch(const std::string& pattern) const override {
    return fmt::format("no field matches {}", pattern);
  }
  std::string Rule() const override { return "is present and not null"; }
  bool Passes(const simdjson::dom::element& value) const override {
    std::string_view text;
    if (value.is_null()) return false;
    return value.get(text) != simdjson::SUCCESS || !text.empty();
  }
};

// {"type": "range", "field": "cases", "min": 0, "max": 1e7}: null/missing values are left to not_null.
class Range : public FieldCheck {
 public:
  Range(CheckSpec spec, std::vector<FieldRef> fields, std::optional<double> min, std::optional<double> max)
      : FieldCheck(std::move(spec), std::move(fields)), min_(min), max_(max) {}
  std::string Judge(const std::string& field, const rapidjson::Value* value) const override {
    if (value == nullptr || value->IsNull()) return "";
    auto number = NumberOf(value);
    if (!number) return fmt::format("{} is {}, not a number", field, Describe(value));
    if ((min_ && *number < *min_) || (max_ && *number > *max_)) {
      return fmt::format("{} is {}, outside {}", field, Describe(value), Rule().substr(3));
    }
    return "";
  }
  std::string Rule() const override {
    return fmt::format("is [{}, {}]", min_ ? fmt::format("{}", *min_) : "-∞", max_ ? fmt::format("{}", *max_) : "∞");
  }
  // JSON numbers only (a numeric string, which NumberOf reads too, takes the ordinary path).
  bool Passes(const simdjson::dom::element& value) const override {
    double number = 0;
    if (!value.is_number() || value.get(number) != simdjson::SUCCESS) return false;
    return !(min_ && number < *min_) && !(max_ && number > *max_);
  }

 private:
  std::optional<double> min_, max_;
};

// {"type": "pattern", "field": "fips", "pattern": "^\\d{5}$"}: ECMA-262 syntax, as in JSON Schema.
class Pattern : public FieldCheck {
 public:
  Pattern(CheckSpec spec, std::vector<FieldRef> fields, schema::detail::Regex regex)
      : FieldCheck(std::move(spec), std::move(fields)), regex_(std::move(regex)) {}
  std::string Judge(const std::string& field, const rapidjson::Value* value) const override {
    if (value == nullptr || value->IsNull()) return "";
    std::string text = value->IsString() ? std::string(value->GetString(), value->GetStringLength()) : json::Write(*value);
    if (regex_.Search(text)) return "";
    return fmt::format("{} is {}, which does not match {}", field, Describe(value), regex_.source());
  }
  std::string Rule() const override { return "matches " + regex_.source(); }
  // Strings only: another value is matched as its JSON text, on the ordinary path.
  bool Passes(const simdjson::dom::element& value) const override {
    std::string_view text;
    return value.get(text) == simdjson::SUCCESS && regex_.SearchValidUtf8(text);
  }

 private:
  schema::detail::Regex regex_;
};

// {"type": "enum", "field": "county", "values": ["Alameda", ...]}
class Enum : public FieldCheck {
 public:
  Enum(CheckSpec spec, std::vector<FieldRef> fields, std::set<std::string> allowed)
      : FieldCheck(std::move(spec), std::move(fields)), allowed_(std::move(allowed)) {}
  std::string Judge(const std::string& field, const rapidjson::Value* value) const override {
    if (value == nullptr || value->IsNull()) return "";
    std::string text = value->IsString() ? std::string(value->GetString(), value->GetStringLength()) : json::Write(*value);
    if (allowed_.count(text) != 0) return "";
    return fmt::format("{} is {}, not one of the {} allowed values", field, Describe(value), allowed_.size());
  }
  std::string Rule() const override { return fmt::format("is one of {} allowed values", allowed_.size()); }
  bool Passes(const simdjson::dom::element& value) const override {
    std::string_view text;
    return value.get(text) == simdjson::SUCCESS && allowed_.count(std::string(text)) != 0;
  }

 private:
  std::set<std::string> allowed_;
};

// "field": "x" or "fields": ["x", "y"].
Result<std::vector<FieldRef>> Fields(const CheckSpec& spec) {
  bool plural = spec.config->HasMember("fields");
  auto names = StringList(spec, plural ? "fields" : "field", true);
  if (!names.ok()) return names.status();
  std::vector<FieldRef> fields;
  for (auto& name : *names) fields.emplace_back(name);
  return fields;
}

}  // namespace

Result<std::unique_ptr<Check>> MakeNotNull(const CheckSpec& spec) {
  auto fields = Fields(spec);
  if (!fields.ok()) return fields.status();
  return std::unique_ptr<Check>(std::make_unique<NotNull>(spec, std::move(fields).value()));
}

Result<std::unique_ptr<Check>> MakeRange(const CheckSpec& spec) {
  auto fields = Fields(spec);
  if (!fields.ok()) return fields.status();
  auto min = OptionalNumber(spec, "min");
  auto max = OptionalNumber(spec, "max");
  if (!min && !max) return ConfigProblem(spec, "min", "the range check needs \"min\", \"max\" or both");
  return std::unique_ptr<Check>(std::make_unique<Range>(spec, std::move(fields).value(), min, max));
}

Result<std::unique_ptr<Check>> MakePattern(const CheckSpec& spec) {
  auto fields = Fields(spec);
  if (!fields.ok()) return fields.status();
  auto pattern = RequiredString(spec, "pattern");
  if (!pattern.ok()) return pattern.status();
  auto regex = schema::detail::Regex::Compile(*pattern);
  if (!regex.ok()) return ConfigProblem(spec, "pattern", regex.status().message());
  return std::unique_ptr<Check>(std::make_unique<Pattern>(spec, std::move(fields).value(), std::move(regex).value()));
}

Result<std::unique_ptr<Check>> MakeEnum(const CheckSpec& spec) {
  auto fields = Fields(spec);
  if (!fields.ok()) return fields.status();
  const rapidjson::Value* values = json::Member(*spec.config, "values");
  if (values == nullptr || !values->IsArray() || values->Empty()) {
    return ConfigProblem(spec, "values", "the enum check needs \"values\", a non-empty array");
  }
  std::set<std::string> allowed;
  for (const auto& v : values->GetArray()) allowed.insert(v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : json::Write(v));
  return std::unique_ptr<Check>(std::make_unique<Enum>(spec, std::move(fields).value(), std::move(allowed)));
}

}  // namespace sluice::checks
