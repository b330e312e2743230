// complete: no gaps in a date series. Every day, ISO week (Monday to Sunday) or month between
// the first and the last date in the data (or "from"/"to" when given) must appear, in every
// group when "group_by" is given; the range is the whole file's, so a county that stopped
// reporting before the others shows up as missing its last days.
//
// {"type": "complete", "field": "date", "unit": "day", "group_by": ["county"],
//  "from": "2026-01-01", "to": "2026-12-31"}
//
// Dates are "YYYY-MM-DD" or a timestamp that starts with one. A record whose date is missing
// or does not read as one is a finding with its location; dates outside from/to are ignored.
//
// For records inside a document (a source's "records"), a bound may be stated in the data, per
// group: {"from": {"pointer": "/data/time_series/{series}/DATE_RANGE/MINIMUM"}} takes each
// series' own start, its wildcards being the group_by fields. Then every period of each
// group's stated range must be present, and a stated bound that is not the group's first (or
// last) date is reported too, at the bound's place.
#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <date/iso_week.h>
#include <fmt/format.h>

#include "checks/calendar.h"
#include "checks/families.h"
#include "json/json.h"
#include "json/pointer_pattern.h"

namespace sluice::checks {
namespace {

enum class Unit { kDay, kWeek, kMonth };
constexpr std::size_t kMissingNamed = 5;  // periods named per group; the rest are counted

using Period = long;  // days, Monday-based weeks or months since 1970-01

Period PeriodOf(date::sys_days day, Unit unit) {
  long days = day.time_since_epoch().count();
  switch (unit) {
    case Unit::kDay: return days;
    case Unit::kWeek: return (days + 3 - ((days + 3) % 7 + 7) % 7) / 7;  // 1970-01-01 was a Thursday
    case Unit::kMonth: {
      date::year_month_day civil(day);
      return (static_cast<int>(civil.year()) - 1970) * 12 + static_cast<long>(static_cast<unsigned>(civil.month())) - 1;
    }
  }
  return days;
}

std::string PeriodName(Period period, Unit unit) {
  switch (unit) {
    case Unit::kDay: return FormatCivilDate(date::sys_days(date::days(period)));
    case Unit::kWeek: {
      iso_week::year_weeknum_weekday week(date::sys_days(date::days(period * 7 - 3)));
      return fmt::format("{}-W{:02}", static_cast<int>(week.year()), static_cast<unsigned>(week.weeknum()));
    }
    case Unit::kMonth: {
      long year = 1970 + (period >= 0 ? period / 12 : (period - 11) / 12);
      return fmt::format("{}-{:02}", year, period - (year - 1970) * 12 + 1);
    }
  }
  return "";
}

const char* UnitName(Unit unit, bool plural) {
  switch (unit) {
    case Unit::kDay: return plural ? "days" : "day";
    case Unit::kWeek: return plural ? "weeks" : "week";
    case Unit::kMonth: return plural ? "months" : "month";
  }
  return "";
}

// One end of the range: a date for every group, or each group's date stated in the data.
struct Bound {
  std::optional<Period> fixed;
  std::optional<json::PointerPattern> stated;
};

// A bound stated in the data, where it is.
struct StatedBound {
  Period period = 0;
  std::string pointer;
  std::uint64_t line = 0, column = 0;
};

class Complete : public Check {
 public:
  Complete(CheckSpec spec, FieldRef field, Unit unit, std::vector<FieldRef> group_by, Bound from, Bound to)
      : Check(std::move(spec)), field_(std::move(field)), unit_(unit), group_by_(std::move(group_by)),
        from_(from.fixed), to_(to.fixed), stated_from_(std::move(from.stated)), stated_to_(std::move(to.stated)) {
    if (group_by_.empty() && from_ && to_) seen_[""];  // the one series must exist even with no data
    Watch("field", field_);
    Watch("group_by", group_by_);
  }

  void OnRecord(const records::Record& record) override;
  std::vector<json::PointerPattern> captures() const override;
  void OnCaptured(std::size_t pattern, const records::CapturedValue& found) override;
  CheckOutcome Finish() override;

 private:
  bool StatesBounds() const { return stated_from_ || stated_to_; }
  void FinishStated(CheckOutcome& outcome);
  // Whether `stated` is where the group's dates begin (end), reporting it when not.
  void CompareStated(CheckOutcome& outcome, const std::string& label, const std::optional<StatedBound>& stated,
                     const json::PointerPattern& pattern, std::optional<Period> actual, const char* end);
  std::string GroupOf(const rapidjson::Value& record) const;
  std::string Gaps(const std::set<Period>& present, Period first, Period last, std::uint64_t& missing) const;

