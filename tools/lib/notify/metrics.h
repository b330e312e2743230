// --metrics-file: the run's records as Prometheus metrics, per pipeline and tool: duration,
// exit code, success, every count the tools recorded (rows, bytes, check failures, retries...)
// and the last success time, kept across runs by reading the previous file back.
#pragma once

#include <chrono>
#include <filesystem>
#include <vector>

#include "core/env.h"
#include "core/metrics.h"
#include "notify/command_line.h"
#include "notify/run_log.h"
#include "pipeline/run_record.h"

namespace sluice::notify {

// `previous` is the last file's content (its last-success series carry over when this run does
// not renew them).
metrics::MetricSet MetricsFor(const std::vector<StepRecord>& records, const std::vector<metrics::MetricFamily>& previous);

// Reads the run log (when there is one) and notify's own record, and writes cli.metrics_file.
Status WriteRunMetrics(const CommandLine& cli, const Environment& env, const pipeline::RunRecord& own,
                       std::chrono::system_clock::time_point now);

}  // namespace sluice::notify
