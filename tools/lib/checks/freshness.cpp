// freshness: the newest date in the data is recent enough.
//
// {"type": "freshness", "field": "date", "max_age_days": 2}
//
// Ages are whole calendar days between the newest date in `field` ("YYYY-MM-DD", or the date
// part of a timestamp, taken as written) and today in UTC; today is the date of $SLUICE_NOW
// when set (reruns, tests), else of the system clock. Values that are not dates are passed
// over (a pattern check reports them); no date at all fails.
#include <memory>

#include <fmt/format.h>

#include "checks/calendar.h"
#include "checks/families.h"

namespace sluice::checks {
namespace {

class Freshness : public Check {
 public:
  Freshness(CheckSpec spec, FieldRef field, double max_age_days, date::sys_days today)
      : Check(std::move(spec)), field_(std::move(field)), max_age_days_(max_age_days), today_(today) {
    Watch("field", field_);
  }

  void OnRecord(const records::Record& record) override {
    ++records_;
    auto day = CivilDateOf(field_.Find(record.value));
    if (!day) return;
    ++dated_;
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
  date::sys_days today_;
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
  auto now = CheckNow(spec);
  if (!now.ok()) return now.status();
  return std::unique_ptr<Check>(
      std::make_unique<Freshness>(spec, FieldRef(*field), *max_age, date::floor<date::days>(*now)));
}

}  // namespace sluice::checks
