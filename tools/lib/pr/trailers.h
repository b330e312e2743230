// How sluice knows its own commits: trailers in the message (DESIGN.md, Branches), never the
// author's name, which a person can copy.
#pragma once

#include <string>
#include <string_view>

namespace sluice::pr {

// "Update <pipeline> data: ..." + a blank line + "Sluice-Pipeline: <pipeline>" and, when
// `run_url` is not empty, "Sluice-Run: <run_url>".
std::string CommitMessage(const std::string& pipeline, const std::string& summary, const std::string& run_url);

// Whether the last paragraph of `message` holds "Sluice-Pipeline: <pipeline>".
bool MadeBySluice(std::string_view message, const std::string& pipeline);

}  // namespace sluice::pr
