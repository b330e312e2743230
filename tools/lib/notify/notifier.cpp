#include "notify/notifier.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "core/clock.h"
#include "notify/fingerprint.h"

namespace sluice::notify {
namespace {

Attention AttentionOf(const Notice& notice) { return Attention{notice.mentions, notice.escalated, notice.on_call}; }

bool Failing(Event event) { return event == Event::kFailure || event == Event::kTransient || event == Event::kSla; }

// Counts this run once in the pipeline's history; returns the consecutive failures so far. The
// first failure opens an incident, a run that did its job closes it.
int CountRun(ThreadState& state, const std::string& key, const std::string& run_id, Event event, Time now) {
  PipelineHistory& history = state.pipelines[key];
  if (history.last_counted_run != run_id) {
    if (Failing(event)) {
      if (++history.consecutive_failures == 1 || !history.failing_since) {
        history.failing_since = now;
        history.incident_channel.clear();
        history.incident_ts.clear();
        history.escalated = false;
      }
    } else if (event != Event::kSkipped) {  // a skipped run proves nothing
      history = PipelineHistory{};
      history.last_counted_run = run_id;
    }
    history.last_counted_run = run_id;
  }
  return history.consecutive_failures;
}

// A run that did its job closes the incident; a skipped run proves nothing, a transient error
// neither way.
bool Resolves(Event event) { return event == Event::kSuccess || event == Event::kPublished || event == Event::kPr; }

// The facts of a failure for its incident issue, and who is assigned: the people the on-call
// set-up answers with, when the post mentions them (without a set-up, nobody by this rule).
IncidentIssueAction FileIncident(IncidentTracker& tracker, const NoticeRequest& request, const Notice& notice,
                                 const OnCallAnswer* on_call, PipelineHistory& history) {
  IncidentFacts facts;
  facts.pipeline = notice.pipeline;
  facts.manifest = request.manifest->display_path.empty() ? request.manifest->path.string() : request.manifest->display_path;
  facts.outcome = request.outcome;
  facts.links = request.links;
  facts.run_id = request.run_id;
  facts.failing_since = FormatUtc(history.failing_since.value_or(request.now));
  facts.consecutive_failures = std::max(1, history.consecutive_failures);
  facts.on_call = notice.on_call;
  facts.live = request.live;
  std::vector<std::string> logins;
  if (!notice.mentions.empty() && on_call != nullptr && !on_call->fallback) {
    for (const auto& person : on_call->people) logins.push_back(person.github);
  }
  return tracker.Failed(facts, logins, history);
}

std::string Hours(std::chrono::system_clock::duration open) {
  return fmt::format("{:.1f} h", std::chrono::duration<double, std::ratio<3600>>(open).count());
}

class Poster {
 public:
  Poster(const NoticeRequest& request, const Destination& destination, SlackSender* sender, Notice& notice)
      : request_(request), destination_(destination), sender_(sender), notice_(notice) {}

  // Posts to `channel` (in `thread` when not empty); returns the post's channel and ts.
  Result<PostedMessage> Message(const std::string& kind, const std::string& channel, const std::string& thread,
                                const SlackMessage& message) {
    Post post{kind, destination_.Describe(), thread, PayloadJson(message, channel, thread), ""};
    PostedMessage posted{channel, request_.dry_run ? "(dry run)" : ""};
    if (!request_.dry_run) {
      auto answer = sender_->PostMessage(channel, message, thread);
      if (!answer.ok()) return answer.status();
      posted = *answer;
      post.ts = posted.ts;
    }
    notice_.posts.push_back(std::move(post));
    return posted;
  }

  Status Reaction(const std::string& channel, const std::string& ts, const std::string& name) {
    notice_.posts.push_back({"reaction", destination_.Describe(), ts, fmt::format(R"({{"name":"{}"}})", name), ""});
    return request_.dry_run ? Status::Ok() : sender_->AddReaction(channel, ts, name);
  }

