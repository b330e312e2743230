#include "pipeline/tool_run.h"

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <utility>

#include "core/secrets.h"
#include "pipeline/run_metrics.h"

namespace sluice::pipeline {

ToolRun::ToolRun(std::string name, std::ostream& err)
    : name_(std::move(name)), err_(err), started_(std::chrono::system_clock::now()) {}

int ToolRun::Error(const Status& status) {
  if (!status.ok()) err_ << name_ << ": " << Mask(status.message()) << "\n";
  return status.exit_code();
}

void ToolRun::Warning(const Status& status) {
  if (!status.ok()) err_ << name_ << ": warning: " << Mask(status.message()) << "\n";
}

int ToolRun::Finish(const RunRecord& record, const Environment& env, const CommonOptions& common) {
  Warning(AppendRunRecord(record, env));
  if (!common.metrics_file.empty()) Warning(WriteRunMetrics(common.metrics_file, {record}));
  return record.exit_code;
}

int ToolRun::FailEarly(const Status& status, const std::string& manifest_path, const Environment& env,
                       const CommonOptions& common) {
  const int code = Error(status);
  // The record's pipeline must be a manifest name (schemas/run-record.schema.json); a path
  // that does not end in one leaves it empty, as an ad-hoc run does.
  std::string name = std::filesystem::path(manifest_path).stem().string();
  const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  }) && name.front() != '-';
  if (!valid || std::filesystem::path(manifest_path).extension() != ".json") name.clear();
  RunRecord record = NewRunRecord(name_, name, status, code, started_);
  Finish(record, env, common);
  return code;
}

}  // namespace sluice::pipeline
