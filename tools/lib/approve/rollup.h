// The rollup (DESIGN.md, What the covid19.ca.gov system taught): data PRs of several pipelines
// that carry the label sluice:rollup are folded into one PR on the branch sluice/rollup, one
// commit, which passes the gate and publishes together; the PRs it absorbed are closed with a
// link to it.
//
// Folding moves no file content: the rollup's tree takes each absorbed PR's blob ids as they
// are on GitHub. A PR is folded only when it could have passed the gate's provenance rules on
// its own (approve/eligibility.h FoldProblems): the rollup's sluice/validate status, which the
// fold sets, then vouches for heads that each had one. Its commit names the pipelines and PRs
// in trailers ("Sluice-Pipeline: rollup", "Sluice-Rollup: <pipeline> #<number>"), which is how the
// gate finds the manifests whose outputs, labels and windows apply to it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "core/env.h"
#include "core/status.h"
#include "github/api.h"

namespace sluice::approve {

struct GateOptions;  // approve/gate.h

inline constexpr const char* kRollupBranch = "sluice/rollup";

struct RollupMember {
  std::string pipeline;
  int number = 0;  // the PR it came from
};

struct RollupOutcome {
  std::vector<RollupMember> folded;                  // absorbed in this pass
  std::vector<std::pair<int, std::string>> skipped;  // labelled, not folded: PR and why
  int number = 0;                                    // the rollup PR (0: none)
  std::string url;
  std::string commit_sha;
  bool dry_run = false;
};

// Folds those of the open sluice PRs `open` (GitHub's pull objects) that carry the rollup label.
// Writes nothing in a dry run. A sluice/rollup branch whose head sluice did not make is left
// alone: UnsafeError (exit 4).
Result<RollupOutcome> FoldRollup(github::Api& api, const std::vector<rapidjson::Document>& open,
                                 const GateOptions& options, const Environment& env);

// The members named by a rollup commit's trailers, in order.
std::vector<RollupMember> RollupMembers(std::string_view message);
// The rollup commit's message for `members`.
std::string RollupMessage(const std::vector<RollupMember>& members, const std::string& run_url);

}  // namespace sluice::approve
