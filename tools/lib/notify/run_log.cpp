#include "notify/run_log.h"

#include <sstream>

#include <fmt/format.h>

#include "core/fs.h"
#include "json/json.h"

namespace sluice::notify {
namespace {

StepRecord FromJson(const rapidjson::Value& line) {
  StepRecord step;
  step.tool = json::StringOr(line, "tool");
  step.pipeline = json::StringOr(line, "pipeline");
  step.status = json::StringOr(line, "status");
  if (const auto* code = json::Member(line, "exit_code"); code != nullptr && code->IsInt()) step.exit_code = code->GetInt();
  step.started_at = json::StringOr(line, "started_at");
  step.finished_at = json::StringOr(line, "finished_at");
  if (const auto* ms = json::Member(line, "duration_ms"); ms != nullptr && ms->IsInt64()) step.duration_ms = ms->GetInt64();
  step.message = json::StringOr(line, "message");
  step.severity = json::StringOr(line, "severity");
  step.target = json::StringOr(line, "target");
  if (const auto* counts = json::Member(line, "counts"); counts != nullptr && counts->IsObject()) {
    for (const auto& count : counts->GetObject()) {
      if (count.value.IsInt64()) step.counts[count.name.GetString()] = count.value.GetInt64();
    }
  }
  if (const auto* links = json::Member(line, "links"); links != nullptr && links->IsObject()) {
    for (const auto& link : links->GetObject()) {
      if (link.value.IsString()) step.links[link.name.GetString()] = link.value.GetString();
    }
  }
  if (const auto* findings = json::Member(line, "findings"); findings != nullptr && findings->IsArray()) {
    for (const auto& item : findings->GetArray()) {
      if (!item.IsObject()) continue;
      const auto* number = json::Member(item, "line");
      step.findings.push_back({json::StringOr(item, "check"), json::StringOr(item, "file"),
                               number != nullptr && number->IsUint64() ? number->GetUint64() : 0,
                               json::StringOr(item, "message")});
    }
  }
  return step;
}

}  // namespace

std::int64_t StepRecord::Count(const std::string& name) const {
  auto found = counts.find(name);
  return found == counts.end() ? 0 : found->second;
}

Result<std::vector<StepRecord>> ReadRunLog(const std::filesystem::path& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status().WithContext("reading the run log");
  std::vector<StepRecord> steps;
  std::istringstream lines(*text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto document = json::Parse(line, fmt::format("{}:{}", path.string(), number));
    if (!document.ok()) return document.status();
    if (!document->IsObject() || json::Member(*document, "tool") == nullptr || !(*document)["tool"].IsString()) {
      return InputError(fmt::format("{}:{}: not a run record (a JSON object with \"tool\"; see schemas/run-record.schema.json)",
                                    path.string(), number));
    }
    steps.push_back(FromJson(*document));
  }
  return steps;
}

std::vector<StepRecord> StepsOf(const std::vector<StepRecord>& records, const std::string& pipeline) {
  std::vector<StepRecord> steps;
  for (const auto& record : records) {
    if (record.tool == "sluice-notify") continue;
    if (record.pipeline == pipeline || record.pipeline.empty()) steps.push_back(record);
  }
  return steps;
}

}  // namespace sluice::notify
