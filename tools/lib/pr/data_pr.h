// A data PR end to end: the commit on sluice/<pipeline> (data_branch.h), then the PR on GitHub
// (pull_request.h), or with --local the commit on the local branch and the PR that would be
// opened.
#pragma once

#include <filesystem>
#include <string>

#include "core/status.h"
#include "github/api.h"
#include "pr/pr_text.h"
#include "pr/report.h"
#include "pr/review_policy.h"
#include "pr/targets.h"

namespace sluice::pr {

struct DataPrRequest {
  std::string pipeline;
  std::filesystem::path workspace;  // the checkout's root
  Targets targets;
  std::string base;  // "" for the default branch (GitHub) or the checked-out one (--local)
  PrInputs inputs;
  ReviewPolicy policy;
};

// Refused (UnsafeError) when the branch carries a commit sluice did not make; the PR is told.
Result<PrReport> OpenDataPr(const DataPrRequest& request, github::ApiConfig api);
Result<PrReport> CommitLocally(const DataPrRequest& request);

}  // namespace sluice::pr
