#include "notify/outcome.h"

#include <algorithm>

#include <fmt/format.h>

namespace sluice::notify {
namespace {

bool Is(const StepRecord& step, std::string_view tool) { return step.tool == tool; }

// A fetch that failed only because the network did, after retrying: worth knowing, not waking
// anyone for (exit 3 and at least one retry spent).
bool Transient(const StepRecord& step) {
  return Is(step, "sluice-fetch") && step.exit_code == 3 && step.Count("retries") > 0;
}

// Why a successful run did nothing on purpose, or "" when it did something.
std::string SkipReason(const std::vector<StepRecord>& steps, bool paused) {
  std::vector<std::string> reasons;
  if (paused) reasons.push_back("automation is paused (SLUICE_PAUSED)");
  bool changed = false, unchanged = false;
  for (const auto& step : steps) {
    if (Is(step, "sluice-approve")) {
      if (step.Count("paused") > 0 && !paused) reasons.push_back("automation is paused (SLUICE_PAUSED)");
      if (step.Count("outside_window") > 0) reasons.push_back("outside the publish window");
      if (step.Count("held") > 0) reasons.push_back("held by label");
      if (step.status == "no") reasons.push_back(step.message);
    }
    if (step.status == "skipped") reasons.push_back(fmt::format("{}: {}", step.tool, step.message));
    if (step.status == "unchanged") unchanged = true;
    if (step.status == "success" && !Is(step, "sluice-validate") && !Is(step, "sluice-approve")) changed = true;
  }
  if (unchanged && !changed) reasons.push_back("nothing changed");
  std::string joined;
  for (const auto& reason : reasons) {
    if (joined.find(reason) == std::string::npos) joined += (joined.empty() ? "" : "; ") + reason;
  }
  return joined;
}

}  // namespace

const char* EventName(Event event) {
  switch (event) {
    case Event::kFailure: return "failure";
    case Event::kTransient: return "transient";
    case Event::kPublished: return "published";
    case Event::kPr: return "pr";
    case Event::kSkipped: return "skipped";
    case Event::kSuccess: return "success";
    case Event::kSla: return "sla";
  }
  return "failure";
}

std::string FailureClassOf(const StepRecord& step) {
  if (Is(step, "sluice-fetch")) return "fetch-failed";
  if (Is(step, "sluice-validate")) {
    std::int64_t thresholds = step.Count("threshold_errors");
    return step.status == "no" && thresholds > 0 && thresholds == step.Count("errors") ? "threshold-breached"
                                                                                        : "validation-failed";
  }
  if (Is(step, "sluice-pr")) return "pr-failed";
  if (Is(step, "sluice-approve")) return "approval-refused";
  if (Is(step, "sluice-publish")) return "publish-failed";
  return "incident-response";
}

std::string SeverityOf(const StepRecord& step) {
  if (step.severity == "production" || step.severity == "upstream") return step.severity;
  return Is(step, "sluice-publish") ? "production" : "upstream";
}

bool Failed(const StepRecord& step) {
  if (Is(step, "sluice-approve") && step.exit_code < 2) return false;
  return step.status == "failure" || step.status == "no" || step.exit_code >= 2;
}

RunOutcome DecideOutcome(std::vector<StepRecord> steps, const std::string& job_status, bool paused) {
  RunOutcome outcome;
  for (const auto& step : steps) {
    if (auto pr = step.links.find("pr"); pr != step.links.end() && outcome.pr_url.empty()) outcome.pr_url = pr->second;
    if (auto run = step.links.find("run"); run != step.links.end() && outcome.run_url.empty()) outcome.run_url = run->second;
  }
  const StepRecord* failed = nullptr;
  bool only_transient = true;
  for (const auto& step : steps) {
    if (!Failed(step)) continue;
    if (failed == nullptr) failed = &step;
    only_transient = only_transient && Transient(step);
  }
  const StepRecord* published = nullptr;
  const StepRecord* pr = nullptr;
  for (const auto& step : steps) {
    if (Is(step, "sluice-publish") && step.status == "success") {
      published = &step;
      if (outcome.published_to != "production") outcome.published_to = step.target;
    }
    if (Is(step, "sluice-pr") && step.status == "success") pr = &step;
  }
  if (failed != nullptr) {
    outcome.event = only_transient ? Event::kTransient : Event::kFailure;
    outcome.failure_class = FailureClassOf(*failed);
    outcome.severity = SeverityOf(*failed);
    outcome.failed_tool = failed->tool;
    outcome.headline = failed->status == "no" ? fmt::format("{} said no (exit {})", failed->tool, failed->exit_code)
                                              : fmt::format("{} failed (exit {})", failed->tool, failed->exit_code);
    if (outcome.event == Event::kTransient) outcome.headline += ": network errors after retries";
    outcome.detail = failed->message;
  } else if (job_status == "failure" || job_status == "cancelled") {
    outcome.event = Event::kFailure;
    outcome.failure_class = "incident-response";
    // Outside sluice's steps nobody can tell what reached readers: after a publish, assume it did.
    bool publishing = std::any_of(steps.begin(), steps.end(), [](const StepRecord& s) { return Is(s, "sluice-publish"); });
    outcome.severity = publishing ? "production" : "upstream";
    outcome.headline = fmt::format("the job ended with status {} outside sluice's steps", job_status);
    outcome.detail = "no sluice step recorded a failure: read the job's log from the run link";
  } else if (published != nullptr) {
    outcome.event = Event::kPublished;
    outcome.headline = "published";
    outcome.detail = published->message;
  } else if (pr != nullptr) {
    outcome.event = Event::kPr;
    outcome.headline = "data PR ready for review";
    outcome.detail = pr->message;
  } else if (std::string reason = SkipReason(steps, paused); !reason.empty()) {
    outcome.event = Event::kSkipped;
    outcome.headline = "skipped";
    outcome.detail = reason;
  } else {
    outcome.event = Event::kSuccess;
    outcome.headline = "succeeded";
    outcome.detail = steps.empty() ? "" : steps.back().message;
  }
  outcome.steps = std::move(steps);
  return outcome;
}

}  // namespace sluice::notify
