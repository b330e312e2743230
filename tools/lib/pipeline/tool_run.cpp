#include "pipeline/tool_run.h"

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

}  // namespace sluice::pipeline
