// The one open PR per data branch: found and updated in place, else opened; labelled by the
// review policy, owners asked to review, and the validation result set as the sluice/validate
// status on the new head. When a reviewer's commit stopped the run, the PR is told why.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "github/api.h"
#include "github/pulls.h"
#include "pr/data_branch.h"
#include "pr/pr_text.h"
#include "pr/review_policy.h"

namespace sluice::pr {

inline constexpr const char* kValidateContext = "sluice/validate";

struct PullOutcome {
  int number = 0;
  std::string url;
  bool created = false;
  std::vector<std::string> warnings;  // what did not work but does not fail the run
};

// After CommitData wrote (or found) the branch head `commit`. Title and body are written when
// `text` is given; labels, reviewers and the status whenever the PR is created or updated.
Result<PullOutcome> PublishPull(github::Api& api, const DataCommit& commit, const PrText& text, const ReviewDecision& review,
                                const std::optional<ValidationSummary>& validation, const std::string& run_url);

// A run that found its data already on the branch and its PR open: the label and the
// sluice/validate status are set again where they are missing (a run that failed after opening
// the PR, e.g. on a label it could not create), and nothing is written where they are there.
// Returns what it repaired, for the report ("label sluice:auto-approve", "status sluice/validate").
Result<std::vector<std::string>> RepairPull(github::Api& api, const DataCommit& commit, const github::PullRequest& pull,
                                            const ReviewDecision& review,
                                            const std::optional<ValidationSummary>& validation,
                                            const std::string& run_url);

// Only finds the open PR of the branch (a run that wrote nothing).
Result<std::optional<github::PullRequest>> FindPull(github::Api& api, const DataCommit& commit);

// The branch head is a commit sluice did not make: comments on the open PR (once per foreign
// head) and returns the UnsafeError the run ends with.
Status RefuseForeignHead(github::Api& api, const DataCommit& commit, const std::string& run_url);

// The sentence for a foreign head, for the PR, the terminal and the step summary.
std::string ForeignHeadMessage(const DataCommit& commit, const std::string& pipeline);

}  // namespace sluice::pr
