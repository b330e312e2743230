#include "pr/data_pr.h"

#include <fmt/format.h>

#include "git/object_store.h"
#include "pr/data_branch.h"
#include "pr/github_store.h"
#include "pr/local_store.h"
#include "pr/pull_request.h"

namespace sluice::pr {
namespace {

namespace fs = std::filesystem;

PrReport ReportOf(const DataPrRequest& request, const DataCommit& commit) {
  PrReport report;
  report.pipeline = request.pipeline;
  report.base = commit.base;
  report.branch = commit.branch;
  report.outcome = commit.outcome;
  report.commit_sha = commit.commit_sha;
  for (const FileChange& change : commit.plan.changes) report.changes.emplace_back(change.path, change.kind);
  report.unchanged = commit.plan.unchanged;
  if (commit.changed()) report.blobs_uploaded = commit.plan.uploads.size();
  report.review = DecideReview(request.policy, request.inputs.validation);
  if (!commit.plan.empty()) report.text = ComposePr(request.inputs, commit.plan, commit.base, commit.branch, report.review);
  return report;
}

DataCommitRequest CommitRequestOf(const DataPrRequest& request) {
  return DataCommitRequest{request.pipeline, request.base, request.inputs.run_url};
}

}  // namespace

Result<PrReport> OpenDataPr(const DataPrRequest& request, github::ApiConfig config) {
  github::Api api(std::move(config));
  GitHubStore store(api);
  auto commit = CommitData(store, CommitRequestOf(request), request.targets);
  if (!commit.ok()) return commit.status();
  if (commit->outcome == BranchOutcome::kForeign) return RefuseForeignHead(api, *commit, request.inputs.run_url);
  PrReport report = ReportOf(request, *commit);
  if (commit->outcome == BranchOutcome::kUnchanged) {
    // The newest data equals the base: an open PR still holds older data, which must not be
    // merged (and published) at the next window. It is closed, saying why; nothing else is written.
    auto pull = FindPull(api, *commit);
    if (!pull.ok()) return pull.status();
    if (*pull) {
      std::string why = fmt::format(
          "Closed by sluice-pr: the newest data of `{}` equals `{}`, so this PR's older data must not be published. "
          "A later change opens a new PR.{}",
          request.pipeline, commit->base, request.inputs.run_url.empty() ? "" : "\n\nRun: " + request.inputs.run_url);
      SLUICE_RETURN_IF_ERROR(github::Comment(api, (*pull)->number, why));
      SLUICE_RETURN_IF_ERROR(github::ClosePull(api, (*pull)->number));
      report.pr_closed = (*pull)->number;
    }
  }
  if (commit->outcome == BranchOutcome::kAlreadyThere) {
    auto pull = FindPull(api, *commit);
    if (!pull.ok()) return pull.status();
    if (*pull) {
      report.pr_number = (*pull)->number;
      report.pr_url = (*pull)->url;
      auto repaired = RepairPull(api, *commit, **pull, report.review, request.inputs.validation, request.inputs.run_url);
      if (!repaired.ok()) return repaired.status().WithContext(fmt::format("PR #{} is open, but setting it right", report.pr_number));
      for (const std::string& what : *repaired) report.warnings.push_back("set again on the open PR: " + what);
    }
  }
  const bool missing_pull = commit->outcome == BranchOutcome::kAlreadyThere && report.pr_number == 0;
  if (commit->changed() || missing_pull) {
    auto pull = PublishPull(api, *commit, report.text, report.review, request.inputs.validation, request.inputs.run_url);
    if (!pull.ok()) {
      return pull.status().WithContext(fmt::format("the data is on branch {} (commit {}), but the PR", commit->branch,
                                                   commit->commit_sha.substr(0, 12)));
    }
    report.pr_number = pull->number;
    report.pr_url = pull->url;
    report.pr_created = pull->created;
    report.warnings = pull->warnings;
  }
  report.requests = api.requests();
  report.writes = api.writes();
  return report;
}

Result<PrReport> CommitLocally(const DataPrRequest& request) {
  auto repo = git::ObjectStore::Discover(request.workspace);
  if (!repo.ok()) return repo.status();
  std::error_code ec;
  if (!fs::equivalent(repo->workdir(), request.workspace, ec)) {
    return UsageError(fmt::format("--local needs the workspace to be the repository's root ({}), not {}",
                                  repo->workdir().string(), request.workspace.string()));
  }
  LocalStore store(*repo);
  auto commit = CommitData(store, CommitRequestOf(request), request.targets);
  if (!commit.ok()) return commit.status();
  if (commit->outcome == BranchOutcome::kForeign) return UnsafeError(ForeignHeadMessage(*commit, request.pipeline));
  PrReport report = ReportOf(request, *commit);
  report.local = true;
  return report;
}

}  // namespace sluice::pr
