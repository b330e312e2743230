// How a validation is reported: JSON (schemas/validation-report.schema.json), Markdown for the
// PR body and step summary (failed checks first, with example rows), plain text for a
// terminal, and annotations on the data file at the failing line.
#pragma once

#include <string>

#include "actions_io/actions_io.h"
#include "checks/engine.h"

namespace sluice::checks {

std::string ReportJson(const ValidationReport& report);
std::string ReportMarkdown(const ValidationReport& report);
std::string ReportText(const ValidationReport& report);
// The outcome in one sentence, naming the check types that ran and those skipped (no emoji):
// "every check passed (schema, value_change)", "2 check(s) failed".
std::string Verdict(const ValidationReport& report);

// Outputs: errors, warnings (true|false), passed (true|false), report (JSON); the Markdown
// summary; one annotation per example finding of each failed check.
Status PublishToActions(const ValidationReport& report, actions::ActionsIo& io);

}  // namespace sluice::checks