  FieldRef field_;
  Unit unit_;
  std::vector<FieldRef> group_by_;
  std::optional<Period> from_, to_;
  std::optional<json::PointerPattern> stated_from_, stated_to_;
  std::map<std::string, std::pair<std::optional<StatedBound>, std::optional<StatedBound>>> stated_;  // by group
  std::optional<Period> min_, max_;
  std::map<std::string, std::set<Period>> seen_;
  std::vector<Finding> unreadable_;
  std::uint64_t unreadable_count_ = 0;
};

std::string Complete::GroupOf(const rapidjson::Value& record) const {
  if (group_by_.empty()) return "";
  auto key = KeyOf(record, group_by_);
  return key ? DisplayKey(*key) : "(no value)";
}

void Complete::OnRecord(const records::Record& record) {
  const rapidjson::Value* value = field_.Find(record.value);
  auto day = CivilDateOf(value);
  if (!day) {
    ++unreadable_count_;
    if (unreadable_.size() < kMaxExamples) {
      std::string what = value == nullptr || value->IsNull() ? "has no " + field_.text()
                                                             : field_.text() + " " + Describe(value) + " is not a date (YYYY-MM-DD)";
      unreadable_.push_back(Finding{"record " + what, record.line, record.column, field_.PointerIn(record.index)});
    }
    return;
  }
  Period period = PeriodOf(*day, unit_);
  if ((from_ && period < *from_) || (to_ && period > *to_)) return;
  seen_[GroupOf(record.value)].insert(period);
  min_ = std::min(min_.value_or(period), period);
  max_ = std::max(max_.value_or(period), period);
}

// "2026-11-03, 2026-11-04 and 3 more" for the periods of [first, last] not in `present`.
std::string Complete::Gaps(const std::set<Period>& present, Period first, Period last, std::uint64_t& missing) const {
  auto in_range_begin = present.lower_bound(first);
  auto in_range_end = present.upper_bound(last);
  missing = static_cast<std::uint64_t>(last - first + 1) - static_cast<std::uint64_t>(std::distance(in_range_begin, in_range_end));
  std::vector<std::string> named;
  auto next = in_range_begin;
  for (Period period = first; period <= last && named.size() < kMissingNamed; ++period) {
    if (next != in_range_end && *next == period) {
      ++next;
    } else {
      named.push_back(PeriodName(period, unit_));
    }
  }
  std::string text = fmt::format("{}", fmt::join(named, ", "));
  if (missing > named.size()) text += fmt::format(" and {} more", missing - named.size());
  return text;
}

std::vector<json::PointerPattern> Complete::captures() const {
  std::vector<json::PointerPattern> wanted;
  if (stated_from_) wanted.push_back(*stated_from_);
  if (stated_to_) wanted.push_back(*stated_to_);
  return wanted;
}

void Complete::OnCaptured(std::size_t pattern, const records::CapturedValue& found) {
  bool is_from = stated_from_ && pattern == 0;
  // The group a record with these wildcard fields would be in.
  rapidjson::Document fields(rapidjson::kObjectType);
  for (const auto& [name, key] : found.bindings) {
    fields.AddMember(rapidjson::Value(name.c_str(), fields.GetAllocator()), rapidjson::Value(key.c_str(), fields.GetAllocator()),
                     fields.GetAllocator());
  }
  std::string group = GroupOf(fields);
  auto day = CivilDateOf(found.value);
  if (!day) {
    ++unreadable_count_;
    if (unreadable_.size() < kMaxExamples) {
      unreadable_.push_back(Finding{fmt::format("{}{} {} is not a date (YYYY-MM-DD)", group.empty() ? "" : group + ": ",
                                                found.pointer, Describe(found.value)),
                                    found.line, found.column, ""});
    }
    return;
  }
  StatedBound bound{PeriodOf(*day, unit_), found.pointer, found.line, found.column};
  (is_from ? stated_[group].first : stated_[group].second) = bound;
}

void Complete::CompareStated(CheckOutcome& outcome, const std::string& label, const std::optional<StatedBound>& stated,
                             const json::PointerPattern& pattern, std::optional<Period> actual, const char* end) {
  if (!stated) {
    Fail(outcome, Finding{fmt::format("{}no stated {} at {}", label, end, pattern.text), 0, 0, ""});
    return;
  }
  if (actual && *actual != stated->period) {
    Fail(outcome, Finding{fmt::format("{}{} says {}, but the {} {} is {}", label, stated->pointer,
                                      PeriodName(stated->period, unit_), std::string_view(end) == "start" ? "first" : "last",
                                      field_.text(), PeriodName(*actual, unit_)),
                          stated->line, stated->column, ""});
  }
}

// Each group against its own stated range.
void Complete::FinishStated(CheckOutcome& outcome) {
  std::set<std::string> groups;
  for (const auto& entry : seen_) groups.insert(entry.first);
  for (const auto& entry : stated_) groups.insert(entry.first);
  std::uint64_t gappy_groups = 0, missing_total = 0, failures_before = outcome.failures;
  for (const auto& group : groups) {
    const std::set<Period>& present = seen_[group];
    const auto& stated = stated_[group];
    std::string label = group.empty() ? "" : group + ": ";
    std::optional<Period> low = present.empty() ? std::nullopt : std::optional<Period>(*present.begin());
    std::optional<Period> high = present.empty() ? std::nullopt : std::optional<Period>(*present.rbegin());
    if (stated_from_) CompareStated(outcome, label, stated.first, *stated_from_, low, "start");
    if (stated_to_) CompareStated(outcome, label, stated.second, *stated_to_, high, "end");
    std::optional<Period> first = stated_from_ ? (stated.first ? stated.first->period : low) : (from_ ? from_ : min_);
    std::optional<Period> last = stated_to_ ? (stated.second ? stated.second->period : high) : (to_ ? to_ : max_);
    if (!first || !last) continue;
    if (*first > *last) {
      Fail(outcome, Finding{fmt::format("{}the range from {} to {} ends before it starts", label, PeriodName(*first, unit_),
                                        PeriodName(*last, unit_)), 0, 0, ""});
      continue;
    }
    std::uint64_t missing = 0;
    std::string gaps = Gaps(present, *first, *last, missing);
    if (missing == 0) continue;
    ++gappy_groups;
    missing_total += missing;
    const std::uint64_t periods = static_cast<std::uint64_t>(*last - *first + 1);
    Fail(outcome, Finding{fmt::format("{}missing {} ({} of {} {} from {} to {})", label, gaps, missing, periods,
                                      UnitName(unit_, periods != 1), PeriodName(*first, unit_), PeriodName(*last, unit_)),
                          0, 0, ""});
  }
  std::string groups_text = group_by_.empty() ? "" : fmt::format(" of all {} groups", groups.size());
  if (outcome.failures == failures_before) {
    outcome.summary = fmt::format("every {} of the stated range{} is present", UnitName(unit_, false), groups_text);
  } else if (gappy_groups == 0) {
    outcome.summary = fmt::format("the stated ranges{} do not match the dates in {}", groups_text, field_.text());
  } else {
    outcome.summary = fmt::format("{} of {} groups miss {} inside their stated range ({} in all)", gappy_groups,
                                  groups.size(), UnitName(unit_, true), missing_total);
  }
  if (unreadable_count_ > 0) outcome.summary += fmt::format("; {} dates do not read as dates", unreadable_count_);
}

CheckOutcome Complete::Finish() {
  CheckOutcome outcome = NewOutcome();
  for (auto& finding : unreadable_) Fail(outcome, std::move(finding));
  outcome.failures = unreadable_count_;
  if (StatesBounds()) {
    FinishStated(outcome);
    return outcome;
  }
  std::optional<Period> first = from_ ? from_ : min_;
  std::optional<Period> last = to_ ? to_ : max_;
  if (!first || !last || seen_.empty()) {
    outcome.summary = unreadable_count_ > 0 ? fmt::format("no readable dates in {}: {} records", field_.text(), unreadable_count_)
                                            : fmt::format("no dated records to check in {}", field_.text());
    return outcome;
  }
  const std::uint64_t periods = static_cast<std::uint64_t>(*last - *first + 1);
  std::uint64_t gappy_groups = 0, missing_total = 0;
  for (const auto& [group, present] : seen_) {
    std::uint64_t missing = 0;
    std::string gaps = Gaps(present, *first, *last, missing);
    if (missing == 0) continue;
    ++gappy_groups;
    missing_total += missing;
    Fail(outcome, Finding{fmt::format("{}missing {} ({} of {} {})", group.empty() ? "" : group + ": ", gaps, missing,
                                      periods, UnitName(unit_, periods != 1)),
                          0, 0, ""});
  }
  std::string range = fmt::format("from {} to {}", PeriodName(*first, unit_), PeriodName(*last, unit_));
  std::string groups = group_by_.empty() ? "" : fmt::format(" for all {} groups", seen_.size());
  if (gappy_groups == 0) {
    outcome.summary = fmt::format("every {} {} is present{}", UnitName(unit_, false), range, groups);
  } else if (group_by_.empty()) {
    outcome.summary = fmt::format("{} of {} {} {} are missing", missing_total, periods, UnitName(unit_, true), range);
  } else {
    outcome.summary = fmt::format("{} of {} groups miss {} {} ({} in all)", gappy_groups, seen_.size(),
                                  UnitName(unit_, true), range, missing_total);
  }
  if (unreadable_count_ > 0) outcome.summary += fmt::format("; {} records have no readable {}", unreadable_count_, field_.text());
  return outcome;
}

// A date, or {"pointer": P}: each group's date where P finds it, P's wildcards naming the
// group_by fields (the fields a records pointer with the same wildcards gives each record).
Result<Bound> ReadBound(const CheckSpec& spec, const char* member, Unit unit, const std::vector<std::string>& group_by) {
  const rapidjson::Value* value = json::Member(*spec.config, member);
  if (value == nullptr) return Bound{};
  if (value->IsObject()) {
    const rapidjson::Value* pointer = json::Member(*value, "pointer");
    if (pointer == nullptr || !pointer->IsString() || value->MemberCount() != 1) {
      return ConfigProblem(spec, member, "expected a date (YYYY-MM-DD) or {\"pointer\": \"/data/{series}/DATE_RANGE/MINIMUM\"}");
    }
    std::string at = std::string(member) + "/pointer";
    auto pattern = json::ParsePointerPattern(std::string_view(pointer->GetString(), pointer->GetStringLength()));
    if (!pattern.ok()) return ConfigProblem(spec, at, pattern.status().message());
    std::vector<std::string> names = pattern->names(), fields = group_by;
    std::sort(names.begin(), names.end());
    std::sort(fields.begin(), fields.end());
    if (names != fields) {
      return ConfigProblem(spec, at, fmt::format("its named wildcards ({}) must be the group_by fields ({}): a stated "
                                                 "bound belongs to one group", fmt::join(pattern->names(), ", "),
                                                 fmt::join(group_by, ", ")));
    }
    return Bound{std::nullopt, std::move(pattern).value()};
  }
  auto day = CivilDateOf(value);
  if (!day) return ConfigProblem(spec, member, "expected a date, YYYY-MM-DD");
  return Bound{PeriodOf(*day, unit), std::nullopt};
}

Result<Unit> ReadUnit(const CheckSpec& spec) {
  const rapidjson::Value* value = json::Member(*spec.config, "unit");
  if (value == nullptr) return Unit::kDay;
  std::string text = value->IsString() ? value->GetString() : "";
  if (text == "day") return Unit::kDay;
  if (text == "week") return Unit::kWeek;
  if (text == "month") return Unit::kMonth;
  return ConfigProblem(spec, "unit", "expected \"day\", \"week\" or \"month\"");
}

}  // namespace

Result<std::unique_ptr<Check>> MakeComplete(const CheckSpec& spec) {
  auto field = RequiredString(spec, "field");
  if (!field.ok()) return field.status();
  auto unit = ReadUnit(spec);
  if (!unit.ok()) return unit.status();
  auto group_names = StringList(spec, "group_by", false);
  if (!group_names.ok()) return group_names.status();
  auto from = ReadBound(spec, "from", *unit, *group_names);
  if (!from.ok()) return from.status();
  auto to = ReadBound(spec, "to", *unit, *group_names);
  if (!to.ok()) return to.status();
  if (from->fixed && to->fixed && *from->fixed > *to->fixed) return ConfigProblem(spec, "to", "must not be before \"from\"");
  std::vector<FieldRef> group_by(group_names->begin(), group_names->end());
  return std::unique_ptr<Check>(std::make_unique<Complete>(spec, FieldRef(*field), *unit, std::move(group_by),
                                                           std::move(from).value(), std::move(to).value()));
}

}  // namespace sluice::checks
