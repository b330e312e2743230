// What a sluice-publish run did, for people (terminal, step summary), machines (--json) and the
// chain (outputs uploaded, deleted, unchanged, manifest, dry-run).
#pragma once

#include <string>

#include "actions_io/actions_io.h"
#include "core/status.h"
#include "publish/command_line.h"

namespace sluice::publish {

std::string ReportText(const PublishRun& run);
std::string ReportJson(const PublishRun& run);
std::string ReportMarkdown(const PublishRun& run);
Status PublishToActions(const PublishRun& run, actions::ActionsIo& io);
// A run that failed or was refused still says so in the step summary.
Status PublishFailure(const PublishRun& run, const Status& failure, actions::ActionsIo& io);

}  // namespace sluice::publish
