// Issues that are not pull requests: opened, found by label, commented on and closed
// (docs.github.com, REST "Issues"). sluice-notify keeps one incident issue per pipeline.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "github/api.h"

namespace sluice::github {

struct Issue {
  int number = 0;
  std::string url;    // html_url, for people
  std::string state;  // open, closed
  std::string title;
  std::string body;
  std::vector<std::string> labels;
  std::vector<std::string> assignees;  // as GitHub kept them (it drops those without push access)
};

struct NewIssue {
  std::string title;
  std::string body;  // at most 65,536 characters (a longer one is refused with 422)
  std::vector<std::string> labels;     // created on first use by GitHub, without colour or description
  std::vector<std::string> assignees;  // GitHub silently drops a login without push access
};

Result<Issue> CreateIssue(Api& api, const NewIssue& issue);

// The open issues carrying every one of `labels`, newest first, pull requests left out (the
// listing holds both; a PR has a pull_request member): the first page of 100. Listing takes
// `issues: read`.
Result<std::vector<Issue>> OpenIssuesLabelled(Api& api, const std::vector<std::string>& labels);

// Closes the issue with its state_reason ("completed" or "not_planned"); an issue already
// closed is closed again without harm.
Status CloseIssue(Api& api, int number, const std::string& state_reason);

// Reply parsers (pure): an issue object; a listing of issues, PRs left out.
Result<Issue> IssueOfReply(const Reply& reply, const std::string& what);
Result<std::vector<Issue>> IssuesOfReply(const Reply& reply);

}  // namespace sluice::github
