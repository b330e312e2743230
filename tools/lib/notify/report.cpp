#include "notify/report.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/clock.h"
#include "core/secrets.h"
#include "json/json.h"

namespace sluice::notify {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string Joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

// "; incident issue #12 opened: https://...", and what GitHub refused.
std::string IncidentText(const IncidentIssueAction& issue) {
  std::string line;
  if (!issue.action.empty()) line = fmt::format("; incident issue #{} {}: {}", issue.number, issue.action, issue.url);
  else if (issue.number > 0) line = fmt::format("; incident issue #{}: {}", issue.number, issue.url);
  if (!issue.problem.ok()) line += "; " + issue.problem.message();
  return line;
}

std::string NoticeLine(const Notice& notice, bool dry_run) {
  std::string what = notice.failure_class.empty() ? EventName(notice.event)
                     : notice.severity.empty()  ? fmt::format("{} ({})", EventName(notice.event), notice.failure_class)
                                                : fmt::format("{} ({}, severity {})", EventName(notice.event),
                                                              notice.failure_class, notice.severity);
  if (notice.route.empty()) {
    return fmt::format("{}: {}: {}; not posted: no route (add notify.routes.{} or notify.default to the manifest)\n",
                       notice.pipeline, what, notice.headline, EventName(notice.event));
  }
  if (!notice.sent.ok()) {
    return fmt::format("{}: {}: {}; NOT announced to {}: {}\n", notice.pipeline, what, notice.headline,
                       notice.destination.empty() ? "route " + notice.route : notice.destination, notice.sent.message());
  }
  int messages = 0;
  for (const auto& post : notice.posts) messages += post.kind != "reaction";
  std::string line = fmt::format("{}: {}: {}; {} {} message(s) to {}", notice.pipeline, what, notice.headline,
                                 dry_run ? "would post" : "posted", messages, notice.destination);
  if (notice.grouped) line += fmt::format(", in the thread of the same error ({})", notice.thread_ts);
  else if (!notice.thread_ts.empty() && !dry_run) line += fmt::format(", thread {}", notice.thread_ts);
  if (!notice.mentions.empty()) line += ", mentioning " + Joined(notice.mentions);
  if (!notice.on_call.empty()) line += " (on call: " + notice.on_call + ")";
  if (notice.escalated) line += fmt::format(" (escalated: {} consecutive failures)", notice.consecutive_failures);
  line += IncidentText(notice.incident);
  return line + "\n";
}

void Str(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  std::string masked = Mask(value);
  w.String(masked.c_str(), static_cast<rapidjson::SizeType>(masked.size()));
}

void WriteIncident(Writer& w, const IncidentIssueAction& incident) {
  w.Key("incident_issue");
  w.StartObject();
  Str(w, "action", incident.action);
  w.Key("number");
  w.Int(incident.number);
  Str(w, "url", incident.url);
  Str(w, "problem", incident.problem.message());
  w.EndObject();
}

void WriteNotice(Writer& w, const Notice& notice) {
  w.StartObject();
  Str(w, "pipeline", notice.pipeline);
  Str(w, "event", EventName(notice.event));
  Str(w, "failure_class", notice.failure_class);
  Str(w, "severity", notice.severity);
  Str(w, "headline", notice.headline);
  Str(w, "route", notice.route);
  Str(w, "destination", notice.destination);
  Str(w, "on_call", notice.on_call);
  w.Key("mentions");
  w.StartArray();
  for (const auto& mention : notice.mentions) w.String(mention.c_str());
  w.EndArray();
  w.Key("consecutive_failures");
  w.Int(notice.consecutive_failures);
  w.Key("escalated");
  w.Bool(notice.escalated);
  w.Key("grouped");
  w.Bool(notice.grouped);
  Str(w, "channel", notice.channel);
  Str(w, "thread_ts", notice.thread_ts);
  w.Key("posts");
  w.StartArray();
  for (const auto& post : notice.posts) {
    w.StartObject();
    Str(w, "kind", post.kind);
    Str(w, "destination", post.destination);
    Str(w, "thread_ts", post.thread_ts);
    Str(w, "ts", post.ts);
    w.Key("payload");
    std::string payload = Mask(post.payload);
    w.RawValue(payload.c_str(), payload.size(), rapidjson::kObjectType);
    w.EndObject();
  }
  w.EndArray();
  Str(w, "error", notice.sent.message());
  WriteIncident(w, notice.incident);
  w.EndObject();
}

}  // namespace

