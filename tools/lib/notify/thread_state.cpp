#include "notify/thread_state.h"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "core/clock.h"
#include "core/fs.h"
#include "json/json.h"

namespace sluice::notify {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void Field(Writer& writer, const char* name, const std::string& value) {
  writer.Key(name);
  writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

Result<Time> TimeField(const rapidjson::Value& object, const char* name, const std::string& where) {
  auto parsed = ParseTimestamp(json::StringOr(object, name));
  if (!parsed.ok()) return InputError(fmt::format("{}: {}: {}", where, name, parsed.status().message()));
  return parsed;
}

int IntField(const rapidjson::Value& object, const char* name) {
  const auto* value = json::Member(object, name);
  return value != nullptr && value->IsInt() ? value->GetInt() : 0;
}

}  // namespace

RunThread* ThreadState::FindRun(const std::string& pipeline, const std::string& run) {
  for (auto& thread : runs) {
    if (thread.pipeline == pipeline && thread.run == run) return &thread;
  }
  return nullptr;
}

ErrorThread* ThreadState::FindError(const std::string& fingerprint, Time now) {
  for (auto& thread : errors) {
    if (thread.fingerprint == fingerprint && thread.first_at <= now &&
        now - thread.first_at < kGroupingWindow) {
      return &thread;
    }
  }
  return nullptr;
}

void ThreadState::Prune(Time now) {
  runs.erase(std::remove_if(runs.begin(), runs.end(), [&](const RunThread& t) { return now - t.at > std::chrono::hours(24 * 7); }),
             runs.end());
  errors.erase(std::remove_if(errors.begin(), errors.end(),
                              [&](const ErrorThread& t) { return now - t.first_at >= kGroupingWindow; }),
               errors.end());
}

Result<ThreadState> LoadThreadState(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return ThreadState{};
  auto document = json::ParseFile(path);
  if (!document.ok()) return document.status().WithContext("the notify state file (delete it to start over)");
  const std::string where = path.string();
  if (!document->IsObject()) return InputError(where + ": not a sluice-notify state file (delete it to start over)");
  ThreadState state;
  if (const auto* runs = json::Member(*document, "runs"); runs != nullptr && runs->IsArray()) {
    for (const auto& item : runs->GetArray()) {
      auto at = TimeField(item, "at", where);
      if (!at.ok()) return at.status();
      state.runs.push_back({json::StringOr(item, "pipeline"), json::StringOr(item, "run"), json::StringOr(item, "channel"),
                            json::StringOr(item, "ts"), IntField(item, "steps_posted"), *at});
    }
  }
  if (const auto* errors = json::Member(*document, "errors"); errors != nullptr && errors->IsArray()) {
    for (const auto& item : errors->GetArray()) {
      auto first = TimeField(item, "first_at", where);
      if (!first.ok()) return first.status();
      state.errors.push_back({json::StringOr(item, "fingerprint"), json::StringOr(item, "channel"), json::StringOr(item, "ts"),
                              *first, IntField(item, "repeats")});
    }
  }
  if (const auto* pipelines = json::Member(*document, "pipelines"); pipelines != nullptr && pipelines->IsObject()) {
    for (const auto& item : pipelines->GetObject()) {
      PipelineHistory history;
      history.consecutive_failures = IntField(item.value, "consecutive_failures");
      history.last_counted_run = json::StringOr(item.value, "last_counted_run");
      if (json::Member(item.value, "failing_since") != nullptr) {
        auto since = TimeField(item.value, "failing_since", where);
        if (!since.ok()) return since.status();
        history.failing_since = *since;
      }
      history.incident_channel = json::StringOr(item.value, "incident_channel");
      history.incident_ts = json::StringOr(item.value, "incident_ts");
      const auto* escalated = json::Member(item.value, "escalated");
      history.escalated = escalated != nullptr && escalated->IsBool() && escalated->GetBool();
      history.incident_issue = IntField(item.value, "incident_issue");
      history.incident_issue_url = json::StringOr(item.value, "incident_issue_url");
      history.incident_issue_run = json::StringOr(item.value, "incident_issue_run");
      state.pipelines[item.name.GetString()] = std::move(history);
    }
  }
  return state;
}

Status SaveThreadState(const std::filesystem::path& path, const ThreadState& state) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("version");
  writer.Int(1);
  writer.Key("runs");
  writer.StartArray();
  for (const auto& run : state.runs) {
    writer.StartObject();
    Field(writer, "pipeline", run.pipeline);
    Field(writer, "run", run.run);
    Field(writer, "channel", run.channel);
    Field(writer, "ts", run.ts);
    writer.Key("steps_posted");
    writer.Int(run.steps_posted);
    Field(writer, "at", FormatUtc(run.at));
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("errors");
  writer.StartArray();
  for (const auto& error : state.errors) {
    writer.StartObject();
    Field(writer, "fingerprint", error.fingerprint);
    Field(writer, "channel", error.channel);
    Field(writer, "ts", error.ts);
    Field(writer, "first_at", FormatUtc(error.first_at));
    writer.Key("repeats");
    writer.Int(error.repeats);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("pipelines");
  writer.StartObject();
  for (const auto& [name, history] : state.pipelines) {
    writer.Key(name.c_str());
    writer.StartObject();
    writer.Key("consecutive_failures");
    writer.Int(history.consecutive_failures);
    Field(writer, "last_counted_run", history.last_counted_run);
    if (history.failing_since) {
      Field(writer, "failing_since", FormatUtc(*history.failing_since));
      Field(writer, "incident_channel", history.incident_channel);
      Field(writer, "incident_ts", history.incident_ts);
      writer.Key("escalated");
      writer.Bool(history.escalated);
    }
    if (history.incident_issue > 0) {
      writer.Key("incident_issue");
      writer.Int(history.incident_issue);
      Field(writer, "incident_issue_url", history.incident_issue_url);
      Field(writer, "incident_issue_run", history.incident_issue_run);
    }
    writer.EndObject();
  }
  writer.EndObject();
  writer.EndObject();
  std::string text(buffer.GetString(), buffer.GetSize());
  return WriteFileAtomically(path, text + "\n");
}

}  // namespace sluice::notify
