// Pull requests and what hangs on them: labels, reviewers, comments, commit statuses.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "github/api.h"

namespace sluice::github {

struct PullRequest {
  int number = 0;
  std::string url;  // html_url, for people
  std::string head_sha;
  std::vector<std::string> labels;
};

// The open PR whose head is <owner>:<branch>, if any.
Result<std::optional<PullRequest>> FindOpenPull(Api& api, const std::string& branch);
Result<PullRequest> CreatePull(Api& api, const std::string& branch, const std::string& base, const std::string& title,
                               const std::string& body);
Result<PullRequest> UpdatePull(Api& api, int number, const std::string& title, const std::string& body);
Status ClosePull(Api& api, int number);

// A label as sluice creates it when the repository has none of that name (a new repository
// has none of sluice's labels).
struct LabelSpec {
  std::string name;
  std::string color;  // six hex digits, no '#'
  std::string description;  // at most 100 characters (GitHub's limit)
};
// Creates each label unless one of that name exists, in any case (GitHub's names are
// case-insensitive): one listing of the repository's labels, then a POST per missing one.
// Creating a label takes `issues: write` (docs.github.com, "Permissions required for GitHub Apps").
Status EnsureLabels(Api& api, const std::vector<LabelSpec>& labels);

Status AddLabels(Api& api, int number, const std::vector<std::string>& labels);
// Removing a label the PR does not carry is not an error.
Status RemoveLabel(Api& api, int number, const std::string& label);
Status RequestReviewers(Api& api, int number, const std::vector<std::string>& logins);
Status Comment(Api& api, int number, const std::string& body);
// The bodies of the PR's comments (first page of 100, newest last).
Result<std::vector<std::string>> CommentBodies(Api& api, int number);

enum class CommitState { kSuccess, kFailure, kPending, kError };
const char* CommitStateName(CommitState state);
Status SetCommitStatus(Api& api, const std::string& sha, CommitState state, const std::string& context,
                       const std::string& description, const std::string& target_url);

struct CommitStatusSeen {
  std::string state;    // success, failure, pending, error
  std::string creator;  // login
};
// The newest status of `context` on `sha`, if any.
Result<std::optional<CommitStatusSeen>> LatestCommitStatus(Api& api, const std::string& sha, const std::string& context);

}  // namespace sluice::github
