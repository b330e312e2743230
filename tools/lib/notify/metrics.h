// sluice-notify's --metrics-file: every record of the run log through pipeline::WriteRunMetrics,
// so one step at the end of a job writes the whole job's metrics (ToolRun::Finish adds
// notify's own).
#pragma once

#include <filesystem>
#include <string>

#include "core/env.h"
#include "core/status.h"

namespace sluice::notify {

// `run_log` "" means $SLUICE_RUN_LOG; without a log there is nothing to write.
Status WriteRunLogMetrics(const std::filesystem::path& path, const std::string& run_log, const Environment& env);

}  // namespace sluice::notify
