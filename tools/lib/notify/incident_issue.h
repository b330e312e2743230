// The incident issue (manifest notify.incident_issue): one GitHub issue per incident, labelled
// sluice:incident, with what a responder needs on one page. Its words are pure functions of the
// facts gathered elsewhere (notify/incident_tracker.h talks to GitHub).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "notify/compose.h"
#include "notify/outcome.h"
#include "notify/thread_state.h"
#include "pipeline/manifest.h"

namespace sluice::notify {

// The label every incident issue carries (README, Labels); case does not matter to GitHub.
inline constexpr const char* kIncidentLabel = "sluice:incident";
// GitHub refuses an issue body or comment over 65,536 characters with 422 (DESIGN.md).
inline constexpr std::size_t kMaxIssueBody = 65'536;
// The findings an issue lists: the first few; the run's report has them all.
inline constexpr std::size_t kMaxIssueFindings = 5;

struct IncidentIssueConfig {
  bool enabled = false;
  std::vector<std::string> labels;     // besides kIncidentLabel
  std::vector<std::string> assignees;  // GitHub logins
  bool assign_on_call = true;
};

// notify.incident_issue of a validated manifest: absent or false is off, true the defaults.
IncidentIssueConfig ReadIncidentIssueConfig(const pipeline::Manifest& manifest);

// What production holds now: _sluice/status.json at publish.production, as read.
struct LiveStatus {
  std::string where;   // "file:///srv/cases/_sluice/status.json"
  std::string text;    // the file, pretty as it was written; "" when it could not be read
  std::string commit;  // its "commit": the last good data, what a rollback republishes
  std::string problem; // why it could not be read; "" when it was
};

struct IncidentFacts {
  std::string pipeline;
  std::string manifest;  // as the command named it, for the rollback command: pipelines/cases.json
  RunOutcome outcome;
  Links links;
  std::string run_id;
  std::string failing_since;  // ISO-8601 UTC
  int consecutive_failures = 1;
  std::string on_call;                // who was mentioned and why (Slack's words), "" without
  std::optional<LiveStatus> live;     // none: the manifest names no production target
};

// The hidden marker in the body that tells sluice-notify the issue is this pipeline's incident
// when the state file is lost: <!-- sluice:incident pipeline=cases -->.
std::string IncidentMarker(const std::string& pipeline);
bool HasIncidentMarker(const std::string& body, const std::string& pipeline);

// "cases: production incident: sluice-publish failed (exit 3)".
std::string IncidentTitle(const IncidentFacts& facts);
// Whether an issue of that title is a production incident: only a run that published closes it.
bool IsProductionIncident(const std::string& title, const std::string& pipeline);
// The issue's Markdown body, within kMaxIssueBody.
std::string IncidentBody(const IncidentFacts& facts);
// "sluice-publish pipelines/cases.json --target production --ref <commit> --yes" for a production
// incident whose last good commit is known; "" otherwise, and for late data (the SLA watch's),
// which a rollback would not make fresh.
std::string RollbackCommand(const IncidentFacts& facts);
// A repeat failure of the open incident (same error or another), as a comment.
std::string RepeatComment(const IncidentFacts& facts);
// The run that did its job: "Resolved by run ..." before closing.
std::string ResolvedComment(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                            const std::string& run_id);

}  // namespace sluice::notify
