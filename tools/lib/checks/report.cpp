#include "checks/report.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "core/secrets.h"
#include "json/json.h"

namespace sluice::checks {
namespace {

using Alloc = rapidjson::Document::AllocatorType;

const char* Verdict(const CheckOutcome& c) {
  if (c.skipped) return "skipped";
  if (c.passed) return "passed";
  if (c.overridden) return "allowed";
  return c.severity == Severity::kError ? "failed" : "warning";
}

const char* Icon(const CheckOutcome& c) {
  if (c.skipped) return "⏭️";
  if (c.passed) return "✅";
  if (c.overridden || c.severity == Severity::kWarn) return "⚠️";
  return "❌";
}

// Errors first, then warnings and allowed failures, then skipped, then passed.
int Rank(const CheckOutcome& c) {
  if (!c.passed && !c.overridden && c.severity == Severity::kError) return 0;
  if (!c.passed) return 1;
  return c.skipped ? 2 : 3;
}

std::string Cell(std::string text) {
  std::string out;
  for (char ch : Mask(text)) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n') out += ' ';
    else out += ch;
  }
  return out;
}

rapidjson::Value Str(const std::string& s, Alloc& a) { return rapidjson::Value(Mask(s), a); }

rapidjson::Value CheckJson(const CheckOutcome& c, Alloc& a) {
  rapidjson::Value item(rapidjson::kObjectType);
  item.AddMember("id", Str(c.id, a), a);
  item.AddMember("type", Str(c.type, a), a);
  item.AddMember("severity", rapidjson::StringRef(SeverityName(c.severity)), a);
  item.AddMember("status", rapidjson::StringRef(Verdict(c)), a);
  item.AddMember("summary", Str(c.summary, a), a);
  item.AddMember("failures", static_cast<uint64_t>(c.failures), a);
  rapidjson::Value examples(rapidjson::kArrayType);
  for (const auto& f : c.examples) {
    rapidjson::Value e(rapidjson::kObjectType);
    e.AddMember("message", Str(f.message, a), a);
    e.AddMember("pointer", Str(f.pointer, a), a);
    e.AddMember("line", static_cast<uint64_t>(f.line), a);
    e.AddMember("column", static_cast<uint64_t>(f.column), a);
    examples.PushBack(e, a);
  }
  item.AddMember("examples", examples, a);
  return item;
}

std::vector<const CheckOutcome*> Sorted(const OutputReport& output) {
  std::vector<const CheckOutcome*> sorted;
  for (const auto& c : output.checks) sorted.push_back(&c);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* x, auto* y) { return Rank(*x) < Rank(*y); });
  return sorted;
}

std::string Headline(const ValidationReport& report) {
  const char* sign = report.errors() > 0 ? "❌ " : report.warnings() > 0 ? "⚠️ " : "✅ ";
  return sign + Verdict(report);
}

}  // namespace

std::string Verdict(const ValidationReport& report) {
  if (report.errors() > 0) return fmt::format("{} check(s) failed", report.errors());
  if (report.warnings() > 0) return fmt::format("passed with {} warning(s): a reviewer should look", report.warnings());
  // Name what ran: a pass must never suggest thresholds were checked when none were.
  std::vector<std::string> ran;
  std::vector<std::string> skipped;
  for (const auto& output : report.outputs) {
    for (const auto& c : output.checks) {
      auto& list = c.skipped ? skipped : ran;
      if (std::find(list.begin(), list.end(), c.type) == list.end()) list.push_back(c.type);
    }
  }
  auto join = [](const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
  };
  std::string text;
  if (ran.empty()) text = "no check ran";
  else if (ran.size() == 1 && ran[0] == "schema") text = "the schema check passed; no data-quality check (counts, thresholds) ran";
  else text = "every check passed (" + join(ran) + ")";
  if (!skipped.empty()) text += "; skipped (the report says why): " + join(skipped);
  return text;
}

