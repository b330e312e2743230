#include "pr/report.h"

#include <algorithm>

#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "core/secrets.h"

namespace sluice::pr {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void Field(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void Number(Writer& w, const char* key, std::int64_t value) {
  w.Key(key);
  w.Int64(value);
}

std::string Headline(const PrReport& report) {
  switch (report.outcome) {
    case BranchOutcome::kUnchanged:
      return report.pr_closed > 0
                 ? fmt::format("{}: no change against {}: nothing committed; PR #{} (older data) closed", report.pipeline,
                               report.base, report.pr_closed)
                 : fmt::format("{}: no change against {}: nothing committed", report.pipeline, report.base);
    case BranchOutcome::kAlreadyThere:
      return fmt::format("{}: {} already holds this data on {}: nothing written", report.pipeline, report.branch, report.base);
    default:
      return fmt::format("{}: {} {} ({}) on {}", report.pipeline, report.branch,
                         report.outcome == BranchOutcome::kCreated ? "created" : "rebuilt",
                         report.commit_sha.substr(0, 12), report.base);
  }
}

std::string PullLine(const PrReport& report) {
  if (report.local) return "";
  if (report.pr_url.empty()) return "";
  return fmt::format("PR #{} {}: {}\n", report.pr_number, report.pr_created ? "opened" : "updated", report.pr_url);
}

}  // namespace

std::size_t PrReport::Count(ChangeKind kind) const {
  return static_cast<std::size_t>(std::count_if(changes.begin(), changes.end(), [&](const auto& c) { return c.second == kind; }));
}

const char* OutcomeName(BranchOutcome outcome) {
  switch (outcome) {
    case BranchOutcome::kUnchanged: return "unchanged";
    case BranchOutcome::kAlreadyThere: return "already-there";
    case BranchOutcome::kCreated: return "created";
    case BranchOutcome::kRebuilt: return "rebuilt";
    case BranchOutcome::kForeign: return "foreign-commit";
  }
  return "unchanged";
}

std::string ReportText(const PrReport& report) {
  std::string text = Headline(report) + "\n";
  for (const auto& [path, kind] : report.changes) text += fmt::format("  {:<9} {}\n", ChangeKindName(kind), path);
  if (report.unchanged > 0) text += fmt::format("  ({} file{} unchanged)\n", report.unchanged, report.unchanged == 1 ? "" : "s");
  text += PullLine(report);
  if (!report.local && report.requests > 0) {
    text += fmt::format("{} GitHub requests, {} of them writes\n", report.requests, report.writes);
  }
  for (const auto& warning : report.warnings) text += "warning: " + warning + "\n";
  if (report.local && report.changed()) {
    text += fmt::format("\nThe PR that would be opened ({} -> {}), labelled {}{}:\n\n# {}\n\n{}", report.branch,
                        report.base, report.review.label,
                        report.review.reviewers.empty() ? "" : ", reviewers " + fmt::format("{}", fmt::join(report.review.reviewers, ", ")),
                        report.text.title, report.text.body);
  }
  return Mask(text);
}

std::string ReportJson(const PrReport& report) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Field(w, "pipeline", report.pipeline);
  Field(w, "base", report.base);
  Field(w, "branch", report.branch);
  Field(w, "outcome", OutcomeName(report.outcome));
  w.Key("changed");
  w.Bool(report.changed());
  Field(w, "commit_sha", report.commit_sha);
  w.Key("local");
  w.Bool(report.local);
  Number(w, "pr_number", report.pr_number);
  Field(w, "pr_url", report.pr_url);
  w.Key("pr_created");
  w.Bool(report.pr_created);
  w.Key("changes");
  w.StartArray();
  for (const auto& [path, kind] : report.changes) {
    w.StartObject();
    Field(w, "path", path);
    Field(w, "change", ChangeKindName(kind));
    w.EndObject();
  }
  w.EndArray();
  Number(w, "unchanged", static_cast<std::int64_t>(report.unchanged));
  Number(w, "blobs_uploaded", static_cast<std::int64_t>(report.blobs_uploaded));
  Field(w, "label", report.review.label);
  w.Key("reviewers");
  w.StartArray();
  for (const auto& login : report.review.reviewers) w.String(login.c_str(), static_cast<rapidjson::SizeType>(login.size()));
  w.EndArray();
  Field(w, "title", report.text.title);
  w.Key("body_trimmed");
  w.Bool(report.text.trimmed);
  Number(w, "requests", report.requests);
  Number(w, "writes", report.writes);
  w.Key("warnings");
  w.StartArray();
  for (const auto& warning : report.warnings) w.String(warning.c_str(), static_cast<rapidjson::SizeType>(warning.size()));
  w.EndArray();
  w.EndObject();
  return Mask(std::string(buffer.GetString(), buffer.GetSize()));
}

std::string ReportMarkdown(const PrReport& report) {
  std::string text = fmt::format("### sluice-pr: {}\n\n{}\n", report.pipeline, Headline(report));
  if (!report.pr_url.empty()) {
    text += fmt::format("\nPR [#{}]({}) {}.\n", report.pr_number, report.pr_url, report.pr_created ? "opened" : "updated");
  }
  if (!report.changes.empty()) {
    text += fmt::format("\n{} added, {} modified, {} deleted, {} unchanged; label `{}`.\n", report.Count(ChangeKind::kAdd),
                        report.Count(ChangeKind::kModify), report.Count(ChangeKind::kDelete), report.unchanged,
                        report.review.label);
  }
  for (const auto& warning : report.warnings) text += "\n> warning: " + warning + "\n";
  return Mask(text);
}

Status PublishToActions(const PrReport& report, actions::ActionsIo& io) {
  SLUICE_RETURN_IF_ERROR(io.SetOutput("pr-number", report.pr_number > 0 ? std::to_string(report.pr_number) : ""));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("pr-url", report.pr_url));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("commit-sha", report.commit_sha));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("changed", report.changed() ? "true" : "false"));
  return io.AppendSummary(ReportMarkdown(report));
}

Status PublishFailure(const std::string& pipeline, const Status& failure, actions::ActionsIo& io) {
  SLUICE_RETURN_IF_ERROR(io.SetOutput("changed", "false"));
  const char* what = failure.kind() == ErrorKind::kUnsafe ? "refused" : "failed";
  return io.AppendSummary(Mask(fmt::format("### sluice-pr: {} {}\n\n{}\n\nSee runbooks/pr-failed.md.\n",
                                           pipeline.empty() ? "run" : pipeline, what, failure.message())));
}

}  // namespace sluice::pr
