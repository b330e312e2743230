#include "approve/report.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "core/secrets.h"
#include "json/json.h"

namespace sluice::approve {
namespace {

rapidjson::Value Str(const std::string& text, rapidjson::Document::AllocatorType& a) {
  return rapidjson::Value(Mask(text).c_str(), a);
}

// What became of one PR, in one sentence.
std::string Verdict(const PullOutcome& pull, bool dry_run) {
  std::string notes;
  for (const auto* list : {&pull.decision.notes, &pull.notes}) {
    for (const auto& note : *list) notes += "; " + note;
  }
  if (!pull.error.ok()) return "not merged: " + pull.error.message() + notes;
  if (pull.queue_merged) {
    return fmt::format("merged as {} by the base branch's merge queue{}{}", pull.merge_sha.substr(0, 7),
                       pull.dispatched.empty() ? "" : "; started " + pull.dispatched, notes);
  }
  if (pull.merged) {
    return fmt::format("merged as {} ({}){}{}", pull.merge_sha.substr(0, 7), pull.decision.trigger,
                       pull.dispatched.empty() ? "" : "; started " + pull.dispatched, notes);
  }
  if (pull.queued_at > 0) {
    return fmt::format("queued ({}): position {} in the base branch's merge queue{}", pull.decision.trigger,
                       pull.queued_at, notes);
  }
  if (pull.decision.merge && dry_run) return fmt::format("would merge ({}) - dry run{}", pull.decision.trigger, notes);
  std::string reasons;
  for (const auto& reason : pull.decision.reasons) reasons += (reasons.empty() ? "" : "; ") + reason;
  return "not merged: " + reasons + notes;
}

// The fold that ran before the gate, a line each: folded, skipped, failed. Empty when no PR
// carried the rollup label.
std::vector<std::string> RollupLines(const GateReport& report) {
  std::vector<std::string> lines;
  const RollupOutcome& rollup = report.rollup;
  if (!rollup.folded.empty()) {
    std::string numbers;
    for (const auto& member : rollup.folded) numbers += fmt::format("{}#{} ({})", numbers.empty() ? "" : ", ", member.number, member.pipeline);
    lines.push_back(rollup.dry_run ? fmt::format("rollup: would fold {} into {} - dry run", numbers, kRollupBranch)
                                   : fmt::format("rollup: folded {} into #{} {}", numbers, rollup.number, rollup.url));
  }
  for (const auto& [number, why] : rollup.skipped) lines.push_back(fmt::format("rollup: #{} {}", number, why));
  if (!report.rollup_error.ok()) lines.push_back("rollup failed: " + report.rollup_error.message());
  return lines;
}

}  // namespace

std::string ReportText(const GateReport& report) {
  std::string text;
  for (const auto& line : RollupLines(report)) text += Mask(line) + "\n";
  if (report.pulls.empty()) return text + "no open sluice PR to evaluate\n";
  for (const auto& pull : report.pulls) {
    text += Mask(fmt::format("#{} {}: {}\n", pull.number, pull.pipeline, Verdict(pull, report.dry_run)));
  }
  text += fmt::format("{} of {} merged{}\n", report.merged(), report.pulls.size(), report.dry_run ? " (dry run)" : "");
  return text;
}

std::string ReportMarkdown(const GateReport& report) {
  std::string md = fmt::format("### sluice-approve: {} of {} merged{}\n\n", report.merged(), report.pulls.size(),
                               report.dry_run ? " (dry run)" : "");
  for (const auto& line : RollupLines(report)) md += "- " + Mask(line) + "\n";
  if (!RollupLines(report).empty()) md += "\n";
  if (report.pulls.empty()) return md + "No open sluice PR.\n";
  md += "| PR | pipeline | outcome |\n|---|---|---|\n";
  for (const auto& pull : report.pulls) {
    std::string verdict = Verdict(pull, report.dry_run);
    for (char& c : verdict) {
      if (c == '|' || c == '\n') c = ' ';
    }
    md += fmt::format("| [#{}]({}) | {} | {} |\n", pull.number, pull.url, pull.pipeline, verdict);
  }
  return Mask(md);
}

std::string ReportJson(const GateReport& report) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("merged", report.merged(), a);
  doc.AddMember("dry_run", report.dry_run, a);
  rapidjson::Value pulls(rapidjson::kArrayType);
  for (const auto& pull : report.pulls) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("number", pull.number, a);
    item.AddMember("url", Str(pull.url, a), a);
    item.AddMember("pipeline", Str(pull.pipeline, a), a);
    item.AddMember("head_sha", Str(pull.head_sha, a), a);
    item.AddMember("eligible", pull.decision.merge, a);
    item.AddMember("merged", pull.merged, a);
    item.AddMember("merge_sha", Str(pull.merge_sha, a), a);
    item.AddMember("queued_at", pull.queued_at, a);
    item.AddMember("trigger", Str(pull.decision.trigger, a), a);
    item.AddMember("window", Str(pull.decision.window, a), a);
    rapidjson::Value reasons(rapidjson::kArrayType);
    for (const auto& reason : pull.decision.reasons) reasons.PushBack(Str(reason, a), a);
    if (!pull.error.ok()) reasons.PushBack(Str(pull.error.message(), a), a);
    item.AddMember("reasons", reasons, a);
    item.AddMember("dispatched", Str(pull.dispatched, a), a);
    pulls.PushBack(item, a);
  }
  doc.AddMember("pulls", pulls, a);
  rapidjson::Value rollup(rapidjson::kObjectType);
  rapidjson::Value folded(rapidjson::kArrayType);
  for (const auto& member : report.rollup.folded) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("number", member.number, a);
    item.AddMember("pipeline", Str(member.pipeline, a), a);
    folded.PushBack(item, a);
  }
  rollup.AddMember("folded", folded, a);
  rapidjson::Value skipped(rapidjson::kArrayType);
  for (const auto& [number, why] : report.rollup.skipped) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("number", number, a);
    item.AddMember("reason", Str(why, a), a);
    skipped.PushBack(item, a);
  }
  rollup.AddMember("skipped", skipped, a);
  rollup.AddMember("number", report.rollup.number, a);
  rollup.AddMember("url", Str(report.rollup.url, a), a);
  rollup.AddMember("error", Str(report.rollup_error.ok() ? "" : report.rollup_error.message(), a), a);
  doc.AddMember("rollup", rollup, a);
  return json::Write(doc);
}

Status PublishToActions(const GateReport& report, actions::ActionsIo& io) {
  SLUICE_RETURN_IF_ERROR(io.SetOutput("merged", std::to_string(report.merged())));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("pulls", ReportJson(report)));
  return io.AppendSummary(ReportMarkdown(report));
}

}  // namespace sluice::approve
