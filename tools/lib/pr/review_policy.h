// Who must look at a data PR, by the pipeline's policy (DESIGN.md, Labels): sluice:auto-approve
// for an `auto` pipeline whose validation passed without warnings, else sluice:needs-review with
// the owners asked to review. The validation result also becomes the sluice/validate status.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "github/pulls.h"

namespace sluice::pr {

// What sluice-pr needs of sluice-validate's JSON report (schemas/validation-report.schema.json).
struct ValidationSummary {
  std::string status;  // "passed", "warnings" or "failed"
  int errors = 0;
  int warnings = 0;
  std::vector<std::string> failed_checks;  // "<id>: <summary>" of checks that failed or warned
  bool passed() const { return status != "failed" && errors == 0; }
};

Result<ValidationSummary> ReadValidationReport(const std::filesystem::path& file);

struct ReviewPolicy {
  std::string review = "manual";  // the manifest's "auto" or "manual"
  std::vector<std::string> owners;  // GitHub logins, primary first
  std::string auto_approve_label = "sluice:auto-approve";
  std::string needs_review_label = "sluice:needs-review";
  std::string hold_label = "sluice:hold";
};

// sluice's labels with the colour and description sluice-pr creates them with in a repository
// that lacks them: the one it applies, and the hold label a responder looks for.
github::LabelSpec LabelSpecFor(const ReviewPolicy& policy, const std::string& name);

struct ReviewDecision {
  std::string label;         // to add
  std::string remove_label;  // the other one, if the PR carries it from an earlier run
  std::vector<std::string> reviewers;  // empty for auto-approval
  std::string reason;        // one sentence for the PR body and the report
  github::LabelSpec label_spec;  // `label` as it is created where the repository lacks it
  github::LabelSpec hold_spec;   // the hold label, created with a new PR so responders find it
};

// Without a validation report nothing is known to have passed, so nothing is auto-approved.
ReviewDecision DecideReview(const ReviewPolicy& policy, const std::optional<ValidationSummary>& validation);

}  // namespace sluice::pr
