// The data branch sluice/<pipeline>: rebuilt on the base branch's head at every run as one
// commit holding the pipeline's files (DESIGN.md, Branches). The same steps run against GitHub
// (Git Data API) and against the local checkout (--local); a BranchStore is either.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "git/objects.h"
#include "pr/commit_plan.h"
#include "pr/known_tree.h"
#include "pr/targets.h"

namespace sluice::pr {

class BranchStore {
 public:
  virtual ~BranchStore() = default;
  // The base branch to build on when none is named.
  virtual Result<std::string> DefaultBase() = 0;
  // The commit refs/heads/<branch> points at, or nullopt.
  virtual Result<std::optional<std::string>> BranchSha(const std::string& branch) = 0;
  virtual Result<git::CommitInfo> ReadCommit(const std::string& sha) = 0;
  // Trees, readable by tree id or by commit id.
  virtual TreeSource& Trees() = 0;
  // Writes the plan's blobs and trees and one commit on `parent`; returns the commit's id.
  virtual Result<std::string> WriteCommit(const CommitPlan& plan, const std::string& parent, const std::string& message) = 0;
  // Points the branch at `sha`: created when `exists` is false, else moved (not a fast-forward:
  // the branch is rebuilt on the base).
  virtual Status PointBranch(const std::string& branch, const std::string& sha, bool exists) = 0;
};

struct DataCommitRequest {
  std::string pipeline;
  std::string base;  // "" for the store's default
  std::string run_url;  // for the Sluice-Run trailer; may be ""
};

enum class BranchOutcome {
  kUnchanged,     // the files match the base: nothing written
  kAlreadyThere,  // the branch holds exactly this commit's tree on the current base
  kCreated,       // the branch was created
  kRebuilt,       // the branch was moved to the new commit
  kForeign,       // the branch head is not sluice's: nothing written (exit 4)
};

struct DataCommit {
  std::string base;      // branch name
  std::string base_sha;
  std::string branch;    // sluice/<pipeline>
  CommitPlan plan;
  BranchOutcome outcome = BranchOutcome::kUnchanged;
  std::string commit_sha;  // the branch head after the run ("" when unchanged against the base)
  std::optional<git::CommitInfo> foreign;  // the head that stopped the run
  bool changed() const { return outcome == BranchOutcome::kCreated || outcome == BranchOutcome::kRebuilt; }
};

// Plans and writes the commit of `targets` (which must outlive the result: the plan points into
// it). Reads first (base head, base tree, branch head) and writes only when something changed.
Result<DataCommit> CommitData(BranchStore& store, const DataCommitRequest& request, const Targets& targets);

std::string BranchFor(const std::string& pipeline);
// "3 files: 1 added, 2 modified" — for the commit message and reports.
std::string ChangeSummary(const CommitPlan& plan);

}  // namespace sluice::pr
