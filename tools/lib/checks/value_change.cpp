// value_change: a field's value per key against the previous committed version. From the
// covid19.ca.gov "checks against the previous edition": limits per field, optionally scaled by
// the days between editions, a running total that fell, a value that stopped changing.
//
// {"type": "value_change", "field": "cases", "max_percent": 25, "max_absolute": 100,
//  "key": ["date", "county"], "per_day": true, "monotonic": "non_decreasing", "stale_after": 3}
//
// Records that share a key are summed, so "key": ["date"] over per-county rows compares daily
// totals; with no key (neither here nor the output's), or "key": [], the whole file's sum is
// compared. Keys found in only one version are not compared (row_count checks cover those). A
// record whose field holds no number is left out. Every limit given is checked: exceeding any
// one fails. With "per_day" the limits are multiplied by the whole days (at least 1) between
// the previous version's commit and now ($SLUICE_NOW or the clock).
//
// Two levels, as the covid19.ca.gov checks had ("warn at the usual extreme, error at twice it"):
// "warn_percent" / "warn_absolute" are lower limits whose breach is only a warning, so a big
// but plausible move asks a person to look while only an implausible one blocks the PR. Each
// limit may be one-sided ("max_decrease_percent": 1 for a running total): change_limits.h.
//
// "fields" (a list, or pointer patterns such as "/data/*/NEW_*") compares several fields with
// the same limits, each on its own: a finding names the concrete field.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "checks/calendar.h"
#include "checks/change_limits.h"
#include "checks/families.h"
#include "json/json.h"

namespace sluice::checks {
namespace {

struct ValueRules {
  ChangeLimits limits;
  int direction = 0;  // +1 non_decreasing, -1 non_increasing, 0 either way
  std::size_t stale_after = 0;  // 0: not checked
};

struct KeyValue {
  double sum = 0;
  std::uint64_t index = 0;  // of the first record with this key (for the finding's location)
  std::uint64_t line = 0;
  std::uint64_t column = 0;
};

using ValuesByKey = std::unordered_map<std::string, KeyValue>;
// By concrete field name: "cases", or each match of a pattern ("/data/cases/NEW_CASES").
using ValuesByField = std::map<std::string, ValuesByKey>;

struct Problem {
  const KeyValue* where;
  std::string field;
  std::string message;
};

class ValueChange : public Check {
 public:
  ValueChange(CheckSpec spec, std::vector<FieldRef> fields, std::vector<FieldRef> key, ValueRules rules,
              std::chrono::system_clock::time_point now)
      : Check(std::move(spec)), fields_(std::move(fields)), key_(std::move(key)), rules_(std::move(rules)), now_(now),
        history_(rules_.stale_after) {
    Watch(this->spec().config->HasMember("fields") ? "fields" : "field", fields_);
    Watch(KeyOption(this->spec()), key_);
  }

  bool wants_previous() const override { return true; }
  std::size_t history_depth() const override {
    return std::max<std::size_t>(rules_.stale_after, rules_.limits.per_day ? 1 : 0);
  }
  void OnNoPrevious() override { has_previous_ = false; }
  void OnPrevious(const records::Record& record) override { Add(previous_, record); }
  void OnHistoryVersion(std::size_t version, const HistoricVersion& meta) override {
    if (version == 0) previous_committed_at_ = meta.committed_at;
  }
  void OnHistory(std::size_t version, const HistoricVersion&, const records::Record& record) override {
    if (version < history_.size()) Add(history_[version], record);
  }
  void OnRecord(const records::Record& record) override { Add(current_, record); }
  CheckOutcome Finish() override;

 private:
  void Add(ValuesByField& values, const records::Record& record) const;
  std::string RulesText(double days) const;
  std::vector<std::string> Breaches(double before, double after, double days) const;
  bool Stale(const std::string& field, const std::string& key, double value) const;
  std::string Label(const std::string& key) const { return key_.empty() ? "total " : DisplayKey(key) + ": "; }
  // One plain field: the summaries name it as before "fields" existed.
  bool single() const { return fields_.size() == 1 && !fields_.front().is_pattern(); }
  std::string FieldTexts() const;

