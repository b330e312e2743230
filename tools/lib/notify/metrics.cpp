#include "notify/metrics.h"

#include "core/clock.h"
#include "notify/outcome.h"
#include "notify/run_log.h"
#include "pipeline/run_metrics.h"

namespace sluice::notify {
namespace {

pipeline::RunRecord ToRunRecord(const StepRecord& step) {
  pipeline::RunRecord record;
  record.tool = step.tool;
  record.pipeline = step.pipeline;
  record.status = step.status;
  record.exit_code = step.exit_code;
  auto finished = ParseTimestamp(step.finished_at);
  record.finished_at = finished.ok() ? *finished : std::chrono::system_clock::time_point{};
  record.started_at = record.finished_at - std::chrono::milliseconds(step.duration_ms);
  record.message = step.message;
  record.counts = step.counts;
  if (Failed(step)) record.severity = SeverityOf(step);
  return record;
}

}  // namespace

Status WriteRunLogMetrics(const std::filesystem::path& path, const std::string& run_log, const Environment& env) {
  std::vector<pipeline::RunRecord> records;
  std::string log = run_log.empty() ? env.GetOr("SLUICE_RUN_LOG", "") : run_log;
  std::error_code error;
  if (!log.empty() && std::filesystem::exists(log, error)) {
    auto read = ReadRunLog(log);
    if (!read.ok()) return read.status().WithContext("metrics");
    for (const auto& step : *read) {
      if (step.tool != "sluice-notify") records.push_back(ToRunRecord(step));
    }
  }
  return records.empty() ? Status::Ok() : pipeline::WriteRunMetrics(path, records);
}

}  // namespace sluice::notify
