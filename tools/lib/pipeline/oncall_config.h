// The manifest's "oncall" section, already valid against the schema's #/definitions/oncall, into
// pipeline::OnCall, with what a schema cannot say: the time zone exists, dates are real days,
// business hours end after they start, a turn has no more people than the rotation.
#pragma once

#include <string>

#include <rapidjson/document.h>

#include "core/status.h"
#include "pipeline/manifest.h"

namespace sluice::pipeline {

// `file` and `pointer` say where `value` was written ("oncall.json" and "", or
// "pipelines/cases.json" and "/oncall"); errors are ConfigError "<file>: <pointer>/...: <problem>".
Result<OnCall> ReadOnCall(const rapidjson::Value& value, const std::string& file, const std::string& pointer);

}  // namespace sluice::pipeline
