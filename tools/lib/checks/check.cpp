#include "checks/check.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "checks/families.h"
#include "checks/options.h"
#include "json/json.h"

namespace sluice::checks {
namespace {

struct FamilyEntry {
  const char* type;
  CheckFactory make;
};

// The "type" values of schemas/pipeline.schema.json that this build can run. "schema" is run by
// the engine itself (it needs the source's schema file, not parameters).
constexpr FamilyEntry kFamilies[] = {
    {"row_count", MakeRowCount}, {"row_count_change", MakeRowCountChange},
    {"not_null", MakeNotNull},   {"range", MakeRange},
    {"pattern", MakePattern},    {"enum", MakeEnum},
    {"unique", MakeUnique},      {"value_change", MakeValueChange},
    {"complete", MakeComplete},  {"reconcile", MakeReconcile},
    {"anomaly", MakeAnomaly},    {"freshness", MakeFreshness},
};

}  // namespace

const char* SeverityName(Severity severity) { return severity == Severity::kError ? "error" : "warn"; }

FieldRef::FieldRef(std::string text) : text_(std::move(text)) {
  json::PatternToken whole;
  whole.text = text_;
  if (text_.empty() || text_[0] != '/') {  // a top-level name is taken as written ("NEW_*" too)
    tokens_.push_back(std::move(whole));
    return;
  }
  auto pointer = json::ParsePointerPattern(text_);
  if (!pointer.ok()) {
    syntax_ = pointer.status();
    tokens_.push_back(std::move(whole));  // matches no member: the check refuses it first
    return;
  }
  pattern_ = pointer->many();
  tokens_ = std::move(pointer->tokens);
}

const rapidjson::Value* FieldRef::Find(const rapidjson::Value& record) const {
  if (pattern_) return nullptr;
  const rapidjson::Value* at = &record;
  for (const auto& pattern_token : tokens_) {
    const std::string& token = pattern_token.text;
    if (at->IsObject()) {
      auto member = at->FindMember(rapidjson::Value(rapidjson::StringRef(token.data(), token.size())));
      if (member == at->MemberEnd()) return nullptr;
      at = &member->value;
    } else if (at->IsArray()) {
      char* end = nullptr;
      unsigned long index = std::strtoul(token.c_str(), &end, 10);
      if (token.empty() || *end != '\0' || index >= at->Size()) return nullptr;
      at = &(*at)[static_cast<rapidjson::SizeType>(index)];
    } else {
      return nullptr;
    }
  }
  matched_ = true;
  return at;
}

std::string FieldRef::PointerIn(std::uint64_t index) const {
  std::string pointer = fmt::format("/{}", index);
  for (const auto& token : tokens_) pointer += "/" + json::EscapePointerToken(token.text);
  return pointer;
}

std::string FieldRef::PointerIn(std::uint64_t index, const std::string& name) {
  if (!name.empty() && name[0] == '/') return fmt::format("/{}{}", index, name);
  return fmt::format("/{}/{}", index, json::EscapePointerToken(name));
}

void FieldRef::ForEach(const rapidjson::Value& record,
                       const std::function<void(const std::string&, const rapidjson::Value&)>& visit) const {
  if (!pattern_) {
    if (const rapidjson::Value* value = Find(record)) visit(text_, *value);
    return;
  }
  std::string name;
  Walk(record, 0, name, visit);
}

// `name` is the concrete pointer down to `at`, extended and restored on the way.
void FieldRef::Walk(const rapidjson::Value& at, std::size_t depth, std::string& name,
                    const std::function<void(const std::string&, const rapidjson::Value&)>& visit) const {
  if (depth == tokens_.size()) {
    matched_ = true;
    visit(name, at);
    return;
  }
  const json::PatternToken& token = tokens_[depth];
  const std::size_t length = name.size();
  if (at.IsObject()) {
    for (const auto& member : at.GetObject()) {
      std::string_view key(member.name.GetString(), member.name.GetStringLength());
      if (!token.MatchesMember(key)) continue;
      name += "/" + json::EscapePointerToken(std::string(key));
      Walk(member.value, depth + 1, name, visit);
      name.resize(length);
    }
  } else if (at.IsArray()) {
    for (rapidjson::SizeType i = 0; i < at.Size(); ++i) {
      if (!token.MatchesIndex(i)) continue;
      name += "/" + std::to_string(i);
      Walk(at[i], depth + 1, name, visit);
      name.resize(length);
    }
  }
}

void Check::OnPassedRecords(std::uint64_t first, std::uint64_t count) {
  records::Record record;
  record.verdict = true;
  record.valueless = true;
  for (std::uint64_t i = 0; i < count; ++i) {
    record.index = first + i;
    OnRecord(record);
  }
}

void Check::Watch(std::string option, const FieldRef& field, bool other_output) {
  watched_.push_back(WatchedField{std::move(option), &field, other_output});
}

void Check::Watch(const std::string& option, const std::vector<FieldRef>& fields, bool other_output) {
  for (const FieldRef& field : fields) Watch(option, field, other_output);
}

CheckOutcome Check::NewOutcome() const {
  CheckOutcome outcome;
  outcome.id = spec_.id;
  outcome.type = spec_.type;
  outcome.output = spec_.output;
  outcome.severity = spec_.severity;
  return outcome;
}

void Check::Fail(CheckOutcome& outcome, Finding finding) {
  outcome.passed = false;
  ++outcome.failures;
  if (outcome.examples.size() < kMaxExamples) outcome.examples.push_back(std::move(finding));
}

// Options that are numbers wherever they occur. OptionalNumber reads an absent option as "no
// limit", so a limit written as a string ("min": "10") must be refused here, not dropped.
constexpr const char* kNumberOptions[] = {"min",          "max",           "max_percent", "max_absolute",
                                          "warn_percent", "warn_absolute", "tolerance",   "tolerance_percent",
                                          "threshold",    "max_age_days",  "max_future_days",
                                          // one-sided limits (change_limits.h)
                                          "max_decrease_percent", "max_increase_percent", "max_decrease_absolute",
                                          "max_increase_absolute", "warn_decrease_percent", "warn_increase_percent",
                                          "warn_decrease_absolute", "warn_increase_absolute"};

// A field pattern ("/data/*/NEW_*") where only one field can be meant (a key, a group, the date
// of complete) would match nothing through FieldRef::Find: refused here, saying where it works.
// A pointer that is no valid pattern (json/pointer_pattern.h: "/a/~2", "/a/{b") is refused
// wherever it is.
Status RefuseMisplacedPatterns(const CheckSpec& spec) {
  static constexpr const char* kPatternTypes[] = {"value_change", "not_null", "range", "pattern", "enum"};
  const bool takes_patterns = std::any_of(std::begin(kPatternTypes), std::end(kPatternTypes),
                                          [&](const char* type) { return spec.type == type; });
  for (const char* member : {"field", "fields", "key", "group_by"}) {
    const bool allowed = takes_patterns && (std::string_view(member) == "field" || std::string_view(member) == "fields");
    const rapidjson::Value* value = json::Member(*spec.config, member);
    if (value == nullptr) continue;
    std::vector<const rapidjson::Value*> names;
    if (value->IsArray()) {
      for (const auto& item : value->GetArray()) names.push_back(&item);
    } else {
      names.push_back(value);
    }
    for (const rapidjson::Value* name : names) {
      if (!name->IsString()) continue;
      FieldRef field(std::string(name->GetString(), name->GetStringLength()));
      if (!field.syntax().ok()) return ConfigProblem(spec, member, fmt::format("{}: {}", Describe(name), field.syntax().message()));
      if (allowed || !field.is_pattern()) continue;
      return ConfigProblem(spec, member,
                           fmt::format("{} is a pattern (\"*\"), which names many fields; the {} check's \"{}\" takes one "
                                       "field each (patterns work in the fields of value_change, not_null, range, "
                                       "pattern and enum)",
                                       Describe(name), spec.type, member));
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<Check>> MakeCheck(const CheckSpec& spec) {
  SLUICE_RETURN_IF_ERROR(CheckKnownOptions(spec));
  if (spec.config != nullptr && spec.config->IsObject()) SLUICE_RETURN_IF_ERROR(RefuseMisplacedPatterns(spec));
  for (const char* member : kNumberOptions) {
    const rapidjson::Value* value = json::Member(*spec.config, member);
    if (value != nullptr && !value->IsNumber()) {
      return ConfigProblem(spec, member, fmt::format("{} must be a number, not {}", member, Describe(value)));
    }
  }
  for (const auto& family : kFamilies) {
    if (spec.type == family.type) return family.make(spec);
  }
  return ConfigProblem(spec, "type", fmt::format("check type '{}' is not known to this version", spec.type));
}

Status ConfigProblem(const CheckSpec& spec, const std::string& member, const std::string& problem) {
  return ConfigError(fmt::format("{}: {}/{}: {}", spec.manifest_path, spec.pointer, member, problem));
}

std::string KeyOption(const CheckSpec& spec, const char* member) {
  if (spec.config != nullptr && spec.config->HasMember(member)) return member;
  return "key (the source's)";
}

Result<std::string> RequiredString(const CheckSpec& spec, const char* member) {
  const rapidjson::Value* value = json::Member(*spec.config, member);
  if (value == nullptr || !value->IsString() || value->GetStringLength() == 0) {
    return ConfigProblem(spec, member, fmt::format("the {} check needs \"{}\" (a non-empty string)", spec.type, member));
  }
  return std::string(value->GetString(), value->GetStringLength());
}

Result<double> RequiredNumber(const CheckSpec& spec, const char* member) {
  auto value = OptionalNumber(spec, member);
  if (!value) return ConfigProblem(spec, member, fmt::format("the {} check needs \"{}\" (a number)", spec.type, member));
  return *value;
}

std::optional<double> OptionalNumber(const CheckSpec& spec, const char* member) {
  const rapidjson::Value* value = json::Member(*spec.config, member);
  if (value == nullptr || !value->IsNumber()) return std::nullopt;
  return value->GetDouble();
}

Result<std::vector<std::string>> StringList(const CheckSpec& spec, const char* member, bool required) {
  const rapidjson::Value* value = json::Member(*spec.config, member);
  std::vector<std::string> list;
  if (value == nullptr) {
    if (required) return ConfigProblem(spec, member, fmt::format("the {} check needs \"{}\"", spec.type, member));
    return list;
  }
  if (value->IsString()) {
    list.emplace_back(value->GetString(), value->GetStringLength());
    return list;
  }
  if (!value->IsArray() || value->Empty()) {
    return ConfigProblem(spec, member, "expected a field name or a non-empty array of field names");
  }
  for (const auto& item : value->GetArray()) {
    if (!item.IsString()) return ConfigProblem(spec, member, "every entry must be a string");
    list.emplace_back(item.GetString(), item.GetStringLength());
  }
  return list;
}

std::string Describe(const rapidjson::Value* value) {
  if (value == nullptr) return "(missing)";
  std::string text = json::Write(*value);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

std::optional<double> NumberOf(const rapidjson::Value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->IsNumber()) return value->GetDouble();
  if (value->IsString() && value->GetStringLength() > 0) {
    char* end = nullptr;
    double parsed = std::strtod(value->GetString(), &end);
    if (end == value->GetString() + value->GetStringLength() && std::isfinite(parsed)) return parsed;
  }
  return std::nullopt;
}

std::optional<std::string> KeyOf(const rapidjson::Value& record, const std::vector<FieldRef>& key) {
  std::string joined;
  for (size_t i = 0; i < key.size(); ++i) {
    const rapidjson::Value* part = key[i].Find(record);
    if (part == nullptr || part->IsNull()) return std::nullopt;
    if (i > 0) joined += '\x1f';  // unit separator: cannot appear in sane keys, unlike '|'
    joined += part->IsString() ? std::string(part->GetString(), part->GetStringLength()) : json::Write(*part);
  }
  return joined;
}

}  // namespace sluice::checks
