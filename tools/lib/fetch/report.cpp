#include "fetch/report.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "core/secrets.h"
#include "json/json.h"

namespace sluice::fetch {
namespace {

std::string HumanBytes(std::uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", bytes / 1024.0);
  if (bytes < 1024ULL * 1024 * 1024) return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024));
  return fmt::format("{:.2f} GiB", bytes / (1024.0 * 1024 * 1024));
}

std::string StateText(const SourceOutcome& source) {
  if (source.not_modified) return "unchanged (304 Not Modified)";
  return SourceStateName(source.state);
}

std::string MarkdownCell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += "<br>";
    else out += c;
  }
  return out;
}

}  // namespace

std::string ReportJson(const FetchReport& report, const std::string& pipeline) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("pipeline", rapidjson::Value(pipeline, a), a);
  doc.AddMember("changed", report.changed(), a);
  doc.AddMember("failed", report.failed(), a);
  doc.AddMember("duration_ms", static_cast<int64_t>(report.duration.count()), a);
  rapidjson::Value sources(rapidjson::kArrayType);
  for (const auto& s : report.sources) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("name", rapidjson::Value(s.name, a), a);
    item.AddMember("output", rapidjson::Value(s.output, a), a);
    item.AddMember("origin", rapidjson::Value(s.origin, a), a);
    item.AddMember("state", rapidjson::StringRef(SourceStateName(s.state)), a);
    item.AddMember("not_modified", s.not_modified, a);
    item.AddMember("sha256", rapidjson::Value(s.sha256, a), a);
    item.AddMember("bytes", static_cast<uint64_t>(s.bytes), a);
    item.AddMember("http_status", static_cast<int64_t>(s.http_status), a);
    item.AddMember("attempts", s.attempts, a);
    item.AddMember("duration_ms", static_cast<int64_t>(s.duration.count()), a);
    if (!s.error.ok()) item.AddMember("error", rapidjson::Value(Mask(s.error.message()), a), a);
    rapidjson::Value log(rapidjson::kArrayType);
    for (const auto& line : s.attempt_log) log.PushBack(rapidjson::Value(Mask(line), a), a);
    item.AddMember("attempt_log", log, a);
    sources.PushBack(item, a);
  }
  doc.AddMember("sources", sources, a);
  rapidjson::Value warnings(rapidjson::kArrayType);
  for (const auto& w : report.warnings) warnings.PushBack(rapidjson::Value(Mask(w), a), a);
  doc.AddMember("warnings", warnings, a);
  return json::Write(doc);
}

std::string ReportMarkdown(const FetchReport& report, const std::string& pipeline) {
  std::string md = fmt::format("### sluice-fetch{}\n\n", pipeline.empty() ? "" : ": " + pipeline);
  if (report.failed() > 0) {
    md += fmt::format("**{} of {} sources failed**; their previous data is untouched.\n\n", report.failed(),
                      report.sources.size());
  } else {
    md += report.changed() ? "New data fetched.\n\n" : "Every source is unchanged.\n\n";
  }
  md += "| source | state | HTTP | bytes | sha256 | attempts | time |\n|---|---|---|---|---|---|---|\n";
  for (const auto& s : report.sources) {
    md += fmt::format("| `{}` | {} | {} | {} | `{}` | {} | {:.1f} s |\n", s.name, StateText(s),
                      s.http_status == 0 ? std::string("–") : std::to_string(s.http_status), HumanBytes(s.bytes),
                      s.sha256.substr(0, 12), s.attempts, s.duration.count() / 1000.0);
  }
  for (const auto& s : report.sources) {
    if (s.error.ok()) continue;
    md += fmt::format("\n**{}** ({}): {}\n", s.name, MarkdownCell(s.origin), MarkdownCell(Mask(s.error.message())));
  }
  for (const auto& w : report.warnings) md += fmt::format("\n> warning: {}\n", MarkdownCell(Mask(w)));
  return md;
}

std::string ReportText(const FetchReport& report) {
  std::string text;
  for (const auto& s : report.sources) {
    if (s.state == SourceState::kFailed) {
      // The reason follows on stderr, in the one error that lists every failed source.
      text += fmt::format("✗ {:<16} failed     {}\n", s.name, s.origin);
      continue;
    }
    text += fmt::format("✓ {:<16} {:<10} {:>10}  sha256:{}  {} in {:.2f} s\n", s.name, StateText(s),
                        HumanBytes(s.bytes), s.sha256.substr(0, 12), s.output, s.duration.count() / 1000.0);
  }
  for (const auto& w : report.warnings) text += fmt::format("warning: {}\n", Mask(w));
  return text;
}

Status PublishToActions(const FetchReport& report, const std::string& pipeline, actions::ActionsIo& io) {
  io.MaskRegisteredSecrets();
  SLUICE_RETURN_IF_ERROR(io.SetOutput("changed", report.changed() ? "true" : "false"));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("failed", std::to_string(report.failed())));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("sources", ReportJson(report, pipeline)));
  for (const auto& s : report.sources) {
    // Outside Actions the terminal report already says it; an annotation would repeat it.
    if (s.error.ok() || !io.in_actions()) continue;
    io.Annotate(actions::Annotation{actions::AnnotationLevel::kError, Mask(s.error.message()), "", 0, 0,
                                    fmt::format("sluice-fetch: source '{}' failed", s.name)});
  }
  return io.AppendSummary(ReportMarkdown(report, pipeline));
}

}  // namespace sluice::fetch
