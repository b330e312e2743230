#include "pr/pull_request.h"

#include <algorithm>

#include <fmt/format.h>

#include "github/names.h"

namespace sluice::pr {
namespace {

bool Carries(const github::PullRequest& pull, const std::string& label) { return github::HasLabel(pull.labels, label); }

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// A new repository has none of sluice's labels: the one applied is created first, with its colour
// and description, rather than left to GitHub's grey default. A new PR also brings the hold label,
// so that a responder finds it in the picker at 2 a.m.
Status Label(github::Api& api, const github::PullRequest& pull, const ReviewDecision& review, bool with_hold) {
  if (!review.remove_label.empty() && Carries(pull, review.remove_label)) {
    SLUICE_RETURN_IF_ERROR(github::RemoveLabel(api, pull.number, review.remove_label));
  }
  if (Carries(pull, review.label)) return Status::Ok();
  std::vector<github::LabelSpec> wanted;
  if (!review.label_spec.name.empty()) wanted.push_back(review.label_spec);
  if (with_hold && !review.hold_spec.name.empty()) wanted.push_back(review.hold_spec);
  if (!wanted.empty()) SLUICE_RETURN_IF_ERROR(github::EnsureLabels(api, wanted));
  return github::AddLabels(api, pull.number, {review.label});
}

Status SetValidateStatus(github::Api& api, const DataCommit& commit, const ValidationSummary& validation,
                         const std::string& run_url) {
  const auto state = validation.passed() ? github::CommitState::kSuccess : github::CommitState::kFailure;
  const std::string description =
      fmt::format("validation {}: {} errors, {} warnings", validation.status, validation.errors, validation.warnings);
  return github::SetCommitStatus(api, commit.commit_sha, state, kValidateContext, description, run_url);
}

}  // namespace

Result<std::optional<github::PullRequest>> FindPull(github::Api& api, const DataCommit& commit) {
  return github::FindOpenPull(api, commit.branch);
}

Result<PullOutcome> PublishPull(github::Api& api, const DataCommit& commit, const PrText& text, const ReviewDecision& review,
                                const std::optional<ValidationSummary>& validation, const std::string& run_url) {
  auto found = FindPull(api, commit);
  if (!found.ok()) return found.status();
  PullOutcome outcome;
  github::PullRequest pull;
  if (*found) {
    auto updated = github::UpdatePull(api, (*found)->number, text.title, text.body);
    if (!updated.ok()) return updated.status();
    pull = std::move(*updated);
    pull.labels = (*found)->labels;
  } else {
    auto created = github::CreatePull(api, commit.branch, commit.base, text.title, text.body);
    if (!created.ok() && created.status().message().find("already exists") != std::string::npos) {
      // A retried POST whose first attempt got through (a 502 after GitHub created the PR).
      auto again = FindPull(api, commit);
      if (again.ok() && *again) created = github::UpdatePull(api, (*again)->number, text.title, text.body);
    }
    if (!created.ok()) return created.status();
    pull = std::move(*created);
    outcome.created = pull.labels.empty();
  }
  outcome.number = pull.number;
  outcome.url = pull.url;
  SLUICE_RETURN_IF_ERROR(Label(api, pull, review, outcome.created));
  if (!review.reviewers.empty()) {
    // GitHub refuses a review request to the PR's author or to a non-collaborator (422); the
    // PR is still right, so this is a warning, not a failed run.
    Status asked = github::RequestReviewers(api, pull.number, review.reviewers);
    if (!asked.ok()) outcome.warnings.push_back("reviewers not requested: " + asked.message());
  }
  if (validation) SLUICE_RETURN_IF_ERROR(SetValidateStatus(api, commit, *validation, run_url));
  return outcome;
}

Result<std::vector<std::string>> RepairPull(github::Api& api, const DataCommit& commit, const github::PullRequest& pull,
                                            const ReviewDecision& review,
                                            const std::optional<ValidationSummary>& validation,
                                            const std::string& run_url) {
  std::vector<std::string> repaired;
  if (!Carries(pull, review.label) || (!review.remove_label.empty() && Carries(pull, review.remove_label))) {
    // The PR's first labelling failed: the hold label a new PR brings may be missing too.
    SLUICE_RETURN_IF_ERROR(Label(api, pull, review, true));
    repaired.push_back("label " + review.label);
  }
  if (validation) {
    auto seen = github::LatestCommitStatus(api, commit.commit_sha, kValidateContext);
    if (!seen.ok()) return seen.status();
    const char* wanted = validation->passed() ? "success" : "failure";
    if (!*seen || (*seen)->state != wanted) {
      SLUICE_RETURN_IF_ERROR(SetValidateStatus(api, commit, *validation, run_url));
      repaired.push_back(std::string("status ") + kValidateContext);
    }
  }
  return repaired;
}

std::string ForeignHeadMessage(const DataCommit& commit, const std::string& pipeline) {
  const std::string sha = commit.foreign ? commit.foreign->sha : "";
  return fmt::format("branch {} ends in commit {} (\"{}\"), which sluice did not make (it has no \"Sluice-Pipeline: {}\" "
                     "trailer), most likely a correction pushed by a reviewer. sluice-pr left the branch as it is and "
                     "did not write the new data. To go on: merge the PR if the correction is right, or close it and "
                     "delete the branch to let the next run rebuild it (see runbooks/pr-failed.md)",
                     commit.branch, sha.substr(0, 12), commit.foreign ? FirstLine(commit.foreign->message) : "",
                     pipeline);
}

Status RefuseForeignHead(github::Api& api, const DataCommit& commit, const std::string& run_url) {
  const std::string pipeline = commit.branch.substr(commit.branch.find('/') + 1);
  const std::string message = ForeignHeadMessage(commit, pipeline);
  auto pull = FindPull(api, commit);
  if (!pull.ok() || !*pull) return UnsafeError(message);
  // One comment per foreign head, however many scheduled runs meet it.
  const std::string marker = fmt::format("<!-- sluice-pr: foreign head {} -->", commit.foreign->sha);
  auto comments = github::CommentBodies(api, (*pull)->number);
  const bool said = comments.ok() && std::any_of(comments->begin(), comments->end(),
                                                 [&](const std::string& body) { return body.find(marker) != std::string::npos; });
  std::string body = fmt::format("{}\n**sluice-pr did not update this PR.** The {}.{}\n", marker, message,
                                 run_url.empty() ? "" : fmt::format("\n\nRun: {}", run_url));
  if (!said) {
    Status commented = github::Comment(api, (*pull)->number, body);
    if (!commented.ok()) return UnsafeError(message + " (the PR could not be told: " + commented.message() + ")");
  }
  return UnsafeError(fmt::format("{}; PR: {}", message, (*pull)->url));
}

}  // namespace sluice::pr
