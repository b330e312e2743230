// GitHub's spellings, compared the way GitHub compares them: label names without case (an
// existing "Sluice:Hold" is the label "sluice:hold"), logins without case and without the
// "[bot]" suffix that REST gives a bot's login and GraphQL leaves off ("github-actions[bot]"
// in REST is "github-actions" in GraphQL).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::github {

// Label names are unique per repository without regard to case (docs.github.com, "Managing
// labels": a label "Bug" and a label "bug" cannot both exist).
bool SameLabel(std::string_view a, std::string_view b);
bool HasLabel(const std::vector<std::string>& labels, std::string_view name);

// "github-actions[bot]" and "github-actions" (and "GitHub-Actions") are the same account.
bool SameLogin(std::string_view a, std::string_view b);

// Whether the login is GitHub Actions' own bot, whose pushes and PRs start no workflow run
// (docs.github.com, "Triggering a workflow from a workflow").
bool IsActionsBot(std::string_view login);

}  // namespace sluice::github