std::string ReportText(const NotifyReport& report) {
  std::string text;
  for (const auto& [pipeline, answer] : report.on_call) {
    std::string people;
    for (const auto& person : answer.people) people += (people.empty() ? "" : ", ") + PersonText(person);
    text += fmt::format("{}: on call at {}: {}\n  why: {}\n", pipeline, answer.at, people.empty() ? "nobody" : people,
                        answer.why);
  }
  for (const auto& f : report.freshness) {
    text += f.published_at ? fmt::format("{}: production data {:.1f} h old, SLA {:g} h: {}{}\n", f.pipeline, f.age_hours,
                                         f.max_age_hours, f.late ? "LATE" : "fresh", IncidentText(f.incident))
                           : fmt::format("{}: never published to {}: LATE\n", f.pipeline, f.target);
  }
  for (const auto& notice : report.notices) {
    text += NoticeLine(notice, report.dry_run);
    if (!report.dry_run) continue;
    for (const auto& post : notice.posts) {
      text += fmt::format("  {} -> {}{}:\n    {}\n", post.kind, post.destination,
                          post.thread_ts.empty() ? "" : " thread " + post.thread_ts, post.payload);
    }
  }
  if (report.dry_run) text += "dry run: nothing was sent and no state was written\n";
  return Mask(text);
}

std::string ReportJson(const NotifyReport& report) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("dry_run");
  w.Bool(report.dry_run);
  w.Key("watch");
  w.Bool(report.watch);
  w.Key("notices");
  w.StartArray();
  for (const auto& notice : report.notices) WriteNotice(w, notice);
  w.EndArray();
  if (!report.on_call.empty()) {
    w.Key("on_call");
    w.StartArray();
    for (const auto& [pipeline, answer] : report.on_call) {
      w.StartObject();
      Str(w, "pipeline", pipeline);
      Str(w, "at", answer.at);
      w.Key("people");
      w.StartArray();
      for (const auto& person : answer.people) {
        w.StartObject();
        Str(w, "github", person.github);
        Str(w, "slack", person.slack);
        w.EndObject();
      }
      w.EndArray();
      Str(w, "why", answer.why);
      w.Key("fallback");
      w.Bool(answer.fallback);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("freshness");
  w.StartArray();
  for (const auto& f : report.freshness) {
    w.StartObject();
    Str(w, "pipeline", f.pipeline);
    Str(w, "target", f.target);
    Str(w, "published_at", f.published_at ? FormatUtc(*f.published_at) : "");
    Str(w, "commit", f.commit);
    w.Key("age_hours");
    w.Double(f.age_hours);
    w.Key("max_age_hours");
    w.Double(f.max_age_hours);
    w.Key("late");
    w.Bool(f.late);
    WriteIncident(w, f.incident);
    w.EndObject();
  }
  w.EndArray();
  w.Key("problems");
  w.StartArray();
  for (const auto& problem : report.problems) {
    std::string masked = Mask(problem.message());
    w.String(masked.c_str(), static_cast<rapidjson::SizeType>(masked.size()));
  }
  w.EndArray();
  w.Key("requests");
  w.Int(report.counters.requests);
  w.Key("retries");
  w.Int(report.counters.retries);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Status PublishToActions(const NotifyReport& report, actions::ActionsIo& io) {
  const Notice* first = report.notices.empty() ? nullptr : &report.notices.front();
  int posts = 0;
  for (const auto& notice : report.notices) posts += static_cast<int>(notice.posts.size());
  for (const auto& [name, value] : std::initializer_list<std::pair<const char*, std::string>>{
           {"event", first ? EventName(first->event) : ""},
           {"failure-class", first ? first->failure_class : ""},
           {"channel", first ? first->channel : ""},
           {"thread-ts", first ? first->thread_ts : ""},
           {"incident-issue", first ? first->incident.url : ""},
           {"posts", std::to_string(posts)},
           {"late", std::to_string(report.late())}}) {
    SLUICE_RETURN_IF_ERROR(io.SetOutput(name, Mask(value)));
  }
  std::string summary = "### sluice-notify\n\n";
  for (const auto& line : {ReportText(report)}) {
    for (std::size_t start = 0, end; start < line.size(); start = end + 1) {
      end = line.find('\n', start);
      if (end == std::string::npos) end = line.size();
      if (line.compare(start, 2, "  ") != 0) summary += "- " + line.substr(start, end - start) + "\n";
    }
  }
  return io.AppendSummary(Mask(summary + "\n"));
}

}  // namespace sluice::notify
