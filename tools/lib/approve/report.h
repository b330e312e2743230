// How a sluice-approve pass is reported: a line per PR on the terminal (merged, or every
// reason it was not, in a reviewer's words), Markdown for the step summary, JSON for machines,
// and the outputs merged and pulls.
#pragma once

#include <string>

#include "actions_io/actions_io.h"
#include "approve/gate.h"

namespace sluice::approve {

std::string ReportText(const GateReport& report);
std::string ReportMarkdown(const GateReport& report);
std::string ReportJson(const GateReport& report);
// Outputs: merged (a count), pulls (the JSON report); the Markdown step summary.
Status PublishToActions(const GateReport& report, actions::ActionsIo& io);

}  // namespace sluice::approve
