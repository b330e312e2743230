// What a run did, decided from its run records: the event (which decides the Slack route and
// the reaction), the failure class (which decides the runbook page) and the steps in order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notify/run_log.h"

namespace sluice::notify {

// The route names of the manifest's notify.routes.
enum class Event {
  kFailure,    // a step failed: the incident channel
  kTransient,  // only a fetch failed, on network errors after its retries: a quieter channel
  kPublished,  // sluice-publish wrote to a target
  kPr,         // sluice-pr opened or updated the data PR
  kSkipped,    // skipped on purpose: paused, held, outside the window, nothing changed, dry run
  kSuccess,    // every step did its job and nothing above applies (e.g. a PR merged)
  kSla,        // the SLA watch found the production data late
};
const char* EventName(Event event);

// The failure classes, each with its page runbooks/<class>.md.
inline constexpr std::string_view kFailureClasses[] = {
    "fetch-failed",     "validation-failed", "threshold-breached", "pr-failed",
    "approval-refused", "publish-failed",    "sla-missed",         "incident-response",
};

// The class of a failed step: by tool, and for sluice-validate by whether only checks against
// the previous edition failed (counts.threshold_errors). Any other tool: incident-response.
std::string FailureClassOf(const StepRecord& step);

// How bad a failure of `step` is for readers: "production" when bad or stale data may be live (a
// publish to production that failed midway; the tool's own record says so when it can),
// "upstream" when the chain stopped before production (fetch, validation, PR, approval).
std::string SeverityOf(const StepRecord& step);

// A failed step: status failure or no (validation errors), or an exit code of 2 or more.
// sluice-approve's "no" (nothing eligible with --require) is a skip, not a failure.
bool Failed(const StepRecord& step);

struct RunOutcome {
  Event event = Event::kSuccess;
  std::string failure_class;  // for kFailure, kTransient and kSla
  std::string severity;       // the same events: "production" or "upstream" (SeverityOf)
  std::string failed_tool;
  std::string headline;       // one line: "sluice-fetch failed (exit 3)", "published", ...
  std::string detail;         // the failing step's message, or why the run was skipped
  // kPublished: "production" when a publish to production succeeded, else the target of the
  // last publish ("staging", or "" for an ad-hoc one). Only a publish to production ends a
  // production incident.
  std::string published_to;
  std::string pr_url;         // links.pr of any step
  std::string run_url;        // links.run of any step
  std::vector<StepRecord> steps;
};

// Decides the outcome of `steps` (StepsOf). `job_status` is the workflow's job.status
// ("success", "failure", "cancelled" or ""): a failed job without a failed step is a failure of
// class incident-response. `paused` is SLUICE_PAUSED.
RunOutcome DecideOutcome(std::vector<StepRecord> steps, const std::string& job_status, bool paused);

}  // namespace sluice::notify