  Status Webhook(const SlackMessage& message) {
    notice_.posts.push_back({"webhook", destination_.Describe(), "", PayloadJson(message, "", ""), ""});
    return request_.dry_run ? Status::Ok() : sender_->PostWebhook(destination_.webhook_env, destination_.webhook_url, message);
  }

 private:
  const NoticeRequest& request_;
  const Destination& destination_;
  SlackSender* sender_;
  Notice& notice_;
};

Status PostThreaded(const NoticeRequest& request, const Destination& destination, Poster& poster, ThreadState& state,
                    Notice& notice) {
  const RunOutcome& outcome = request.outcome;
  const std::string& pipeline = request.manifest->name;
  std::size_t first_step = 0;
  std::string channel = destination.channel;
  std::string thread;
  if (RunThread* run = state.FindRun(pipeline, request.run_id)) {
    // notify ran before in this run: its thread takes the rest; a failure now is said there.
    channel = run->channel;
    thread = run->ts;
    first_step = static_cast<std::size_t>(run->steps_posted);
    if (Failing(outcome.event)) {
      auto posted = poster.Message("reply", channel, thread, TopMessage(pipeline, outcome, request.links, AttentionOf(notice)));
      if (!posted.ok()) return posted.status();
    }
  } else if (ErrorThread* earlier = Failing(outcome.event) ? state.FindError(ErrorFingerprint(pipeline, outcome.failure_class,
                                                                                              outcome.detail), request.now)
                                                           : nullptr) {
    channel = earlier->channel;
    thread = earlier->ts;
    notice.grouped = true;
    auto posted = poster.Message("repeat", channel, thread,
                                 RepeatMessage(pipeline, outcome, request.links, AttentionOf(notice), earlier->repeats + 1));
    if (!posted.ok()) return posted.status();
    ++earlier->repeats;
  } else {
    auto posted = poster.Message("top", channel, "", TopMessage(pipeline, outcome, request.links, AttentionOf(notice)));
    if (!posted.ok()) return posted.status();
    channel = posted->channel;
    thread = posted->ts;
    if (Failing(outcome.event) && !request.dry_run) {
      state.errors.push_back({ErrorFingerprint(pipeline, outcome.failure_class, outcome.detail), channel, thread, request.now, 0});
    }
  }
  notice.channel = channel;
  notice.thread_ts = thread;
  if (!request.dry_run) {
    if (RunThread* run = state.FindRun(pipeline, request.run_id)) run->steps_posted = static_cast<int>(first_step);
    else state.runs.push_back({pipeline, request.run_id, channel, thread, 0, request.now});
  }
  for (std::size_t i = first_step; i < outcome.steps.size(); ++i) {
    auto posted = poster.Message("reply", channel, thread, StepMessage(outcome.steps[i]));
    if (!posted.ok()) return posted.status();
    if (RunThread* run = state.FindRun(pipeline, request.run_id)) run->steps_posted = static_cast<int>(i + 1);
  }
  return poster.Reaction(channel, thread, ReactionFor(outcome.event));
}

// Where `event` (of `severity`) is posted, noted in `notice`: its route and destination, or in
// `notice.sent` why the destination could not be resolved. nullopt when nothing is to be posted.
std::optional<Destination> DestinationFor(const NotifyConfig& config, Event event, const std::string& severity,
                                          const Environment& env, bool dry_run, Notice& notice) {
  auto route = RouteFor(config, event, severity);
  if (!route) return std::nullopt;
  notice.route = route->name;
  auto destination = ResolveDestination(*route, env, dry_run);
  if (!destination.ok()) {
    notice.sent = destination.status();
    return std::nullopt;
  }
  notice.destination = destination->Describe();
  return std::move(destination).value();
}

}  // namespace

Notice Announce(const NoticeRequest& plain_request, const NotifyConfig& config, const Environment& env, SlackSender* sender,
                ThreadState& state, IncidentTracker* tracker) {
  NoticeRequest request = plain_request;  // its links gain the incident issue's
  const RunOutcome& outcome = request.outcome;
  Notice notice;
  notice.pipeline = request.manifest->name;
  notice.event = outcome.event;
  notice.failure_class = outcome.failure_class;
  notice.severity = outcome.severity;
  notice.headline = outcome.headline;
  std::string key = notice.pipeline + (outcome.event == Event::kSla ? "#sla" : "");
  if (tracker != nullptr && !request.dry_run && Resolves(outcome.event)) {
    auto known = state.pipelines.find(key);  // before the run is counted, which forgets the incident
    notice.incident = tracker->Resolved(notice.pipeline, outcome, request.links, request.run_id,
                                        known == state.pipelines.end() ? nullptr : &known->second);
  }
  notice.consecutive_failures = request.dry_run ? state.pipelines[key].consecutive_failures + Failing(outcome.event)
                                                : CountRun(state, key, request.run_id, outcome.event, request.now);
  if (Resolves(outcome.event) && notice.incident.number > 0 && notice.incident.action != "closed") {
    // Counting the run forgot the incident, but its issue is still open (a production incident a
    // data PR did not mend, or GitHub refused to close it): the next good run tries again.
    PipelineHistory& history = state.pipelines[key];
    history.incident_issue = notice.incident.number;
    history.incident_issue_url = notice.incident.url;
  }
  // With escalate_after_hours the secondary owner is told once, by time (EscalateOverdue), not by count.
  bool escalate = Failing(outcome.event) && notice.consecutive_failures >= 2 && !request.manifest->escalate_after_hours;
  std::optional<OnCallAnswer> on_call;
  if (request.manifest->oncall) {
    auto answer = WhoIsOnCall(*request.manifest, request.now);  // fails only for a zone the loader accepted
    if (answer.ok()) on_call = std::move(answer).value();
  }
  Attention attention =
      AttentionFor(*request.manifest, outcome.event, escalate, on_call ? &*on_call : nullptr, outcome.severity);
  notice.mentions = attention.mentions;
  notice.escalated = attention.escalated;  // false when there is nobody to escalate to
  notice.on_call = attention.on_call;
  if (tracker != nullptr && !request.dry_run && (outcome.event == Event::kFailure || outcome.event == Event::kSla)) {
    notice.incident = FileIncident(*tracker, request, notice, on_call ? &*on_call : nullptr, state.pipelines[key]);
  }
  if (!notice.incident.url.empty()) {
    request.links.incident = notice.incident.url;
    request.links.incident_number = notice.incident.number;
  }
  auto destination = DestinationFor(config, outcome.event, outcome.severity, env, request.dry_run, notice);
  if (!destination) return notice;
  Poster poster(request, *destination, sender, notice);
  if (destination->transport == Transport::kWebhook) {
    notice.sent = poster.Webhook(WebhookMessage(notice.pipeline, outcome, request.links, AttentionOf(notice)));
  } else {
    notice.sent = PostThreaded(request, *destination, poster, state, notice);
  }
  PipelineHistory& history = state.pipelines[key];
  if (Failing(outcome.event) && notice.sent.ok() && !request.dry_run && history.incident_ts.empty()) {
    history.incident_channel = notice.channel;  // the incident's first thread, where escalation replies
    history.incident_ts = notice.thread_ts;
  }
  if (Failing(outcome.event) && notice.sent.ok()) {
    Notice overdue = EscalateOverdue(request, config, env, sender, state);
    if (!overdue.posts.empty() || !overdue.sent.ok()) {
      notice.posts.insert(notice.posts.end(), overdue.posts.begin(), overdue.posts.end());
      notice.mentions.insert(notice.mentions.end(), overdue.mentions.begin(), overdue.mentions.end());
      notice.escalated = overdue.escalated;
      notice.sent = overdue.sent;
    }
  }
  return notice;
}

Notice EscalateOverdue(const NoticeRequest& request, const NotifyConfig& config, const Environment& env,
                       SlackSender* sender, ThreadState& state) {
  const pipeline::Manifest& manifest = *request.manifest;
  Notice notice;
  notice.pipeline = manifest.name;
  notice.event = Event::kFailure;
  auto found = state.pipelines.find(manifest.name);
  if (!manifest.escalate_after_hours || found == state.pipelines.end()) return notice;
  PipelineHistory& history = found->second;
  if (history.consecutive_failures == 0 || !history.failing_since || history.escalated) return notice;
  auto open = request.now - *history.failing_since;
  if (open < std::chrono::duration<double, std::ratio<3600>>(*manifest.escalate_after_hours)) return notice;
  if (!manifest.secondary_owner || Mention(*manifest.secondary_owner).empty()) return notice;  // nobody to tell
  notice.headline = fmt::format("still failing after {}: escalated to the secondary owner", Hours(open));
  notice.failure_class = "incident-response";
  notice.consecutive_failures = history.consecutive_failures;
  auto destination = DestinationFor(config, Event::kFailure, "", env, request.dry_run, notice);
  if (!destination) return notice;
  notice.mentions = {Mention(*manifest.secondary_owner)};
  notice.escalated = true;
  SlackMessage message;
  message.text = fmt::format(":rotating_light: {}: {} {} (failing since {}, {} failed run(s))", manifest.name,
                             notice.mentions[0], notice.headline, FormatUtc(*history.failing_since),
                             history.consecutive_failures);
  message.blocks.push_back({Block::Kind::kSection, message.text});
  Poster poster(request, *destination, sender, notice);
  bool threaded = destination->transport == Transport::kWebApi && !history.incident_ts.empty();
  if (threaded) {
    auto posted = poster.Message("escalation", history.incident_channel, history.incident_ts, message);
    notice.sent = posted.status();
    notice.channel = history.incident_channel;
    notice.thread_ts = history.incident_ts;
  } else if (destination->transport == Transport::kWebApi) {
    auto posted = poster.Message("escalation", destination->channel, "", message);
    notice.sent = posted.status();
  } else {
    notice.sent = poster.Webhook(message);
  }
  if (notice.sent.ok() && !request.dry_run) history.escalated = true;
  return notice;
}

Notice AnnounceFreshAgain(const NoticeRequest& request, const NotifyConfig& config, const Environment& env,
                          SlackSender* sender, const PipelineHistory& history, const IncidentIssueAction& incident) {
  const pipeline::Manifest& manifest = *request.manifest;
  const RunOutcome& outcome = request.outcome;
  Notice notice;
  notice.pipeline = manifest.name;
  notice.event = outcome.event;
  notice.severity = "production";
  notice.headline = outcome.headline;
  notice.incident = incident;
  // Where the late data was told.
  auto destination = DestinationFor(config, Event::kSla, notice.severity, env, request.dry_run, notice);
  if (!destination) return notice;
  Links links = request.links;
  if (incident.number > 0) {
    links.incident = incident.url;
    links.incident_number = incident.number;
  }
  const SlackMessage message = FreshAgainMessage(manifest.name, outcome, links, incident.action == "closed");
  Poster poster(request, *destination, sender, notice);
  const bool threaded = destination->transport == Transport::kWebApi && !history.incident_ts.empty();
  if (threaded) {
    notice.channel = history.incident_channel;
    notice.thread_ts = history.incident_ts;
    auto posted = poster.Message("reply", history.incident_channel, history.incident_ts, message);
    notice.sent = posted.ok() ? poster.Reaction(history.incident_channel, history.incident_ts, ReactionFor(outcome.event))
                              : posted.status();
  } else if (destination->transport == Transport::kWebApi) {
    auto posted = poster.Message("top", destination->channel, "", message);
    notice.sent = posted.status();
    if (posted.ok()) notice.channel = posted->channel;
  } else {
    notice.sent = poster.Webhook(message);
  }
  return notice;
}

}  // namespace sluice::notify