std::string ReportJson(const ValidationReport& report) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("pipeline", Str(report.pipeline, a), a);
  doc.AddMember("status", rapidjson::StringRef(report.errors() > 0 ? "failed" : report.warnings() > 0 ? "warnings" : "passed"), a);
  doc.AddMember("errors", report.errors(), a);
  doc.AddMember("warnings", report.warnings(), a);
  doc.AddMember("passed", report.passed(), a);
  doc.AddMember("skipped", report.skipped(), a);
  rapidjson::Value allowed(rapidjson::kArrayType);
  for (const auto& id : report.allowed) allowed.PushBack(Str(id, a), a);
  doc.AddMember("allowed", allowed, a);
  rapidjson::Value outputs(rapidjson::kArrayType);
  for (const auto& o : report.outputs) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("name", Str(o.name, a), a);
    item.AddMember("path", Str(o.path, a), a);
    item.AddMember("previous", Str(o.previous, a), a);
    item.AddMember("records", static_cast<uint64_t>(o.records), a);
    rapidjson::Value checks(rapidjson::kArrayType);
    for (const auto& c : o.checks) checks.PushBack(CheckJson(c, a), a);
    item.AddMember("checks", checks, a);
    outputs.PushBack(item, a);
  }
  doc.AddMember("outputs", outputs, a);
  return json::Write(doc);
}

std::string ReportMarkdown(const ValidationReport& report) {
  std::string md = fmt::format("### sluice-validate{}: {}\n\n", report.pipeline.empty() ? "" : " " + report.pipeline,
                               Headline(report));
  for (const auto& output : report.outputs) {
    md += fmt::format("**{}** (`{}`, {} records{})\n\n| | check | result |\n|---|---|---|\n", output.name, output.path,
                      output.records, output.previous.empty() ? ", no previous version" : ", vs " + output.previous);
    for (const CheckOutcome* c : Sorted(output)) {
      md += fmt::format("| {} | `{}` | {}{} |\n", Icon(*c), c->id, Cell(c->summary),
                        c->overridden ? " (allowed for this run)" : "");
    }
    for (const CheckOutcome* c : Sorted(output)) {
      if (c->passed || c->examples.empty()) continue;
      md += fmt::format("\n<details open><summary><code>{}</code>: {} failing</summary>\n\n", c->id, c->failures);
      for (const auto& f : c->examples) {
        md += f.line > 0 ? fmt::format("- line {} (`{}`): {}\n", f.line, f.pointer, Cell(f.message))
                         : fmt::format("- {}\n", Cell(f.message));
      }
      if (c->failures > c->examples.size()) md += fmt::format("- … and {} more\n", c->failures - c->examples.size());
      md += "\n</details>\n";
    }
    md += "\n";
  }
  return md;
}

std::string ReportText(const ValidationReport& report) {
  std::string text;
  for (const auto& output : report.outputs) {
    text += fmt::format("{} ({}, {} records{})\n", output.name, output.path, output.records,
                        output.previous.empty() ? ", no previous version" : ", vs " + output.previous);
    for (const CheckOutcome* c : Sorted(output)) {
      text += fmt::format("  {:<8} {:<28} {}\n", Verdict(*c), c->id, Mask(c->summary));
      if (c->passed) continue;
      for (const auto& f : c->examples) {
        std::string at = f.pointer.empty() ? "" : fmt::format(" at {}", f.pointer.empty() ? "/" : f.pointer);
        text += f.line > 0 ? fmt::format("           {}:{}:{}{}: {}\n", output.path, f.line, f.column, at, Mask(f.message))
                           : fmt::format("           {}{}\n", Mask(f.message), at);
      }
    }
  }
  text += Headline(report) + "\n";
  return text;
}

Status PublishToActions(const ValidationReport& report, actions::ActionsIo& io) {
  SLUICE_RETURN_IF_ERROR(io.SetOutput("errors", std::to_string(report.errors())));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("warnings", report.warnings() > 0 ? "true" : "false"));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("passed", report.errors() == 0 ? "true" : "false"));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("report", ReportJson(report)));
  if (io.in_actions()) {
    for (const auto& output : report.outputs) {
      for (const auto& c : output.checks) {
        if (c.passed) continue;
        bool error = c.severity == Severity::kError && !c.overridden;
        for (const auto& f : c.examples) {
          io.Annotate(actions::Annotation{error ? actions::AnnotationLevel::kError : actions::AnnotationLevel::kWarning,
                                          f.message, output.path, static_cast<int>(f.line), static_cast<int>(f.column),
                                          "sluice-validate: " + c.id});
        }
      }
    }
  }
  return io.AppendSummary(ReportMarkdown(report));
}

}  // namespace sluice::checks
