// Prometheus text exposition format (version 0.0.4), for a node-exporter textfile collector or
// a Pushgateway: "# HELP", "# TYPE", then one line per series, `name{label="value"} number`.
// Written atomically, so a collector never reads half a file. The parser is strict: what it
// accepts, Prometheus accepts (tests read the tools' files back with it).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice::metrics {

enum class MetricType { kGauge, kCounter };
const char* MetricTypeName(MetricType type);

using Labels = std::map<std::string, std::string>;

struct Sample {
  Labels labels;
  double value = 0;
};

struct MetricFamily {
  std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*; a counter's ends in _total
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<Sample> samples;
};

// Families in the order they were first named; setting a series again replaces its value.
class MetricSet {
 public:
  void Set(const std::string& name, const std::string& help, MetricType type, const Labels& labels, double value);
  const std::vector<MetricFamily>& families() const { return families_; }

 private:
  std::vector<MetricFamily> families_;
};

// The exposition text. A bad metric or label name is an InternalError (a sluice bug).
Result<std::string> RenderExposition(const std::vector<MetricFamily>& families);
Status WriteMetricsFile(const std::filesystem::path& path, const std::vector<MetricFamily>& families);

// Strict: HELP and TYPE once per family and before its samples, samples of a family together,
// names and label names valid, label values quoted with \\ \" \n escapes only, values Go floats
// (or +Inf, -Inf, NaN), no duplicate series, a counter's name ending in _total, a final newline.
// Errors name the line.
Result<std::vector<MetricFamily>> ParseExposition(std::string_view text);

}  // namespace sluice::metrics
