#include "notify/incident_tracker.h"

#include <algorithm>

#include <fmt/format.h>

#include "github/issues.h"
#include "github/names.h"
#include "github/pulls.h"
#include "json/json.h"
#include "storage/backend.h"

namespace sluice::notify {
namespace {

constexpr const char* kStatusKey = "_sluice/status.json";  // publish/publisher.cpp writes it

// The label as sluice creates it when the repository lacks it (like sluice-pr's labels).
const github::LabelSpec kIncidentLabelSpec{kIncidentLabel, "b60205",
                                           "An open sluice incident: a pipeline is failing (sluice-notify opens and closes it)"};

// What GitHub refused, said as the incident issue's: a refused token (401, 403, 404: a
// ConfigError) names the permission the whole feature needs, whichever call met the refusal first
// (listing takes issues: read, the rest issues: write: docs.github.com, "Permissions required for
// GitHub Apps", Issues).
Status Problem(const Status& status, const char* doing) {
  std::string need = status.kind() == ErrorKind::kConfig
                         ? "; the incident issue needs `issues: write` in the workflow's `permissions:` (runbooks/github-settings.md)"
                         : "";
  return Status(status.kind(), fmt::format("the incident issue could not be {} (the Slack post goes out regardless): {}{}",
                                           doing, status.message(), need));
}

std::vector<std::string> Unique(std::vector<std::string> logins) {
  std::vector<std::string> out;
  for (auto& login : logins) {
    bool seen = std::any_of(out.begin(), out.end(), [&](const std::string& l) { return github::SameLogin(l, login); });
    if (!seen && !login.empty()) out.push_back(std::move(login));
  }
  if (out.size() > 10) out.resize(10);  // GitHub assigns at most 10 people to an issue
  return out;
}

}  // namespace

LiveStatus ReadLiveStatus(const pipeline::Manifest& manifest, const std::filesystem::path& workspace,
                          const Environment& env) {
  LiveStatus live;
  live.where = manifest.production_target + "/" + kStatusKey;
  auto url = storage::ParseStorageUrl(manifest.production_target, workspace);
  if (!url.ok()) {
    live.problem = url.status().message();
    return live;
  }
  auto backend = storage::OpenBackend(*url, env);
  if (!backend.ok()) {
    live.problem = backend.status().message();
    return live;
  }
  auto object = (*backend)->Get(kStatusKey);
  if (!object.ok()) {
    live.problem = object.status().message();
    return live;
  }
  if (!object->has_value()) return live;
  live.text = (*object)->bytes;
  while (!live.text.empty() && (live.text.back() == '\n' || live.text.back() == '\r')) live.text.pop_back();
  auto status = json::Parse(live.text, live.where);
  if (status.ok() && status->IsObject()) live.commit = json::StringOr(*status, "commit");
  return live;
}

IncidentTracker::IncidentTracker(std::unique_ptr<github::Api> api, Status missing, IncidentIssueConfig config)
    : api_(std::move(api)), missing_(std::move(missing)), config_(std::move(config)) {}

Result<std::optional<github::Issue>> IncidentTracker::FindOpen(const std::string& pipeline, int known) {
  if (known > 0) {
    auto reply = api_->Get(api_->RepoPath(fmt::format("/issues/{}", known)), {404, 410});
    if (!reply.ok()) return reply.status();
    if (reply->status == 200) {
      auto issue = github::IssueOfReply(*reply, "GET issue");
      if (!issue.ok()) return issue.status();
      if (issue->state == "open") return std::optional<github::Issue>(*issue);
    }
    // Closed by a person (or deleted): this failure is a new incident unless another is open.
  }
  auto open = github::OpenIssuesLabelled(*api_, {kIncidentLabel});
  if (!open.ok()) return open.status();
  for (auto& issue : *open) {
    if (HasIncidentMarker(issue.body, pipeline)) return std::optional<github::Issue>(std::move(issue));
  }
  return std::optional<github::Issue>();
}

IncidentIssueAction IncidentTracker::Failed(const IncidentFacts& facts, const std::vector<std::string>& on_call,
                                            PipelineHistory& history) {
  IncidentIssueAction done;
  if (history.incident_issue > 0 && history.incident_issue_run == facts.run_id) {
    done.number = history.incident_issue;  // notify ran before in this run: the issue has heard of it
    done.url = history.incident_issue_url;
    return done;
  }
  if (!api_) {
    done.problem = Problem(missing_, "opened");
    return done;
  }
  auto found = FindOpen(facts.pipeline, history.incident_issue);
  if (!found.ok()) {
    done.problem = Problem(found.status(), "opened");
    return done;
  }
  if (found->has_value()) {
    const github::Issue& issue = **found;
    // The SLA watch runs often while production stays late: the issue heard of the lateness when
    // the watch opened (or joined) it, and hears more from runs, not from every watch.
    if (facts.outcome.event == Event::kSla && issue.number == history.incident_issue) {
      done.number = issue.number;
      done.url = issue.url;
      return done;
    }
    if (Status commented = github::Comment(*api_, issue.number, RepeatComment(facts)); !commented.ok()) {
      done.problem = Problem(commented, "commented on");
    } else {
      done.action = "commented";
    }
    done.number = issue.number;
    done.url = issue.url;
  } else {
    if (Status labelled = github::EnsureLabels(*api_, {kIncidentLabelSpec}); !labelled.ok()) {
      done.problem = Problem(labelled, "opened");
      return done;
    }
    github::NewIssue issue{IncidentTitle(facts), IncidentBody(facts), {kIncidentLabel}, config_.assignees};
    issue.labels.insert(issue.labels.end(), config_.labels.begin(), config_.labels.end());
    if (config_.assign_on_call) issue.assignees.insert(issue.assignees.end(), on_call.begin(), on_call.end());
    issue.assignees = Unique(std::move(issue.assignees));
    auto created = github::CreateIssue(*api_, issue);
    if (!created.ok()) {
      done.problem = Problem(created.status(), "opened");
      return done;
    }
    done.action = "opened";
    done.number = created->number;
    done.url = created->url;
  }
  history.incident_issue = done.number;
  history.incident_issue_url = done.url;
  if (done.problem.ok()) history.incident_issue_run = facts.run_id;
  return done;
}

IncidentIssueAction IncidentTracker::Resolved(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                                              const std::string& run_id, const PipelineHistory* history) {
  IncidentIssueAction done;
  if (history != nullptr && history->incident_issue == 0) return done;  // no incident known: nothing to ask GitHub
  if (!api_) {
    if (history != nullptr) done.problem = Problem(missing_, "closed");  // lost state without a token: nothing known
    return done;
  }
  auto found = FindOpen(pipeline, history != nullptr ? history->incident_issue : 0);
  if (!found.ok()) {
    done.problem = Problem(found.status(), "closed");
    return done;
  }
  if (!found->has_value()) return done;  // closed already (by a person): nothing to do
  const github::Issue& issue = **found;
  done.number = issue.number;
  done.url = issue.url;
  // Production stays as the failure left it until a publish to production succeeds: a data PR, a
  // publish to staging, or any other run upstream leaves a production incident open (and the post
  // links it).
  if (IsProductionIncident(issue.title, pipeline) &&
      (outcome.event != Event::kPublished || outcome.published_to != "production")) {
    return done;
  }
  if (Status commented = github::Comment(*api_, issue.number, ResolvedComment(pipeline, outcome, links, run_id));
      !commented.ok()) {
    done.problem = Problem(commented, "closed");
    return done;
  }
  if (Status closed = github::CloseIssue(*api_, issue.number, "completed"); !closed.ok()) {
    done.problem = Problem(closed, "closed");
    return done;
  }
  done.action = "closed";
  return done;
}

}  // namespace sluice::notify
