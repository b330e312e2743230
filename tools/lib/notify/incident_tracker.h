// The incident issue on GitHub: opened on a pipeline's failure, commented on while it keeps
// failing, commented on and closed by the next run that does its job. The state file keeps the
// issue's number; without it the open issue is found by its label and marker. GitHub's refusals
// come back as a problem, never as an error that would stop the Slack post.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "github/api.h"
#include "github/issues.h"
#include "notify/incident_issue.h"
#include "notify/thread_state.h"
#include "pipeline/manifest.h"

namespace sluice::notify {

struct IncidentIssueAction {
  std::string action;  // opened, commented, closed; "" when nothing was written (known already in this run)
  int number = 0;
  std::string url;
  Status problem;  // GitHub refused or failed: told as a warning, the Slack post goes out anyway
};

// _sluice/status.json at the manifest's publish.production, read through storage (as the SLA
// watch reads it). Never fails: what went wrong is in `problem`.
LiveStatus ReadLiveStatus(const pipeline::Manifest& manifest, const std::filesystem::path& workspace,
                          const Environment& env);

class IncidentTracker {
 public:
  // `api` null: no token or repository, and `missing` says what to set.
  IncidentTracker(std::unique_ptr<github::Api> api, Status missing, IncidentIssueConfig config);

  const IncidentIssueConfig& config() const { return config_; }

  // A failure: comments on the pipeline's open incident issue (the state's, unless someone closed
  // it; else the open one carrying its marker), else opens one with kIncidentLabel (created if
  // the repository lacks it), the configured labels and assignees and `on_call` logins. Late data
  // (Event::kSla, the watch's `history` under "<pipeline>#sla") comments once, not at every watch.
  IncidentIssueAction Failed(const IncidentFacts& facts, const std::vector<std::string>& on_call, PipelineHistory& history);

  // A run that did its job: comments and closes the open incident issue (state_reason completed);
  // a production incident only when the run published to production (RunOutcome::published_to).
  // `history` is null when the state file knows nothing of the pipeline (lost or new): then the
  // open issue is looked up by its marker.
  IncidentIssueAction Resolved(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                               const std::string& run_id, const PipelineHistory* history);

  int requests() const { return api_ ? api_->requests() : 0; }

 private:
  Result<std::optional<github::Issue>> FindOpen(const std::string& pipeline, int known);

  std::unique_ptr<github::Api> api_;
  Status missing_;
  IncidentIssueConfig config_;
};

}  // namespace sluice::notify
