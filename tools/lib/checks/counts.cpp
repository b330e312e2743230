// row_count and row_count_change: how many records, and how much that moved since the
// previous version.
#include <cmath>
#include <memory>

#include <fmt/format.h>

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
class RowCountChange : public Check {
 public:
  RowCountChange(CheckSpec spec, double max_percent) : Check(std::move(spec)), max_percent_(max_percent) {}

  bool wants_previous() const override { return true; }
  void OnNoPrevious() override { has_previous_ = false; }
  void OnPrevious(const records::Record&) override { ++previous_; }
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
    double change = previous_ == 0 ? (current_ == 0 ? 0.0 : INFINITY)
                                   : 100.0 * (static_cast<double>(current_) - static_cast<double>(previous_)) /
                                         static_cast<double>(previous_);
    std::string moved = std::isinf(change) ? "from 0" : fmt::format("{:+.1f}%", change);
    outcome.summary = fmt::format("{} → {} records ({}, limit ±{}%)", previous_, current_, moved, max_percent_);
    if (std::fabs(change) > max_percent_) Fail(outcome, Finding{outcome.summary, 0, 0, ""});
    return outcome;
  }

 private:
  double max_percent_;
  bool has_previous_ = true;
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
  auto max_percent = RequiredNumber(spec, "max_percent");
  if (!max_percent.ok()) return max_percent.status();
  if (*max_percent < 0) return ConfigProblem(spec, "max_percent", "must not be negative");
  return std::unique_ptr<Check>(std::make_unique<RowCountChange>(spec, *max_percent));
}

}  // namespace sluice::checks
