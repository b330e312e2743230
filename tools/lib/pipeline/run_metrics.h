// --metrics-file, for every tool: run records as Prometheus text (core/metrics), per pipeline
// and tool: duration, exit code, success, every count of the record (rows, bytes, check
// failures, retries, ...) and the time of the last run that did its job. The file is shared by
// the steps of a job: a tool replaces its own series and keeps the others', and a last-success
// time stays until a later success renews it.
#pragma once

#include <filesystem>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"
#include "pipeline/run_record.h"

namespace sluice::pipeline {

// `previous`'s series of other (pipeline, tool) pairs and all last-success times, then the
// records' series.
metrics::MetricSet RunMetrics(const std::vector<RunRecord>& records, const std::vector<metrics::MetricFamily>& previous);

// Reads the file (a malformed one is an InputError and is left as it is), merges, and writes it
// atomically.
Status WriteRunMetrics(const std::filesystem::path& path, const std::vector<RunRecord>& records);

}  // namespace sluice::pipeline