  std::vector<FieldRef> fields_;
  std::vector<FieldRef> key_;
  ValueRules rules_;
  std::chrono::system_clock::time_point now_;
  bool has_previous_ = true;
  std::optional<std::chrono::system_clock::time_point> previous_committed_at_;
  ValuesByField previous_, current_;
  std::vector<ValuesByField> history_;  // stale_after versions, newest first
};

void ValueChange::Add(ValuesByField& values, const records::Record& record) const {
  std::optional<std::string> key = key_.empty() ? std::optional<std::string>("") : KeyOf(record.value, key_);
  if (!key) return;
  for (const FieldRef& field : fields_) {
    field.ForEach(record.value, [&](const std::string& name, const rapidjson::Value& value) {
      auto number = NumberOf(&value);
      if (!number) return;
      auto [at, inserted] = values[name].try_emplace(*key);
      if (inserted) at->second = KeyValue{0, record.index, record.line, record.column};
      at->second.sum += *number;
    });
  }
}

std::string ValueChange::FieldTexts() const {
  std::string texts;
  for (const auto& field : fields_) texts += (texts.empty() ? "" : ", ") + field.text();
  return texts;
}

std::string ValueChange::RulesText(double days) const {
  std::vector<std::string> rules = LimitTexts(rules_.limits.error, days);
  for (const auto& warn : LimitTexts(rules_.limits.warn, days)) rules.push_back("a warning past " + warn);
  if (rules_.direction > 0) rules.push_back("never falling");
  if (rules_.direction < 0) rules.push_back("never rising");
  if (rules_.stale_after > 0) rules.push_back(fmt::format("changing within {} versions", rules_.stale_after));
  return fmt::format("{}", fmt::join(rules, ", "));
}

// What `before` → `after` breaks, worded for people; empty when nothing.
std::vector<std::string> ValueChange::Breaches(double before, double after, double days) const {
  std::vector<std::string> breaches;
  double change = after - before;
  if (rules_.direction != 0 && change * rules_.direction < 0) {
    breaches.push_back(rules_.direction > 0 ? "fell; a running total must not fall" : "rose; it must not rise");
  }
  auto limits = LimitBreaches(rules_.limits.error, before, after, days);
  breaches.insert(breaches.end(), limits.begin(), limits.end());
  return breaches;
}

// The value is the same in the new data and in each of the last stale_after versions.
bool ValueChange::Stale(const std::string& field, const std::string& key, double value) const {
  if (rules_.stale_after == 0) return false;
  for (const auto& version : history_) {
    auto values = version.find(field);
    if (values == version.end()) return false;
    auto at = values->second.find(key);
    if (at == values->second.end() || at->second.sum != value) return false;
  }
  return true;
}

CheckOutcome ValueChange::Finish() {
  CheckOutcome outcome = NewOutcome();
  if (!has_previous_) {
    outcome.skipped = true;
    outcome.summary = "no previous version to compare with (a new output)";
    return outcome;
  }
  const double days = DaysBetweenEditions(rules_.limits.per_day, previous_committed_at_, now_);
  std::vector<Problem> problems, warnings;
  std::size_t compared = 0;
  std::vector<std::string> names;  // the fields compared
  for (const auto& [field, values] : current_) {
    auto previous = previous_.find(field);
    if (previous == previous_.end()) continue;
    bool any = false;
    for (const auto& [key, now] : values) {
      auto before = previous->second.find(key);
      if (before == previous->second.end()) continue;
      ++compared;
      any = true;
      const double old_value = before->second.sum;
      std::string moved = fmt::format("{}{} {} → {}", Label(key), field, FormatNumber(old_value), FormatNumber(now.sum));
      if (auto breaches = Breaches(old_value, now.sum, days); !breaches.empty()) {
        problems.push_back({&now, field, fmt::format("{} ({})", moved, fmt::join(breaches, "; "))});
      } else if (Stale(field, key, now.sum)) {
        problems.push_back({&now, field, fmt::format("{}{} is still {}, unchanged in this version and the {} before it",
                                                     Label(key), field, FormatNumber(now.sum), rules_.stale_after)});
      } else if (auto past = LimitBreaches(rules_.limits.warn, old_value, now.sum, days); !past.empty()) {
        warnings.push_back({&now, field, fmt::format("{} (warning level: {})", moved, fmt::join(past, "; "))});
      }
    }
    if (any) names.push_back(field);
  }
  // Only warning-level moves: the check fails as a warning, whatever its severity.
  const bool warnings_only = problems.empty() && !warnings.empty();
  if (warnings_only) {
    outcome.severity = Severity::kWarn;
    problems = std::move(warnings);
  }
  std::stable_sort(problems.begin(), problems.end(),
                   [](const Problem& a, const Problem& b) { return a.where->index < b.where->index; });
  for (auto& problem : problems) {
    bool located = !key_.empty();
    Fail(outcome, Finding{std::move(problem.message), located ? problem.where->line : 0,
                          located ? problem.where->column : 0,
                          located ? FieldRef::PointerIn(problem.where->index, problem.field) : ""});
  }
  std::string rules = RulesText(days);
  if (compared == 0) {
    outcome.summary = fmt::format("nothing to compare: no {} holds a number for {} in both versions",
                                  key_.empty() ? "record" : "key", FieldTexts());
  } else if (!single()) {
    std::string label = names.size() <= 5 ? fmt::format("{}", fmt::join(names, ", "))
                                          : fmt::format("{} and {} more fields", fmt::join(names.begin(), names.begin() + 5, ", "),
                                                        names.size() - 5);
    outcome.summary =
        outcome.passed  ? fmt::format("{}: all {} values compared keep within {}", label, compared, rules)
        : warnings_only ? fmt::format("{}: {} of {} values compared moved past the warning level ({})", label,
                                      outcome.failures, compared, rules)
                        : fmt::format("{}: {} of {} values compared break {}", label, outcome.failures, compared, rules);
  } else if (warnings_only && !key_.empty()) {
    outcome.summary = fmt::format("{} moved past the warning level for {} of {} keys in both versions ({})", FieldTexts(),
                                  outcome.failures, compared, rules);
  } else if (key_.empty()) {
    const std::string& field = names.front();
    outcome.summary = outcome.passed ? fmt::format("total {} {} → {} keeps within {}", field,
                                                   FormatNumber(previous_.at(field).begin()->second.sum),
                                                   FormatNumber(current_.at(field).begin()->second.sum), rules)
                                     : outcome.examples.front().message;
  } else {
    outcome.summary = outcome.passed
                          ? fmt::format("{} keeps within {} for all {} keys in both versions", FieldTexts(), rules, compared)
                          : fmt::format("{} breaks {} for {} of {} keys in both versions", FieldTexts(), rules,
                                        outcome.failures, compared);
  }
  return outcome;
}

Result<ValueRules> ReadRules(const CheckSpec& spec) {
  ValueRules rules;
  auto limits = ReadChangeLimits(spec, /*absolute=*/true);
  if (!limits.ok()) return limits.status();
  rules.limits = std::move(limits).value();
  if (const rapidjson::Value* monotonic = json::Member(*spec.config, "monotonic")) {
    std::string text = monotonic->IsString() ? monotonic->GetString() : "";
    if (text != "non_decreasing" && text != "non_increasing") {
      return ConfigProblem(spec, "monotonic", "expected \"non_decreasing\" or \"non_increasing\"");
    }
    rules.direction = text == "non_decreasing" ? 1 : -1;
  }
  if (const rapidjson::Value* stale = json::Member(*spec.config, "stale_after")) {
    if (!stale->IsUint() || stale->GetUint() == 0 || stale->GetUint() > 100) {
      return ConfigProblem(spec, "stale_after", "expected a whole number of versions from 1 to 100");
    }
    rules.stale_after = stale->GetUint();
  }
  if (!rules.limits.any() && rules.direction == 0 && rules.stale_after == 0) {
    return ConfigProblem(spec, "max_percent",
                         "the value_change check needs \"max_percent\", \"max_absolute\", \"warn_percent\", "
                         "\"warn_absolute\" (or a one-sided form such as \"max_decrease_percent\"), \"monotonic\" or "
                         "\"stale_after\"");
  }
  return rules;
}

// "field": "x", or "fields": a name, a pattern or a list of them.
Result<std::vector<FieldRef>> ReadFields(const CheckSpec& spec) {
  const char* member = spec.config->HasMember("fields") ? "fields" : "field";
  auto names = StringList(spec, member, true);
  if (!names.ok()) return names.status();
  std::vector<FieldRef> fields;
  for (const auto& name : *names) {
    if (name.empty()) return ConfigProblem(spec, member, "a field name must not be empty");
    fields.emplace_back(name);
  }
  return fields;
}

}  // namespace

Result<std::unique_ptr<Check>> MakeValueChange(const CheckSpec& spec) {
  auto fields = ReadFields(spec);
  if (!fields.ok()) return fields.status();
  auto rules = ReadRules(spec);
  if (!rules.ok()) return rules.status();
  // "key": [] asks for the whole file's sum even when the output has a key.
  const rapidjson::Value* key_member = json::Member(*spec.config, "key");
  bool totals = key_member != nullptr && key_member->IsArray() && key_member->Empty();
  auto key_names = totals ? Result<std::vector<std::string>>(std::vector<std::string>()) : StringList(spec, "key", false);
  if (!key_names.ok()) return key_names.status();
  std::vector<FieldRef> key;
  if (!totals) {
    for (const auto& name : key_member == nullptr ? spec.key : *key_names) key.emplace_back(name);
  }
  std::chrono::system_clock::time_point now{};
  if (rules->limits.per_day) {
    auto clock = CheckNow(spec);
    if (!clock.ok()) return clock.status();
    now = *clock;
  }
  return std::unique_ptr<Check>(
      std::make_unique<ValueChange>(spec, std::move(fields).value(), std::move(key), std::move(rules).value(), now));
}

}  // namespace sluice::checks
