#include "notify/compose.h"

#include <algorithm>

#include <fmt/format.h>

namespace sluice::notify {
namespace {

const char* Symbol(Event event) {
  switch (event) {
    case Event::kFailure: return ":x:";
    case Event::kTransient: return ":warning:";
    case Event::kPublished: return ":white_check_mark:";
    case Event::kPr: return ":eyes:";
    case Event::kSkipped: return ":double_vertical_bar:";
    case Event::kSuccess: return ":white_check_mark:";
    case Event::kSla: return ":hourglass:";
  }
  return "";
}

std::string Joined(const std::vector<std::string>& words, const char* separator) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : separator) + word;
  return out;
}

std::string LinkLine(const Links& links) {
  std::vector<std::string> parts;
  if (!links.incident.empty()) parts.push_back(fmt::format("<{}|incident issue #{}>", links.incident, links.incident_number));
  if (!links.run.empty()) parts.push_back(fmt::format("<{}|workflow run>", links.run));
  if (!links.pr.empty()) parts.push_back(fmt::format("<{}|data PR>", links.pr));
  // Slack links only URLs; a path (outside Actions) is shown as text.
  auto link = [](const std::string& target, const char* label) {
    return target.find("://") != std::string::npos ? fmt::format("<{}|{}>", target, label)
                                                   : fmt::format("{}: `{}`", label, target);
  };
  if (!links.runbook.empty()) parts.push_back(link(links.runbook, "runbook: what to do"));
  if (!links.pipeline_runbook.empty()) parts.push_back(link(links.pipeline_runbook, "pipeline runbook"));
  return Joined(parts, " · ");
}

std::string PlainLinks(const Links& links) {
  std::vector<std::string> parts;
  if (!links.incident.empty()) parts.push_back("incident: " + links.incident);
  if (!links.run.empty()) parts.push_back("run: " + links.run);
  if (!links.pr.empty()) parts.push_back("PR: " + links.pr);
  if (!links.runbook.empty()) parts.push_back("runbook: " + links.runbook);
  return Joined(parts, " | ");
}

std::string Title(const std::string& pipeline, const RunOutcome& outcome) {
  return fmt::format("{}: {}", pipeline, outcome.headline);
}

std::string Body(const RunOutcome& outcome, const Attention& attention) {
  std::string body;
  if (!attention.mentions.empty()) {
    body += Joined(attention.mentions, " ");
    if (!attention.on_call.empty()) body += " (on call: " + EscapeMrkdwn(attention.on_call) + ")";
    body += attention.escalated ? " (failed in consecutive runs: escalated to the secondary owner)\n" : "\n";
  } else if (!attention.on_call.empty()) {
    body += EscapeMrkdwn(attention.on_call) + "\n";  // why nobody is mentioned
  }
  if (!outcome.failure_class.empty()) body += fmt::format("*Class:* `{}`\n", outcome.failure_class);
  if (outcome.severity == "production") body += "*Severity:* `production`: bad or stale data may be live now\n";
  if (outcome.severity == "upstream") body += "*Severity:* `upstream`: the chain stopped before production; production is untouched\n";
  if (!outcome.detail.empty()) body += EscapeMrkdwn(outcome.detail);
  return body;
}

std::string StepLine(const StepRecord& step) {
  std::string counts;
  for (const auto& [name, value] : step.counts) counts += fmt::format("{}{}={}", counts.empty() ? "" : ", ", name, value);
  return fmt::format("*{}* {} (exit {}, {:.1f} s){}{}", step.tool, step.status, step.exit_code,
                     static_cast<double>(step.duration_ms) / 1000.0, step.message.empty() ? "" : "\n",
                     EscapeMrkdwn(step.message)) +
         (counts.empty() ? "" : "\n_" + counts + "_");
}

}  // namespace

std::string Mention(const pipeline::Owner& owner) {
  if (owner.slack.empty()) return "";
  if (owner.slack[0] == 'S') return fmt::format("<!subteam^{}>", owner.slack);
  return fmt::format("<@{}>", owner.slack);
}

