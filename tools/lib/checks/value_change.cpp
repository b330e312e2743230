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
// but plausible move asks a person to look while only an implausible one blocks the PR.
#include <algorithm>
#include <cmath>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "checks/calendar.h"
#include "checks/families.h"
#include "json/json.h"

namespace sluice::checks {
namespace {

struct ValueRules {
  std::optional<double> max_percent;
  std::optional<double> max_absolute;
  std::optional<double> warn_percent;  // below the max_ limits: a breach is a warning
  std::optional<double> warn_absolute;
  int direction = 0;  // +1 non_decreasing, -1 non_increasing, 0 either way
  bool per_day = false;
  std::size_t stale_after = 0;  // 0: not checked
};

struct KeyValue {
  double sum = 0;
  std::uint64_t index = 0;  // of the first record with this key (for the finding's location)
  std::uint64_t line = 0;
  std::uint64_t column = 0;
};

using ValuesByKey = std::unordered_map<std::string, KeyValue>;

std::string Signed(double value) { return (value >= 0 ? "+" : "") + FormatNumber(value); }

class ValueChange : public Check {
 public:
  ValueChange(CheckSpec spec, FieldRef field, std::vector<FieldRef> key, ValueRules rules,
              std::chrono::system_clock::time_point now)
      : Check(std::move(spec)), field_(std::move(field)), key_(std::move(key)), rules_(rules), now_(now),
        history_(rules.stale_after) {
    Watch("field", field_);
    Watch(KeyOption(this->spec()), key_);
  }

  bool wants_previous() const override { return true; }
  std::size_t history_depth() const override { return std::max<std::size_t>(rules_.stale_after, rules_.per_day ? 1 : 0); }
  void OnNoPrevious() override { has_previous_ = false; }
  void OnPrevious(const records::Record& record) override { Add(previous_, record); }
  void OnHistory(std::size_t version, const HistoricVersion& meta, const records::Record& record) override {
    if (version == 0) previous_committed_at_ = meta.committed_at;
    if (version < history_.size()) Add(history_[version], record);
  }
  void OnRecord(const records::Record& record) override { Add(current_, record); }
  CheckOutcome Finish() override;

 private:
  void Add(ValuesByKey& values, const records::Record& record) const;
  double Days() const;
  std::string RulesText(double days) const;
  std::vector<std::string> Breaches(double before, double after, double days) const;
  std::vector<std::string> LimitBreaches(double before, double after, double days, std::optional<double> max_percent,
                                         std::optional<double> max_absolute) const;
  bool Stale(const std::string& key, double value) const;
  std::string Label(const std::string& key) const { return key_.empty() ? "total " : DisplayKey(key) + ": "; }

