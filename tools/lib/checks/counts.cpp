// row_count and row_count_change: how many records, and how much that moved since the
// previous version.
#include <chrono>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "checks/calendar.h"
#include "checks/change_limits.h"
#include "checks/families.h"

namespace sluice::checks {
namespace {

// {"type": "row_count", "min": 1, "max": 100000}
class RowCount : public Check {
 public:
  RowCount(CheckSpec spec, std::optional<double> min, std::optional<double> max)
      : Check(std::move(spec)), min_(min), max_(max) {}

  void OnRecord(const records::Record&) override { ++count_; }
  void OnPassedRecords(std::uint64_t, std::uint64_t count) override { count_ += count; }
  bool reads_values() const override { return false; }

  CheckOutcome Finish() override {
    CheckOutcome outcome = NewOutcome();
    std::string limits = fmt::format("{}{}{}", min_ ? fmt::format("at least {}", *min_) : "",
                                     min_ && max_ ? " and " : "", max_ ? fmt::format("at most {}", *max_) : "");
    if (count_ == 0 && min_ && *min_ > 0) {
      // Said in words: "0 records" reads like a count that merely came out low.
      outcome.summary = fmt::format("no records: the file holds none, expected {}", limits);
      Fail(outcome, Finding{outcome.summary, 0, 0, ""});
    } else if ((min_ && count_ < *min_) || (max_ && count_ > *max_)) {
      Fail(outcome, Finding{fmt::format("{} records; expected {}", count_, limits), 0, 0, ""});
      outcome.summary = fmt::format("{} records, expected {}", count_, limits);
    } else {
      outcome.summary = fmt::format("{} records ({})", count_, limits);
    }
    return outcome;
  }

 private:
  std::optional<double> min_, max_;
  std::uint64_t count_ = 0;
};

// {"type": "row_count_change", "max_percent": 10}: against the previous committed version.
// {"max_decrease_percent": 1, "warn_increase_percent": 10, "max_increase_percent": 25}: a fall
// and a rise limited apart, at two levels (change_limits.h).
class RowCountChange : public Check {
 public:
  RowCountChange(CheckSpec spec, ChangeLimits limits, std::chrono::system_clock::time_point now)
      : Check(std::move(spec)), limits_(std::move(limits)), now_(now) {}

  bool wants_previous() const override { return true; }
  std::size_t history_depth() const override { return limits_.per_day ? 1 : 0; }
  void OnNoPrevious() override { has_previous_ = false; }
  void OnPrevious(const records::Record&) override { ++previous_; }
  void OnHistoryVersion(std::size_t version, const HistoricVersion& meta) override {
    if (version == 0) previous_committed_at_ = meta.committed_at;
  }
  void OnRecord(const records::Record&) override { ++current_; }
  void OnPassedRecords(std::uint64_t, std::uint64_t count) override { current_ += count; }
  bool reads_values() const override { return false; }

  CheckOutcome Finish() override {
    CheckOutcome outcome = NewOutcome();
    if (!has_previous_) {
      outcome.skipped = true;
      outcome.summary = "no previous version to compare with (a new output)";
      return outcome;
    }
    const double days = DaysBetweenEditions(limits_.per_day, previous_committed_at_, now_);
    const double before = static_cast<double>(previous_), after = static_cast<double>(current_);
    double change = previous_ == 0 ? (current_ == 0 ? 0.0 : INFINITY) : 100.0 * (after - before) / before;
    std::string moved = std::isinf(change) ? "from 0" : fmt::format("{:+.1f}%", change);
    std::vector<std::string> limits;
    for (const auto& error : LimitTexts(limits_.error, days)) limits.push_back("limit " + error);
    for (const auto& warn : LimitTexts(limits_.warn, days)) limits.push_back("a warning past " + warn);
    outcome.summary = fmt::format("{} → {} records ({}, {})", previous_, current_, moved, fmt::join(limits, ", "));
    if (!LimitBreaches(limits_.error, before, after, days).empty()) {
      Fail(outcome, Finding{outcome.summary, 0, 0, ""});
    } else if (!LimitBreaches(limits_.warn, before, after, days).empty()) {
      // Past the warning level only: a warning, whatever the check's severity.
      outcome.severity = Severity::kWarn;
      outcome.summary = fmt::format("{} → {} records (warning level: {}, {})", previous_, current_, moved,
                                    fmt::join(limits, ", "));
      Fail(outcome, Finding{outcome.summary, 0, 0, ""});
    }
    return outcome;
  }

 private:
  ChangeLimits limits_;
  std::chrono::system_clock::time_point now_;
  bool has_previous_ = true;
  std::optional<std::chrono::system_clock::time_point> previous_committed_at_;
  std::uint64_t previous_ = 0;
  std::uint64_t current_ = 0;
};

}  // namespace

Result<std::unique_ptr<Check>> MakeRowCount(const CheckSpec& spec) {
  auto min = OptionalNumber(spec, "min");
  auto max = OptionalNumber(spec, "max");
  if (!min && !max) return ConfigProblem(spec, "min", "the row_count check needs \"min\", \"max\" or both");
  return std::unique_ptr<Check>(std::make_unique<RowCount>(spec, min, max));
}

Result<std::unique_ptr<Check>> MakeRowCountChange(const CheckSpec& spec) {
  auto limits = ReadChangeLimits(spec, /*absolute=*/false);
  if (!limits.ok()) return limits.status();
  if (!limits->any()) {
    return ConfigProblem(spec, "max_percent",
                         "the row_count_change check needs \"max_percent\" (a number), or a one-sided "
                         "\"max_decrease_percent\" / \"max_increase_percent\", or a warning level \"warn_percent\"");
  }
  std::chrono::system_clock::time_point now{};
  if (limits->per_day) {
    auto clock = CheckNow(spec);
    if (!clock.ok()) return clock.status();
    now = *clock;
  }
  return std::unique_ptr<Check>(std::make_unique<RowCountChange>(spec, std::move(limits).value(), now));
}

}  // namespace sluice::checks
