// How a diff is reported: JSON for machines (schemas/diff-report.schema.json, every change in
// full), Markdown for the PR body and the step summary (bounded to fit GitHub's body limit),
// plain text for a terminal, and the Actions outputs.
#pragma once

#include <cstddef>
#include <string>

#include "actions_io/actions_io.h"
#include "diff/diff.h"

namespace sluice::diff {

// GitHub refuses a PR body over 65,536 characters (422); the rest is left for what sluice-pr
// adds around the diff.
inline constexpr std::size_t kMarkdownBudget = 60000;

std::string ReportJson(const DiffReport& report);
// At most `budget` bytes (bytes >= characters, so the character limit holds too). When the
// diff does not fit, the Markdown says so and points to the JSON report.
std::string ReportMarkdown(const DiffReport& report, std::size_t budget = kMarkdownBudget);
std::string ReportText(const DiffReport& report);

// Outputs: changed (true|false), files_changed, added, removed, modified, order_only,
// collisions, and markdown_file when given; the Markdown as the step summary; a warning
// annotation per file with key collisions.
Status PublishToActions(const DiffReport& report, actions::ActionsIo& io, const std::string& markdown,
                        const std::string& markdown_file);

}  // namespace sluice::diff
