// The gate a pipeline's manifest sets (pipelines/<name>.json in the data repository's checkout):
// its review mode, outputs, window and label names, with sluice-approve's options on top.
#pragma once

#include <string>

#include "approve/eligibility.h"
#include "approve/gate.h"
#include "core/env.h"
#include "core/status.h"

namespace sluice::approve {

Result<GatePolicy> PipelinePolicy(const std::string& pipeline, const GateOptions& options, const Environment& env);

}  // namespace sluice::approve
