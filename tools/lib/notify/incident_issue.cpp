#include "notify/incident_issue.h"

#include <algorithm>

#include <fmt/format.h>

#include "json/json.h"
#include "notify/message.h"

namespace sluice::notify {
namespace {

// How much of each free text the body quotes: a long one is cut, saying so (the run's log and
// report have it whole), so that the body stays far below GitHub's limit.
constexpr std::size_t kMaxDetail = 4000;
constexpr std::size_t kMaxFindingText = 500;
constexpr std::size_t kMaxStatusText = 8000;

std::string Cut(const std::string& text, std::size_t limit) {
  return TrimToCharacters(text, limit, " … (cut; the run's log has it whole)");
}

// A fenced code block whose fence is longer than any run of backticks in `text`, so that no
// message can close it and turn into Markdown (or a fake marker).
std::string Fenced(const std::string& text, const char* language) {
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(std::max<std::size_t>(3, longest + 1), '`');
  return fmt::format("{}{}\n{}\n{}\n", fence, language, text, fence);
}

// Inline code that survives backticks inside it (CommonMark: a longer backtick string).
std::string Code(const std::string& text) {
  std::string one_line = text;
  std::replace(one_line.begin(), one_line.end(), '\n', ' ');
  std::replace(one_line.begin(), one_line.end(), '|', '/');  // a table cell ends at |
  std::string ticks = one_line.find('`') == std::string::npos ? "`" : "``";
  return ticks + (ticks.size() > 1 ? " " : "") + one_line + (ticks.size() > 1 ? " " : "") + ticks;
}

std::string Link(const std::string& target, const std::string& label) {
  if (target.find("://") != std::string::npos) return fmt::format("[{}]({})", label, target);
  return Code(target);  // a path outside Actions
}

std::string SeverityText(const std::string& severity) {
  if (severity == "production") return "`production`: bad or stale data may be live now";
  if (severity == "upstream") return "`upstream`: the chain stopped before production; production is untouched";
  return "not known";
}

std::string FailingStep(const RunOutcome& outcome) {
  if (outcome.event == Event::kSla) return "the SLA watch (`sluice-notify --watch`): nothing was published within the SLA";
  for (auto step = outcome.steps.rbegin(); step != outcome.steps.rend(); ++step) {
    if (Failed(*step)) return fmt::format("`{}` {} (exit {})", step->tool, step->status, step->exit_code);
  }
  return outcome.failed_tool.empty() ? "the job (no sluice step failed)" : Code(outcome.failed_tool);
}

std::vector<Finding> FindingsOf(const RunOutcome& outcome) {
  std::vector<Finding> findings;
  for (const auto& step : outcome.steps) {
    for (const auto& finding : step.findings) findings.push_back(finding);
  }
  return findings;
}

std::string FindingsSection(const RunOutcome& outcome) {
  std::vector<Finding> findings = FindingsOf(outcome);
  if (findings.empty()) return "";
  std::string out = fmt::format("### Findings (the first {})\n", std::min(findings.size(), kMaxIssueFindings));
  for (std::size_t i = 0; i < findings.size() && i < kMaxIssueFindings; ++i) {
    const Finding& f = findings[i];
    std::string where = f.line > 0 ? fmt::format("{}:{}", f.file, f.line) : f.file;
    out += fmt::format("- {} at {}: {}\n", Code(f.check), Code(where), Code(Cut(f.message, kMaxFindingText)));
  }
  return out + "\n";
}

std::string LiveSection(const IncidentFacts& facts) {
  if (!facts.live) return "";
  const LiveStatus& live = *facts.live;
  std::string out = "### What is live now\n";
  if (!live.problem.empty()) {
    return out + fmt::format("`_sluice/status.json` could not be read: {}\n\n", Code(Cut(live.problem, kMaxFindingText)));
  }
  if (live.text.empty()) {
    return out + fmt::format("{} holds no `_sluice/status.json`: sluice-publish never published there.\n\n", Code(live.where));
  }
  return out + fmt::format("{}:\n\n", Code(live.where)) + Fenced(Cut(live.text, kMaxStatusText), "json") + "\n";
}

// A production incident, unless the data is only late: old data is not bad data, and publishing
// the last good commit again would not make it fresh.
bool OffersRollback(const IncidentFacts& facts) {
  return facts.outcome.severity == "production" && facts.outcome.event != Event::kSla;
}

std::string RollbackSection(const IncidentFacts& facts) {
  if (!OffersRollback(facts)) return "";
  std::string command = RollbackCommand(facts);
  std::string out = "### Roll back\n";
  if (command.empty()) {
    return out + "The last good commit is not known here (no readable `_sluice/status.json`): find it in the "
                 "publish workflow's runs, then follow runbooks/rollback.md.\n\n";
  }
  std::string dry = command.substr(0, command.size() - std::string(" --yes").size()) + " --dry-run";
  return out + "Production held this commit before the failure. To publish it again (look first, then write):\n\n" +
         Fenced(dry + "\n" + command, "sh") + "\nSee runbooks/rollback.md.\n\n";
}

}  // namespace

IncidentIssueConfig ReadIncidentIssueConfig(const pipeline::Manifest& manifest) {
  IncidentIssueConfig config;
  const rapidjson::Value* notify = manifest.document ? json::Member(*manifest.document, "notify") : nullptr;
  const rapidjson::Value* issue = notify != nullptr ? json::Member(*notify, "incident_issue") : nullptr;
  if (issue == nullptr) return config;
  if (issue->IsBool()) {
    config.enabled = issue->GetBool();
    return config;
  }
  if (!issue->IsObject()) return config;
  config.enabled = true;
  auto strings = [&](const char* name) {
    std::vector<std::string> out;
    if (const auto* list = json::Member(*issue, name); list != nullptr && list->IsArray()) {
      for (const auto& item : list->GetArray()) {
        if (item.IsString()) out.emplace_back(item.GetString());
      }
    }
    return out;
  };
  config.labels = strings("labels");
  config.assignees = strings("assignees");
  if (const auto* on_call = json::Member(*issue, "assign_on_call"); on_call != nullptr && on_call->IsBool()) {
    config.assign_on_call = on_call->GetBool();
  }
  return config;
}

std::string IncidentMarker(const std::string& pipeline) {
  return fmt::format("<!-- sluice:incident pipeline={} -->", pipeline);
}

bool HasIncidentMarker(const std::string& body, const std::string& pipeline) {
  return body.find(IncidentMarker(pipeline)) != std::string::npos;
}

std::string IncidentTitle(const IncidentFacts& facts) {
  const std::string& severity = facts.outcome.severity;
  return fmt::format("{}: {}incident: {}", facts.pipeline, severity.empty() ? "" : severity + " ", facts.outcome.headline);
}

bool IsProductionIncident(const std::string& title, const std::string& pipeline) {
  return title.rfind(pipeline + ": production incident: ", 0) == 0;
}

std::string RollbackCommand(const IncidentFacts& facts) {
  if (!OffersRollback(facts) || !facts.live || facts.live->commit.empty()) return "";
  return fmt::format("sluice-publish {} --target production --ref {} --yes", facts.manifest, facts.live->commit);
}

std::string IncidentBody(const IncidentFacts& facts) {
  const RunOutcome& outcome = facts.outcome;
  const Links& links = facts.links;
  std::string body = IncidentMarker(facts.pipeline) + "\n";
  body += fmt::format("## {}\n\n", IncidentTitle(facts));
  body += "| | |\n|---|---|\n";
  body += fmt::format("| **Pipeline** | {} ({}) |\n", Code(facts.pipeline), Code(facts.manifest));
  body += fmt::format("| **Severity** | {} |\n", SeverityText(outcome.severity));
  body += fmt::format("| **Failing step** | {} |\n", FailingStep(outcome));
  if (!outcome.failure_class.empty()) {
    body += fmt::format("| **Class** | {}{} |\n", Code(outcome.failure_class),
                        links.runbook.empty() ? "" : ": " + Link(links.runbook, "runbook, what to do"));
  }
  body += fmt::format("| **Failing since** | {} ({} failed run(s)) |\n", facts.failing_since, facts.consecutive_failures);
  if (!links.run.empty()) body += fmt::format("| **Run** | {} |\n", Link(links.run, "run " + facts.run_id));
  if (!links.pr.empty()) body += fmt::format("| **Data PR** | {} |\n", Link(links.pr, links.pr));
  if (!links.pipeline_runbook.empty()) body += fmt::format("| **Pipeline runbook** | {} |\n", Link(links.pipeline_runbook, "runbook"));
  if (!facts.on_call.empty()) body += fmt::format("| **On call** | {} |\n", Code(facts.on_call));
  body += "\n### What failed\n" + Fenced(Cut(outcome.detail.empty() ? outcome.headline : outcome.detail, kMaxDetail), "text") + "\n";
  body += FindingsSection(outcome);
  body += LiveSection(facts);
  body += RollbackSection(facts);
  body += "### How this issue closes\nsluice-notify comments here when the pipeline fails again, and comments and closes "
          "this issue when the next run does its job";
  body += outcome.severity == "production" ? " by publishing again (a data PR does not mend production). " : ". ";
  body += "The Slack thread of the failure links here; runbooks/incident-response.md says who does what.\n";
  return TrimToCharacters(body, kMaxIssueBody, "\n… (cut at GitHub's limit)");
}

std::string RepeatComment(const IncidentFacts& facts) {
  const RunOutcome& outcome = facts.outcome;
  std::string out = fmt::format("**Failed again** in {} ({} failed run(s) since {}): {}\n\n",
                                facts.links.run.empty() ? Code(facts.run_id) : Link(facts.links.run, "run " + facts.run_id),
                                facts.consecutive_failures, facts.failing_since, Code(outcome.headline));
  out += fmt::format("Failing step: {}\n\n", FailingStep(outcome));
  out += Fenced(Cut(outcome.detail.empty() ? outcome.headline : outcome.detail, kMaxDetail), "text") + "\n";
  out += FindingsSection(outcome);
  if (std::string command = RollbackCommand(facts); !command.empty()) {
    out += "Rollback, unchanged: " + Code(command) + "\n";
  }
  return TrimToCharacters(out, kMaxIssueBody, "\n… (cut at GitHub's limit)");
}

std::string ResolvedComment(const std::string& pipeline, const RunOutcome& outcome, const Links& links,
                            const std::string& run_id) {
  return fmt::format("**Resolved** by {}: {} ({}).{} sluice-notify closes this incident of {}.\n",
                     links.run.empty() ? Code(run_id) : Link(links.run, "run " + run_id), Code(outcome.headline),
                     EventName(outcome.event), outcome.detail.empty() ? "" : " " + Code(Cut(outcome.detail, kMaxFindingText)),
                     Code(pipeline));
}

}  // namespace sluice::notify
