// anomaly: a figure of the whole file (the row count, or the sum of a field) against the same
// figure in the last `history` committed versions.
//
// {"type": "anomaly", "metric": "row_count", "history": 10, "method": "mad", "threshold": 3.5,
//  "min_history": 3}
// {"type": "anomaly", "metric": "sum", "field": "cases", "method": "zscore", "threshold": 3}
//
// "mad" (the default) scores with the modified z of Iglewicz and Hoaglin, 0.6745 (x - median) /
// MAD, which a few odd versions in the history do not sway. When more than half the versions
// hold the same value the MAD is 0; the score then uses the mean absolute deviation,
// (x - median) / (1.253314 * meanAD), as IBM SPSS and others do, and when every version holds
// the same value any other value is infinitely far (and fails). "zscore" is (x - mean) / the
// sample standard deviation, with the same rule for a zero spread. Too few versions: skipped.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include <fmt/format.h>

#include "checks/calendar.h"
#include "checks/families.h"
#include "json/json.h"

namespace sluice::checks {
namespace {

struct Score {
  double center = 0;
  double z = 0;
};

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

double Ratio(double difference, double spread) {
  if (spread > 0) return difference / spread;
  return difference == 0 ? 0.0 : std::copysign(INFINITY, difference);
}

Score RobustScore(const std::vector<double>& history, double x) {
  double median = Median(history);
  std::vector<double> deviations;
  for (double value : history) deviations.push_back(std::fabs(value - median));
  double mad = Median(deviations);
  if (mad > 0) return {median, 0.6745 * (x - median) / mad};
  double mean_deviation = std::accumulate(deviations.begin(), deviations.end(), 0.0) / static_cast<double>(deviations.size());
  return {median, Ratio(x - median, 1.253314 * mean_deviation)};
}

Score ClassicScore(const std::vector<double>& history, double x) {
  double n = static_cast<double>(history.size());
  double mean = std::accumulate(history.begin(), history.end(), 0.0) / n;
  double squares = 0;
  for (double value : history) squares += (value - mean) * (value - mean);
  double deviation = history.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  return {mean, Ratio(x - mean, deviation)};
}

class Anomaly : public Check {
 public:
  Anomaly(CheckSpec spec, std::optional<FieldRef> field, std::size_t history, bool robust, double threshold,
          std::size_t min_history)
      : Check(std::move(spec)), field_(std::move(field)), robust_(robust), threshold_(threshold),
        min_history_(min_history), history_(history, 0.0) {
    if (field_) Watch("field", *field_);
  }

  std::size_t history_depth() const override { return history_.size(); }
  // A version without records counts too (as 0), the oldest included.
  void OnHistoryVersion(std::size_t version, const HistoricVersion&) override {
    if (version < history_.size()) versions_ = std::max(versions_, version + 1);
  }
  void OnHistory(std::size_t version, const HistoricVersion&, const records::Record& record) override {
    if (version < history_.size()) history_[version] += Measure(record);
  }
  void OnRecord(const records::Record& record) override { current_ += Measure(record); }
  CheckOutcome Finish() override;

 private:
  double Measure(const records::Record& record) const {
    return field_ ? NumberOf(field_->Find(record.value)).value_or(0) : 1;
  }
  std::string Metric() const { return field_ ? "sum of " + field_->text() : "row_count"; }

  std::optional<FieldRef> field_;
  bool robust_;
  double threshold_;
  std::size_t min_history_;
  std::vector<double> history_;  // the metric per version, newest first
  std::size_t versions_ = 0;
  double current_ = 0;
};

CheckOutcome Anomaly::Finish() {
  CheckOutcome outcome = NewOutcome();
  if (versions_ < min_history_) {
    outcome.skipped = true;
    outcome.summary = fmt::format("needs {} previous versions, has {}", min_history_, versions_);
    return outcome;
  }
  std::vector<double> history(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(versions_));
  Score score = robust_ ? RobustScore(history, current_) : ClassicScore(history, current_);
  std::string center = fmt::format("{} {} of the last {} versions", robust_ ? "the median" : "the mean",
                                   FormatNumber(score.center), versions_);
  if (std::isinf(score.z)) {
    outcome.summary = fmt::format("{} {} differs from {}, which never varied (threshold {})", Metric(),
                                  FormatNumber(current_), center, FormatNumber(threshold_));
  } else {
    outcome.summary = fmt::format("{} {} is {:.1f} {} {} {} (threshold {})", Metric(), FormatNumber(current_),
                                  std::fabs(score.z), robust_ ? "robust z" : "standard deviations",
                                  score.z >= 0 ? "above" : "below", center, FormatNumber(threshold_));
  }
  if (std::fabs(score.z) > threshold_) Fail(outcome, Finding{outcome.summary, 0, 0, ""});
  return outcome;
}

Result<std::size_t> WholeNumber(const CheckSpec& spec, const char* member, std::size_t fallback) {
  const rapidjson::Value* value = json::Member(*spec.config, member);
  if (value == nullptr) return fallback;
  if (!value->IsUint() || value->GetUint() == 0 || value->GetUint() > 100) {
    return ConfigProblem(spec, member, "expected a whole number of versions from 1 to 100");
  }
  return static_cast<std::size_t>(value->GetUint());
}

}  // namespace

Result<std::unique_ptr<Check>> MakeAnomaly(const CheckSpec& spec) {
  auto metric = RequiredString(spec, "metric");
  if (!metric.ok()) return metric.status();
  if (*metric != "row_count" && *metric != "sum") return ConfigProblem(spec, "metric", "expected \"row_count\" or \"sum\"");
  std::optional<FieldRef> field;
  if (*metric == "sum") {
    auto name = RequiredString(spec, "field");
    if (!name.ok()) return name.status();
    field = FieldRef(*name);
  }
  const rapidjson::Value* method_value = json::Member(*spec.config, "method");
  std::string method = method_value == nullptr ? "mad" : method_value->IsString() ? method_value->GetString() : "";
  if (method != "mad" && method != "zscore") return ConfigProblem(spec, "method", "expected \"mad\" or \"zscore\"");
  auto history = WholeNumber(spec, "history", 10);
  if (!history.ok()) return history.status();
  auto min_history = WholeNumber(spec, "min_history", std::min<std::size_t>(3, *history));
  if (!min_history.ok()) return min_history.status();
  if (*min_history > *history) return ConfigProblem(spec, "min_history", "must not exceed \"history\"");
  double threshold = OptionalNumber(spec, "threshold").value_or(method == "mad" ? 3.5 : 3.0);
  if (threshold <= 0) return ConfigProblem(spec, "threshold", "must be above 0");
  return std::unique_ptr<Check>(
      std::make_unique<Anomaly>(spec, std::move(field), *history, method == "mad", threshold, *min_history));
}

}  // namespace sluice::checks