  FieldRef field_;
  std::vector<FieldRef> key_;
  ValueRules rules_;
  std::chrono::system_clock::time_point now_;
  bool has_previous_ = true;
  std::optional<std::chrono::system_clock::time_point> previous_committed_at_;
  ValuesByKey previous_, current_;
  std::vector<ValuesByKey> history_;  // stale_after versions, newest first
};

void ValueChange::Add(ValuesByKey& values, const records::Record& record) const {
  auto number = NumberOf(field_.Find(record.value));
  if (!number) return;
  std::optional<std::string> key = key_.empty() ? std::optional<std::string>("") : KeyOf(record.value, key_);
  if (!key) return;
  auto [at, inserted] = values.try_emplace(*key);
  if (inserted) at->second = KeyValue{0, record.index, record.line, record.column};
  at->second.sum += *number;
}

// Whole days since the previous version was committed, at least 1; 1 when its time is unknown
// (a --previous file rather than git history).
double ValueChange::Days() const {
  if (!rules_.per_day || !previous_committed_at_) return 1;
  double hours = std::chrono::duration<double, std::ratio<3600>>(now_ - *previous_committed_at_).count();
  return std::max(1.0, std::round(hours / 24));
}

std::string ValueChange::RulesText(double days) const {
  std::vector<std::string> rules;
  std::string scale = days > 1 ? fmt::format(" over {} days", days) : "";
  if (rules_.max_percent) rules.push_back(fmt::format("±{}%{}", FormatNumber(*rules_.max_percent * days), scale));
  if (rules_.max_absolute) rules.push_back(fmt::format("±{}{}", FormatNumber(*rules_.max_absolute * days), scale));
  if (rules_.warn_percent) {
    rules.push_back(fmt::format("a warning past ±{}%{}", FormatNumber(*rules_.warn_percent * days), scale));
  }
  if (rules_.warn_absolute) {
    rules.push_back(fmt::format("a warning past ±{}{}", FormatNumber(*rules_.warn_absolute * days), scale));
  }
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
  auto limits = LimitBreaches(before, after, days, rules_.max_percent, rules_.max_absolute);
  breaches.insert(breaches.end(), limits.begin(), limits.end());
  return breaches;
}

// Which of the given limits `before` → `after` exceeds, worded for people.
std::vector<std::string> ValueChange::LimitBreaches(double before, double after, double days,
                                                    std::optional<double> max_percent,
                                                    std::optional<double> max_absolute) const {
  std::vector<std::string> breaches;
  double change = after - before;
  double percent = before == 0 ? (after == 0 ? 0.0 : INFINITY) : 100.0 * change / std::fabs(before);
  if (max_percent && std::fabs(percent) > *max_percent * days) {
    std::string moved = std::isinf(percent) ? "from 0" : fmt::format("{:+.1f}%", percent);
    breaches.push_back(fmt::format("{}, limit {}%", moved, FormatNumber(*max_percent * days)));
  }
  if (max_absolute && std::fabs(change) > *max_absolute * days) {
    breaches.push_back(fmt::format("{}, limit {}", Signed(change), FormatNumber(*max_absolute * days)));
  }
  return breaches;
}

// The value is the same in the new data and in each of the last stale_after versions.
bool ValueChange::Stale(const std::string& key, double value) const {
  if (rules_.stale_after == 0) return false;
  for (const auto& version : history_) {
    auto at = version.find(key);
    if (at == version.end() || at->second.sum != value) return false;
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
  const double days = Days();
  std::vector<std::pair<const KeyValue*, std::string>> problems, warnings;
  std::size_t compared = 0;
  for (const auto& [key, now] : current_) {
    auto before = previous_.find(key);
    if (before == previous_.end()) continue;
    ++compared;
    const double old_value = before->second.sum;
    auto breaches = Breaches(old_value, now.sum, days);
    if (!breaches.empty()) {
      problems.emplace_back(&now, fmt::format("{}{} {} → {} ({})", Label(key), field_.text(), FormatNumber(old_value),
                                              FormatNumber(now.sum), fmt::join(breaches, "; ")));
    } else if (Stale(key, now.sum)) {
      problems.emplace_back(&now, fmt::format("{}{} is still {}, unchanged in this version and the {} before it",
                                              Label(key), field_.text(), FormatNumber(now.sum), rules_.stale_after));
    } else if (auto past = LimitBreaches(old_value, now.sum, days, rules_.warn_percent, rules_.warn_absolute);
               !past.empty()) {
      warnings.emplace_back(&now, fmt::format("{}{} {} → {} (warning level: {})", Label(key), field_.text(),
                                              FormatNumber(old_value), FormatNumber(now.sum), fmt::join(past, "; ")));
    }
  }
  // Only warning-level moves: the check fails as a warning, whatever its severity.
  const bool warnings_only = problems.empty() && !warnings.empty();
  if (warnings_only) {
    outcome.severity = Severity::kWarn;
    problems = std::move(warnings);
  }
  std::sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) { return a.first->index < b.first->index; });
  for (auto& [where, message] : problems) {
    bool located = !key_.empty();
    Fail(outcome, Finding{std::move(message), located ? where->line : 0, located ? where->column : 0,
                          located ? field_.PointerIn(where->index) : ""});
  }
  std::string rules = RulesText(days);
  if (compared == 0) {
    outcome.summary = fmt::format("nothing to compare: no {} holds a number for {} in both versions",
                                  key_.empty() ? "record" : "key", field_.text());
  } else if (warnings_only && !key_.empty()) {
    outcome.summary = fmt::format("{} moved past the warning level for {} of {} keys in both versions ({})", field_.text(),
                                  outcome.failures, compared, rules);
  } else if (key_.empty()) {
    outcome.summary = outcome.passed ? fmt::format("total {} {} → {} keeps within {}", field_.text(),
                                                   FormatNumber(previous_.begin()->second.sum),
                                                   FormatNumber(current_.begin()->second.sum), rules)
                                     : outcome.examples.front().message;
  } else {
    outcome.summary = outcome.passed
                          ? fmt::format("{} keeps within {} for all {} keys in both versions", field_.text(), rules, compared)
                          : fmt::format("{} breaks {} for {} of {} keys in both versions", field_.text(), rules,
                                        outcome.failures, compared);
  }
  return outcome;
}

Result<ValueRules> ReadRules(const CheckSpec& spec) {
  ValueRules rules;
  rules.max_percent = OptionalNumber(spec, "max_percent");
  rules.max_absolute = OptionalNumber(spec, "max_absolute");
  rules.warn_percent = OptionalNumber(spec, "warn_percent");
  rules.warn_absolute = OptionalNumber(spec, "warn_absolute");
  for (const char* member : {"max_percent", "max_absolute", "warn_percent", "warn_absolute"}) {
    auto limit = OptionalNumber(spec, member);
    if (json::Member(*spec.config, member) != nullptr && !limit) return ConfigProblem(spec, member, "expected a number");
    if (limit && *limit < 0) return ConfigProblem(spec, member, "must not be negative");
  }
  if (const rapidjson::Value* per_day = json::Member(*spec.config, "per_day")) {
    if (!per_day->IsBool()) return ConfigProblem(spec, "per_day", "expected true or false");
    rules.per_day = per_day->GetBool();
  }
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
  if (rules.warn_percent && rules.max_percent && *rules.warn_percent >= *rules.max_percent) {
    return ConfigProblem(spec, "warn_percent", "must be below max_percent (a warning comes before the error)");
  }
  if (rules.warn_absolute && rules.max_absolute && *rules.warn_absolute >= *rules.max_absolute) {
    return ConfigProblem(spec, "warn_absolute", "must be below max_absolute (a warning comes before the error)");
  }
  if (!rules.max_percent && !rules.max_absolute && !rules.warn_percent && !rules.warn_absolute &&
      rules.direction == 0 && rules.stale_after == 0) {
    return ConfigProblem(spec, "max_percent",
                         "the value_change check needs \"max_percent\", \"max_absolute\", \"warn_percent\", "
                         "\"warn_absolute\", \"monotonic\" or \"stale_after\"");
  }
  return rules;
}

}  // namespace

Result<std::unique_ptr<Check>> MakeValueChange(const CheckSpec& spec) {
  auto field = RequiredString(spec, "field");
  if (!field.ok()) return field.status();
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
  if (rules->per_day) {
    auto clock = CheckNow(spec);
    if (!clock.ok()) return clock.status();
    now = *clock;
  }
  return std::unique_ptr<Check>(std::make_unique<ValueChange>(spec, FieldRef(*field), std::move(key), *rules, now));
}

}  // namespace sluice::checks
