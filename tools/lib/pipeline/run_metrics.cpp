#include "pipeline/run_metrics.h"

#include <set>
#include <utility>

#include <fmt/format.h>

#include "core/fs.h"

namespace sluice::pipeline {
namespace {

using metrics::MetricType;

constexpr const char* kLastSuccess = "sluice_last_success_timestamp_seconds";
constexpr const char* kLastSuccessHelp = "Unix time of the last run of the tool that did its job, per pipeline";

bool DidItsJob(const RunRecord& record) {
  return record.status == "success" || record.status == "unchanged" || record.status == "skipped";
}

double Seconds(std::chrono::system_clock::time_point when) {
  return std::chrono::duration<double>(when.time_since_epoch()).count();
}

std::string Label(const metrics::Labels& labels, const char* name) {
  auto found = labels.find(name);
  return found == labels.end() ? "" : found->second;
}

}  // namespace

metrics::MetricSet RunMetrics(const std::vector<RunRecord>& records, const std::vector<metrics::MetricFamily>& previous) {
  std::set<std::pair<std::string, std::string>> renewed;
  for (const auto& record : records) renewed.emplace(record.pipeline, record.tool);
  metrics::MetricSet set;
  for (const auto& family : previous) {
    for (const auto& sample : family.samples) {
      bool own = renewed.count({Label(sample.labels, "pipeline"), Label(sample.labels, "tool")}) > 0;
      if (!own || family.name == kLastSuccess) set.Set(family.name, family.help, family.type, sample.labels, sample.value);
    }
  }
  for (const auto& record : records) {
    metrics::Labels labels{{"pipeline", record.pipeline}, {"tool", record.tool}};
    auto duration = std::chrono::duration<double>(record.finished_at - record.started_at).count();
    set.Set("sluice_run_duration_seconds", "How long the tool's last run took", MetricType::kGauge, labels,
            duration < 0 ? 0 : duration);
    set.Set("sluice_run_exit_code", "The exit code of the tool's last run (0 ok, 1 no, 2 input, 3 service, 4 refused)",
            MetricType::kGauge, labels, record.exit_code);
    set.Set("sluice_run_success", "1 when the tool's last run did its job, else 0", MetricType::kGauge, labels,
            DidItsJob(record) ? 1 : 0);
    for (const auto& [name, value] : record.counts) {
      metrics::Labels counted = labels;
      counted["count"] = name;
      set.Set("sluice_run_count", "A count the tool's last run recorded (rows, bytes, errors, retries, ...)",
              MetricType::kGauge, counted, static_cast<double>(value));
    }
    if (DidItsJob(record)) set.Set(kLastSuccess, kLastSuccessHelp, MetricType::kGauge, labels, Seconds(record.finished_at));
    if (!DidItsJob(record) && !record.severity.empty()) {
      metrics::Labels classed = labels;
      classed["severity"] = record.severity;
      set.Set("sluice_run_failure", "1 when the tool's last run failed, by severity: production (bad or stale data may be "
              "live) or upstream (production untouched)", MetricType::kGauge, classed, 1);
    }
  }
  return set;
}

Status WriteRunMetrics(const std::filesystem::path& path, const std::vector<RunRecord>& records) {
  std::vector<metrics::MetricFamily> previous;
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    auto text = ReadFile(path);
    if (!text.ok()) return text.status().WithContext("metrics");
    auto parsed = metrics::ParseExposition(*text);
    if (!parsed.ok()) {
      return InputError(fmt::format("metrics file {}: {}; not overwritten: move it away to start over", path.string(),
                                    parsed.status().message()));
    }
    previous = std::move(parsed).value();
  }
  return metrics::WriteMetricsFile(path, RunMetrics(records, previous).families());
}

}  // namespace sluice::pipeline
