// What a sluice-pr run did, for people (terminal, step summary), machines (--json) and the
// chain (outputs pr-number, pr-url, commit-sha, changed).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "actions_io/actions_io.h"
#include "core/status.h"
#include "pr/data_branch.h"
#include "pr/pr_text.h"
#include "pr/review_policy.h"

namespace sluice::pr {

struct PrReport {
  std::string pipeline;
  std::string base;
  std::string branch;
  BranchOutcome outcome = BranchOutcome::kUnchanged;
  std::string commit_sha;
  std::vector<std::pair<std::string, ChangeKind>> changes;
  std::size_t unchanged = 0;
  std::size_t blobs_uploaded = 0;
  bool local = false;
  int pr_number = 0;
  std::string pr_url;
  bool pr_created = false;
  int pr_closed = 0;  // an open PR closed because the newest data equals the base
  PrText text;  // the PR as written (or, with --local, as it would be)
  ReviewDecision review;
  int requests = 0;
  int writes = 0;
  std::vector<std::string> warnings;

  bool changed() const { return outcome == BranchOutcome::kCreated || outcome == BranchOutcome::kRebuilt; }
  std::size_t Count(ChangeKind kind) const;
};

const char* OutcomeName(BranchOutcome outcome);

std::string ReportText(const PrReport& report);
std::string ReportJson(const PrReport& report);
std::string ReportMarkdown(const PrReport& report);
// Outputs pr-number, pr-url, commit-sha, changed, and the Markdown summary.
Status PublishToActions(const PrReport& report, actions::ActionsIo& io);
// A run that failed or was refused still says so in the step summary.
Status PublishFailure(const std::string& pipeline, const Status& failure, actions::ActionsIo& io);

}  // namespace sluice::pr
