// The words of sluice-notify's messages: the run's top post, one reply per step, the reply
// that joins a repeated error to its earlier thread, and the SLA watch's notice.
#pragma once

#include <string>
#include <vector>

#include "notify/message.h"
#include "notify/oncall.h"
#include "notify/outcome.h"
#include "pipeline/manifest.h"

namespace sluice::notify {

struct Links {
  std::string run;      // the Actions run
  std::string pr;       // the data PR
  std::string runbook;  // the page of the failure class
  std::string pipeline_runbook;  // the manifest's runbook, when it names one
  std::string incident;  // the incident issue on GitHub (notify.incident_issue), when there is one
  int incident_number = 0;
};

// "<@U012AB3CD>" for a member, "<!subteam^S012AB3CD>" for a user group, "" without a Slack id.
std::string Mention(const pipeline::Owner& owner);

// Who a post calls on, and why.
struct Attention {
  std::vector<std::string> mentions;
  bool escalated = false;  // the secondary owner is among them
  std::string on_call;     // why these responders (OnCallAnswer::why); "" without an on-call set-up
};

// Whom to mention: for failures and late data, whoever is on call (`on_call`, when the manifest
// has an on-call set-up), else the primary owner; the secondary too when `escalate`; for
// transient errors nobody unless `escalate`; for other events nobody. With an on-call set-up an
// upstream failure (`severity`) outside business hours mentions nobody unless its page_upstream
// is "always": production is untouched, and it waits for the morning (the post says so).
Attention AttentionFor(const pipeline::Manifest& manifest, Event event, bool escalate, const OnCallAnswer* on_call,
                       const std::string& severity = "");

// The emoji name of the reaction on the top post for `event` (white_check_mark, x, ...).
std::string ReactionFor(Event event);

SlackMessage TopMessage(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                        const Attention& attention);
SlackMessage StepMessage(const StepRecord& step);
// Into the thread of the same error's first post: "again in run ...", with the mentions.
SlackMessage RepeatMessage(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                           const Attention& attention, int repeats);
// The SLA watch's word that production is fresh again (outcome: what mended it), into the late
// data's thread; `incident_closed`: the incident issue in `links` was closed just now.
SlackMessage FreshAgainMessage(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                               bool incident_closed);
// A webhook has no threads: the top message with every step as a section.
SlackMessage WebhookMessage(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                            const Attention& attention);

}  // namespace sluice::notify