Attention AttentionFor(const pipeline::Manifest& manifest, Event event, bool escalate, const OnCallAnswer* on_call,
                       const std::string& severity) {
  bool wanted = event == Event::kFailure || event == Event::kSla || (event == Event::kTransient && escalate);
  Attention attention;
  if (!wanted) return attention;
  if (on_call != nullptr && manifest.oncall && severity == "upstream" && !on_call->business_hours &&
      !manifest.oncall->page_upstream_always) {
    attention.on_call = "nobody paged: production is untouched, and it waits for business hours (" + on_call->why + ")";
    return attention;
  }
  auto add = [&](const pipeline::Owner& person) {
    std::string mention = Mention(person);
    bool known = std::find(attention.mentions.begin(), attention.mentions.end(), mention) != attention.mentions.end();
    if (!mention.empty() && !known) attention.mentions.push_back(mention);
  };
  if (on_call != nullptr && !on_call->fallback) {
    for (const auto& person : on_call->people) add(person);
    attention.on_call = on_call->why;
  } else if (manifest.primary_owner) {
    add(*manifest.primary_owner);
  }
  if (escalate && manifest.secondary_owner && !Mention(*manifest.secondary_owner).empty()) {
    add(*manifest.secondary_owner);
    attention.escalated = true;
  }
  return attention;
}

std::string ReactionFor(Event event) {
  std::string symbol = Symbol(event);
  return symbol.substr(1, symbol.size() - 2);
}

SlackMessage TopMessage(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                        const Attention& attention) {
  SlackMessage message;
  message.text = fmt::format("{} {}{}{}", Symbol(outcome.event), Title(pipeline, outcome),
                             attention.mentions.empty() ? "" : " " + Joined(attention.mentions, " "),
                             PlainLinks(links).empty() ? "" : " — " + PlainLinks(links));
  message.blocks.push_back({Block::Kind::kHeader, Title(pipeline, outcome)});
  if (std::string body = Body(outcome, attention); !body.empty()) message.blocks.push_back({Block::Kind::kSection, body});
  if (std::string line = LinkLine(links); !line.empty()) message.blocks.push_back({Block::Kind::kContext, line});
  FitToLimits(message);
  return message;
}

SlackMessage StepMessage(const StepRecord& step) {
  SlackMessage message;
  message.text = fmt::format("{} {} (exit {}): {}", step.tool, step.status, step.exit_code, step.message);
  message.blocks.push_back({Block::Kind::kSection, StepLine(step)});
  FitToLimits(message);
  return message;
}

SlackMessage RepeatMessage(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                           const Attention& attention, int repeats) {
  SlackMessage message;
  message.text = fmt::format("{} again ({} times within the hour): {}{}{}", Symbol(outcome.event), repeats + 1,
                             Title(pipeline, outcome), attention.mentions.empty() ? "" : " " + Joined(attention.mentions, " "),
                             links.incident.empty() ? "" : " — incident: " + links.incident);
  std::string body = fmt::format("*Again* ({} times within the hour): {}\n{}", repeats + 1, EscapeMrkdwn(Title(pipeline, outcome)),
                                 Body(outcome, Attention{attention.mentions, false, attention.on_call}));
  message.blocks.push_back({Block::Kind::kSection, body});
  if (std::string line = LinkLine(links); !line.empty()) message.blocks.push_back({Block::Kind::kContext, line});
  FitToLimits(message);
  return message;
}

SlackMessage FreshAgainMessage(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                               bool incident_closed) {
  const std::string closed =
      incident_closed && links.incident_number > 0 ? fmt::format(" Incident issue #{} closed.", links.incident_number) : "";
  SlackMessage message;
  message.text = fmt::format("{} {}: {}. {}{}", Symbol(outcome.event), pipeline, outcome.headline, outcome.detail, closed);
  message.blocks.push_back({Block::Kind::kSection, fmt::format("*{}: {}*\n{}{}", EscapeMrkdwn(pipeline),
                                                               EscapeMrkdwn(outcome.headline), EscapeMrkdwn(outcome.detail),
                                                               closed)});
  if (std::string line = LinkLine(links); !line.empty()) message.blocks.push_back({Block::Kind::kContext, line});
  FitToLimits(message);
  return message;
}

SlackMessage WebhookMessage(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                            const Attention& attention) {
  SlackMessage message = TopMessage(pipeline, outcome, links, attention);
  Block context;
  bool has_context = !message.blocks.empty() && message.blocks.back().kind == Block::Kind::kContext;
  if (has_context) {
    context = message.blocks.back();
    message.blocks.pop_back();
  }
  if (!outcome.steps.empty()) message.blocks.push_back({Block::Kind::kDivider, ""});
  for (const auto& step : outcome.steps) message.blocks.push_back({Block::Kind::kSection, StepLine(step)});
  if (has_context) message.blocks.push_back(context);
  FitToLimits(message);
  return message;
}

}  // namespace sluice::notify
