#include "notify/metrics.h"

#include <fmt/format.h>

#include "core/clock.h"
#include "core/fs.h"

namespace sluice::notify {
namespace {

using metrics::MetricType;

constexpr const char* kLastSuccess = "sluice_last_success_timestamp_seconds";

bool DidItsJob(const StepRecord& step) {
  return step.status == "success" || step.status == "unchanged" || step.status == "skipped";
}

double Seconds(const std::string& iso) {
  auto when = ParseTimestamp(iso);
  return when.ok() ? std::chrono::duration<double>(when->time_since_epoch()).count() : 0;
}

StepRecord FromRunRecord(const pipeline::RunRecord& record) {
  StepRecord step;
  step.tool = record.tool;
  step.pipeline = record.pipeline;
  step.status = record.status;
  step.exit_code = record.exit_code;
  step.finished_at = FormatUtc(record.finished_at);
  step.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(record.finished_at - record.started_at).count();
  step.counts = record.counts;
  return step;
}

}  // namespace

metrics::MetricSet MetricsFor(const std::vector<StepRecord>& records, const std::vector<metrics::MetricFamily>& previous) {
  metrics::MetricSet set;
  for (const auto& family : previous) {
    if (family.name != kLastSuccess) continue;
    for (const auto& sample : family.samples) {
      set.Set(kLastSuccess, "Unix time of the last run of the tool that did its job, per pipeline", MetricType::kGauge,
              sample.labels, sample.value);
    }
  }
  for (const auto& step : records) {
    metrics::Labels labels{{"pipeline", step.pipeline}, {"tool", step.tool}};
    set.Set("sluice_run_duration_seconds", "How long the tool's last run took", MetricType::kGauge, labels,
            static_cast<double>(step.duration_ms) / 1000.0);
    set.Set("sluice_run_exit_code", "The exit code of the tool's last run (0 ok, 1 no, 2 input, 3 service, 4 refused)",
            MetricType::kGauge, labels, step.exit_code);
    set.Set("sluice_run_success", "1 when the tool's last run did its job, else 0", MetricType::kGauge, labels,
            DidItsJob(step) ? 1 : 0);
    for (const auto& [name, value] : step.counts) {
      metrics::Labels counted = labels;
      counted["count"] = name;
      set.Set("sluice_run_count", "A count the tool's last run recorded (rows, bytes, errors, retries, ...)",
              MetricType::kGauge, counted, static_cast<double>(value));
    }
    if (DidItsJob(step)) {
      set.Set(kLastSuccess, "Unix time of the last run of the tool that did its job, per pipeline", MetricType::kGauge,
              labels, Seconds(step.finished_at));
    }
  }
  return set;
}

Status WriteRunMetrics(const CommandLine& cli, const Environment& env, const pipeline::RunRecord& own,
                       std::chrono::system_clock::time_point) {
  std::vector<StepRecord> records;
  std::string log = cli.run_log.empty() ? env.GetOr("SLUICE_RUN_LOG", "") : cli.run_log;
  std::error_code error;
  if (!log.empty() && std::filesystem::exists(log, error)) {
    auto read = ReadRunLog(log);
    if (!read.ok()) return read.status().WithContext("metrics");
    for (auto& record : *read) {
      if (record.tool != "sluice-notify") records.push_back(std::move(record));
    }
  }
  records.push_back(FromRunRecord(own));
  std::vector<metrics::MetricFamily> previous;
  if (std::filesystem::exists(cli.metrics_file, error)) {
    auto text = ReadFile(cli.metrics_file);
    if (!text.ok()) return text.status().WithContext("metrics");
    auto parsed = metrics::ParseExposition(*text);
    if (!parsed.ok()) {
      return InputError(fmt::format("{}: {}; not overwritten: move it away to start over", cli.metrics_file,
                                    parsed.status().message()));
    }
    previous = std::move(parsed).value();
  }
  return metrics::WriteMetricsFile(cli.metrics_file, MetricsFor(records, previous).families());
}

}  // namespace sluice::notify
