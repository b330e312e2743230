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
#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <date/iso_week.h>
#include <fmt/format.h>

#include "checks/calendar.h"
#include "checks/families.h"
#include "json/json.h"

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

class Complete : public Check {
 public:
  Complete(CheckSpec spec, FieldRef field, Unit unit, std::vector<FieldRef> group_by, std::optional<Period> from,
           std::optional<Period> to)
      : Check(std::move(spec)), field_(std::move(field)), unit_(unit), group_by_(std::move(group_by)), from_(from), to_(to) {
    if (group_by_.empty() && from_ && to_) seen_[""];  // the one series must exist even with no data
    Watch("field", field_);
    Watch("group_by", group_by_);
  }

  void OnRecord(const records::Record& record) override;
  CheckOutcome Finish() override;

 private:
  std::string GroupOf(const rapidjson::Value& record) const;
  std::string Gaps(const std::set<Period>& present, Period first, Period last, std::uint64_t& missing) const;

  FieldRef field_;
  Unit unit_;
  std::vector<FieldRef> group_by_;
  std::optional<Period> from_, to_;
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

CheckOutcome Complete::Finish() {
  CheckOutcome outcome = NewOutcome();
  for (auto& finding : unreadable_) Fail(outcome, std::move(finding));
  outcome.failures = unreadable_count_;
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

Result<std::optional<Period>> ReadBound(const CheckSpec& spec, const char* member, Unit unit) {
  const rapidjson::Value* value = json::Member(*spec.config, member);
  if (value == nullptr) return std::optional<Period>();
  auto day = CivilDateOf(value);
  if (!day) return ConfigProblem(spec, member, "expected a date, YYYY-MM-DD");
  return std::optional<Period>(PeriodOf(*day, unit));
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
  auto from = ReadBound(spec, "from", *unit);
  if (!from.ok()) return from.status();
  auto to = ReadBound(spec, "to", *unit);
  if (!to.ok()) return to.status();
  if (*from && *to && **from > **to) return ConfigProblem(spec, "to", "must not be before \"from\"");
  std::vector<FieldRef> group_by(group_names->begin(), group_names->end());
  return std::unique_ptr<Check>(std::make_unique<Complete>(spec, FieldRef(*field), *unit, std::move(group_by), *from, *to));
}

}  // namespace sluice::checks
