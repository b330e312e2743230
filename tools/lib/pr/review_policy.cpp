#include "pr/review_policy.h"

#include <fmt/format.h>

#include "github/names.h"
#include "json/json.h"

namespace sluice::pr {
namespace {

int IntOr(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* value = json::Member(object, name);
  return value != nullptr && value->IsInt() ? value->GetInt() : 0;
}

}  // namespace

Result<ValidationSummary> ReadValidationReport(const std::filesystem::path& file) {
  auto document = json::ParseFile(file);
  if (!document.ok()) return document.status();
  if (!document->IsObject() || json::Member(*document, "status") == nullptr) {
    return InputError(fmt::format("{}: not a sluice-validate report (write one with sluice-validate --json)", file.string()));
  }
  ValidationSummary summary;
  summary.status = json::StringOr(*document, "status");
  summary.errors = IntOr(*document, "errors");
  summary.warnings = IntOr(*document, "warnings");
  const rapidjson::Value* outputs = json::Member(*document, "outputs");
  if (outputs == nullptr || !outputs->IsArray()) return summary;
  for (const auto& output : outputs->GetArray()) {
    const rapidjson::Value* checks = output.IsObject() ? json::Member(output, "checks") : nullptr;
    if (checks == nullptr || !checks->IsArray()) continue;
    for (const auto& check : checks->GetArray()) {
      if (!check.IsObject()) continue;
      const std::string status = json::StringOr(check, "status");
      if (status == "failed" || status == "warning" || status == "allowed") {
        summary.failed_checks.push_back(fmt::format("{} ({}): {}", json::StringOr(check, "id"), status,
                                                    json::StringOr(check, "summary")));
      }
    }
  }
  return summary;
}

github::LabelSpec LabelSpecFor(const ReviewPolicy& policy, const std::string& name) {
  if (github::SameLabel(name, policy.auto_approve_label)) {
    return {name, "0e8a16", "sluice: merged and published at the pipeline's next publish window, unless held"};
  }
  if (github::SameLabel(name, policy.needs_review_label)) {
    return {name, "fbca04", "sluice: checks warned or review is manual; merged only after an owner approves"};
  }
  if (github::SameLabel(name, policy.hold_label)) {
    return {name, "b60205", "sluice: never merged automatically while this label is on; remove it to resume"};
  }
  return {name, "ededed", "sluice"};
}

ReviewDecision DecideReview(const ReviewPolicy& policy, const std::optional<ValidationSummary>& validation) {
  ReviewDecision decision;
  const bool clean = validation && validation->passed() && validation->warnings == 0;
  if (policy.review == "auto" && clean) {
    decision.label = policy.auto_approve_label;
    decision.remove_label = policy.needs_review_label;
    decision.reason = "review policy auto and validation passed without warnings: merged at the next publish window";
    decision.label_spec = LabelSpecFor(policy, decision.label);
    decision.hold_spec = LabelSpecFor(policy, policy.hold_label);
    return decision;
  }
  decision.label = policy.needs_review_label;
  decision.remove_label = policy.auto_approve_label;
  decision.reviewers = policy.owners;
  if (policy.review != "auto") decision.reason = "review policy manual: an owner approves every data PR";
  else if (!validation) decision.reason = "no validation report was given: auto-approval withheld";
  else if (!validation->passed()) decision.reason = "validation failed: auto-approval withheld";
  else decision.reason = fmt::format("{} validation warning{}: auto-approval withheld", validation->warnings,
                                     validation->warnings == 1 ? "" : "s");
  decision.label_spec = LabelSpecFor(policy, decision.label);
  decision.hold_spec = LabelSpecFor(policy, policy.hold_label);
  return decision;
}

}  // namespace sluice::pr
