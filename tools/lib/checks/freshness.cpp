// freshness: the newest date in the data is recent enough.
//
// {"type": "freshness", "field": "date", "max_age_days": 2, "max_future_days": 0}
//
// Ages are whole calendar days between the newest date in `field` ("YYYY-MM-DD", or the date
// part of a timestamp, taken as written) and today in UTC; today is the date of $SLUICE_NOW
// when set (reruns, tests), else of the system clock. Values that are not dates are passed
// over (a pattern check reports them); no date at all fails. A date after today fails too,
// unless within max_future_days (a stated clock skew or time zone ahead of UTC): data from the
// future is a wrong date, not fresh data.
#include <memory>

#include <fmt/format.h>

#include "checks/calendar.h"
#include "checks/families.h"

namespace sluice::checks {
namespace {

class Freshness : public Check {
 public:
  Freshness(CheckSpec spec, FieldRef field, double max_age_days, double max_future_days, date::sys_days today)
      : Check(std::move(spec)), field_(std::move(field)), max_age_days_(max_age_days),
        max_future_days_(max_future_days), latest_allowed_(today + date::days(static_cast<int>(max_future_days))),
        today_(today) {
    Watch("field", field_);
  }

  void OnRecord(const records::Record& record) override {
    ++records_;
    auto day = CivilDateOf(field_.Find(record.value));
    if (!day) return;
    ++dated_;
    if (*day > latest_allowed_) ++future_;
    if (!newest_ || *day > *newest_) {
      newest_ = *day;
      newest_at_ = Finding{"", record.line, record.column, field_.PointerIn(record.index)};
    }
  }

  CheckOutcome Finish() override {
    CheckOutcome outcome = NewOutcome();
    std::string limit = fmt::format("at most {} days old on {}", FormatNumber(max_age_days_), FormatCivilDate(today_));
    if (!newest_) {
      outcome.summary = records_ == 0 ? fmt::format("no records, so no {} to be {}", field_.text(), limit)
                                      : fmt::format("none of {} records has a date in {}; expected {}", records_,
                                                    field_.text(), limit);
      Fail(outcome, Finding{outcome.summary, 0, 0, ""});
      return outcome;
    }
    long age = (today_ - *newest_).count();
    if (*newest_ > latest_allowed_) {
      std::string allowed = fmt::format("no date after {} (today {} in UTC{})", FormatCivilDate(latest_allowed_),
                                        FormatCivilDate(today_),
                                        max_future_days_ > 0 ? fmt::format(", max_future_days {}", FormatNumber(max_future_days_)) : "");
      outcome.summary = fmt::format("the newest {} is {}, {} days in the future; expected {}; {} records are dated after {}",
                                    field_.text(), FormatCivilDate(*newest_), -age, allowed, future_,
                                    FormatCivilDate(latest_allowed_));
      newest_at_.message = fmt::format("newest {} {} is {} days in the future; expected {}", field_.text(),
                                       FormatCivilDate(*newest_), -age, allowed);
      Fail(outcome, newest_at_);
      return outcome;
    }
    outcome.summary = fmt::format("the newest {} is {}, {} days old ({})", field_.text(), FormatCivilDate(*newest_),
                                  age, limit);
    if (static_cast<double>(age) > max_age_days_) {
      newest_at_.message = fmt::format("newest {} {} is {} days old; expected {}", field_.text(),
                                       FormatCivilDate(*newest_), age, limit);
      Fail(outcome, newest_at_);
    }
    if (dated_ < records_) outcome.summary += fmt::format("; {} records have no readable date", records_ - dated_);
    return outcome;
  }

 private:
  FieldRef field_;
  double max_age_days_;
  double max_future_days_;
  date::sys_days latest_allowed_;  // today + max_future_days
  date::sys_days today_;
  std::uint64_t future_ = 0;  // records dated after latest_allowed_
  std::uint64_t records_ = 0;
  std::uint64_t dated_ = 0;
  std::optional<date::sys_days> newest_;
  Finding newest_at_;
};

}  // namespace

Result<std::unique_ptr<Check>> MakeFreshness(const CheckSpec& spec) {
  auto field = RequiredString(spec, "field");
  if (!field.ok()) return field.status();
  auto max_age = RequiredNumber(spec, "max_age_days");
  if (!max_age.ok()) return max_age.status();
  if (*max_age < 0) return ConfigProblem(spec, "max_age_days", "must not be negative");
  double max_future = OptionalNumber(spec, "max_future_days").value_or(0);
  if (max_future < 0 || max_future > 366) return ConfigProblem(spec, "max_future_days", "must be between 0 and 366 days");
  auto now = CheckNow(spec);
  if (!now.ok()) return now.status();
  return std::unique_ptr<Check>(
      std::make_unique<Freshness>(spec, FieldRef(*field), *max_age, max_future, date::floor<date::days>(*now)));
}

}  // namespace sluice::checks
