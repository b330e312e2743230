// sluice-approve's pass: every open sluice PR (or the one a label event names) evaluated
// against its pipeline's gate, and the eligible ones approved, merged with the sha guard, and
// their publish workflow dispatched (merges made with GITHUB_TOKEN start no workflows).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "approve/eligibility.h"
#include "approve/rollup.h"
#include "core/env.h"
#include "core/status.h"
#include "github/api.h"

namespace sluice::approve {

struct GateOptions {
  std::filesystem::path workspace;  // the data repository's checkout: pipelines/<name>.json
  Time now;
  bool dry_run = false;
  bool paused = false;
  int only_pull = 0;  // a pull_request event's PR; 0: every open sluice PR
  std::string identity = "github-actions[bot]";  // who opens sluice PRs and sets sluice/validate
  std::string merge_method = "squash";
  std::string publish_workflow = "sluice-publish.yml";  // "" to dispatch nothing
  std::vector<std::string> required_checks;
  std::vector<std::string> binary_extensions;
  std::string run_url;  // this workflow run, linked from reviews and comments
  bool separate_approver = false;  // --approve-token-env: approvals come from a second identity
};

struct PullOutcome {
  int number = 0;
  std::string url;
  std::string pipeline;
  std::vector<std::string> pipelines;  // whose gates applied: the pipeline, or a rollup's members
  std::string head_sha;
  Decision decision;
  std::string node_id;  // GitHub's GraphQL id of the PR (merge queue)
  bool merged = false;
  bool queue_merged = false;  // merged by the base branch's merge queue since sluice queued it (approve/queued.h)
  std::string merge_sha;
  int queued_at = 0;    // > 0: put in the base branch's merge queue at this position instead of merged
  std::string dispatched;  // the workflow started after the merge
  std::vector<std::string> notes;  // said on the terminal and in the summary, e.g. "approval recorded as a comment"
  Status error;            // approving, merging or dispatching failed
};

struct GateReport {
  RollupOutcome rollup;  // the fold that ran first (approve/rollup.h)
  Status rollup_error;
  std::vector<PullOutcome> pulls;
  bool dry_run = false;
  int merged() const;
  // The exit code: 4 when a head moved under a merge, 3 when GitHub failed, 2 when a refusal
  // needs a setting or token changed, else 0.
  int exit_code() const;
};

// `approver` approves (it may be `api` itself, or a second identity for repositories where
// the author cannot approve its own PRs).
Result<GateReport> RunGate(github::Api& api, github::Api& approver, const GateOptions& options, const Environment& env);

}  // namespace sluice::approve
