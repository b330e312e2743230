// One notice: an outcome (a run's, or the SLA watch's for one pipeline) posted where its route
// says. With the Web API: one top post per run, a reply per step in its thread, a reaction for
// the outcome; the same error within an hour replies in its first thread instead; the owners
// are mentioned, the secondary too after consecutive failures. With a webhook: one message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "notify/compose.h"
#include "notify/incident_tracker.h"
#include "notify/outcome.h"
#include "notify/routes.h"
#include "notify/slack.h"
#include "notify/thread_state.h"
#include "pipeline/manifest.h"

namespace sluice::notify {

struct NoticeRequest {
  const pipeline::Manifest* manifest = nullptr;
  RunOutcome outcome;
  Links links;
  std::string run_id;  // identifies the run in the state file
  Time now;
  bool dry_run = false;
  // What production holds now, for the incident issue (read only for a failure with the issue on).
  std::optional<LiveStatus> live;
};

struct Post {
  std::string kind;         // top, reply, repeat, reaction, webhook
  std::string destination;  // Destination::Describe()
  std::string thread_ts;    // "" for a top post
  std::string payload;      // the JSON body (it holds no secret)
  std::string ts;           // Slack's answer; "" for a dry run, a webhook or a reaction
};

struct Notice {
  std::string pipeline;
  Event event = Event::kSuccess;
  std::string failure_class;
  std::string severity;     // RunOutcome::severity
  std::string headline;
  std::string route;        // "" when the event has no route: nothing is posted
  std::string destination;  // Destination::Describe()
  std::vector<std::string> mentions;
  int consecutive_failures = 0;
  bool escalated = false;   // the secondary owner is mentioned
  std::string on_call;      // why those mentioned are on call now (OnCallAnswer::why); "" without "oncall"
  bool grouped = false;     // replied in the thread of the same error's first post
  std::string channel;
  std::string thread_ts;
  std::vector<Post> posts;
  Status sent;              // why posting failed; posts before the failure stay listed
  // The incident issue (notify.incident_issue): what was done to it, and a problem GitHub caused,
  // which is a warning (the Slack post went out regardless) whose kind decides the exit code.
  IncidentIssueAction incident;
};

// Posts (or, for a dry run, only builds) the notice and updates `state`. `sender` may be null
// for a dry run. A failure also escalates an overdue incident (EscalateOverdue). With a
// `tracker` (notify.incident_issue on), a failure or late data (the SLA watch's) opens or
// comments on the incident issue and a run that did its job closes it, before the Slack post,
// which links the issue; a dry run leaves GitHub alone.
Notice Announce(const NoticeRequest& request, const NotifyConfig& config, const Environment& env, SlackSender* sender,
                ThreadState& state, IncidentTracker* tracker = nullptr);

// The pipeline's incident, open for owners.escalate_after_hours without the secondary owner told:
// a reply in the incident's first thread mentioning the secondary owner ("still failing after
// 5.2 h"), once per incident. The next failing run and the SLA watch ask. Nothing posted (no
// posts in the notice) when nothing is due. `request.outcome` is not read.
Notice EscalateOverdue(const NoticeRequest& request, const NotifyConfig& config, const Environment& env,
                       SlackSender* sender, ThreadState& state);
// The SLA watch found production fresh again after it had announced the late data (`history`:
// the pipeline's "<name>#sla" record, which the caller forgets afterwards): one reply in the
// late data's first thread saying so, with the incident issue closed (`incident`), and that
// thread's top post marked resolved; without a thread (a webhook, or none known), one message.
// Routed as the late data was. `request.outcome` says what mended it (event kPublished).
Notice AnnounceFreshAgain(const NoticeRequest& request, const NotifyConfig& config, const Environment& env,
                          SlackSender* sender, const PipelineHistory& history, const IncidentIssueAction& incident);

}  // namespace sluice::notify
