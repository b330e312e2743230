// How a fetch is reported: JSON for machines, Markdown for the step summary, plain lines for
// a terminal, and the Actions outputs the next steps read.
#pragma once

#include <string>

#include "actions_io/actions_io.h"
#include "fetch/fetcher.h"

namespace sluice::fetch {

std::string ReportJson(const FetchReport& report, const std::string& pipeline);
std::string ReportMarkdown(const FetchReport& report, const std::string& pipeline);
std::string ReportText(const FetchReport& report);

// Outputs: changed=true|false, failed=<n>, sources=<the JSON report>; one summary section;
// an error annotation per failed source.
Status PublishToActions(const FetchReport& report, const std::string& pipeline, actions::ActionsIo& io);

}  // namespace sluice::fetch
