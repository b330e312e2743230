#include "pipeline/run_record.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/secrets.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0-unknown"
#endif

namespace sluice::pipeline {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// "2024-05-01T16:00:00.123Z": UTC always, so records from runners in any zone sort as text.
std::string IsoUtc(std::chrono::system_clock::time_point when) {
  auto millis = std::chrono::time_point_cast<std::chrono::milliseconds>(when);
  auto since_epoch = millis.time_since_epoch().count();
  std::time_t seconds = static_cast<std::time_t>(since_epoch / 1000);
  long long fraction = since_epoch % 1000;
  if (fraction < 0) {  // before 1970: floor, not truncate
    fraction += 1000;
    --seconds;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, fraction);
}

// Strings are masked one by one before they are written, so an escaped secret (a quote or a
// backslash inside it) cannot slip past Mask() and the line stays valid JSON.
void MaskedString(Writer& writer, std::string_view text) {
  std::string masked = Mask(text);
  writer.String(masked.data(), static_cast<rapidjson::SizeType>(masked.size()));
}

void Field(Writer& writer, const char* name, std::string_view text) {
  writer.Key(name);
  MaskedString(writer, text);
}

}  // namespace

std::string RunUrl(const Environment& env) {
  auto server = env.Get("GITHUB_SERVER_URL");
  auto repository = env.Get("GITHUB_REPOSITORY");
  auto run_id = env.Get("GITHUB_RUN_ID");
  if (!server || !repository || !run_id || server->empty() || repository->empty() || run_id->empty()) return "";
  std::string link = fmt::format("{}/{}/actions/runs/{}", *server, *repository, *run_id);
  auto attempt = env.Get("GITHUB_RUN_ATTEMPT");
  if (attempt && !attempt->empty() && *attempt != "1") link += "/attempts/" + *attempt;
  return link;
}

namespace {

std::string HostName(const Environment& env) {
  if (auto runner = env.Get("RUNNER_NAME"); runner && !runner->empty()) return *runner;
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "";
  return name;
}

void WriteLinks(Writer& writer, const RunRecord& record, const Environment& env) {
  std::map<std::string, std::string> links = record.links;
  if (std::string run = RunUrl(env); !run.empty()) links.emplace("run", run);
  writer.Key("links");
  writer.StartObject();
  for (const auto& [name, url] : links) Field(writer, name.c_str(), url);
  writer.EndObject();
}

Status WriteAll(int fd, const std::string& line, const std::string& path) {
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return InputError(fmt::format("cannot append to run log {}: {}", path, std::strerror(errno)));
    done += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

RunRecord NewRunRecord(std::string tool, std::string pipeline, const Status& outcome, int exit_code,
                       std::chrono::system_clock::time_point started) {
  RunRecord record;
  record.tool = std::move(tool);
  record.pipeline = std::move(pipeline);
  record.status = outcome.ok() ? "success" : "failure";
  record.exit_code = exit_code;
  record.started_at = started;
  record.finished_at = std::chrono::system_clock::now();
  record.message = outcome.message();
  return record;
}

std::string RunRecordJson(const RunRecord& record, const Environment& env) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  Field(writer, "tool", record.tool);
  Field(writer, "version", SLUICE_VERSION);
  Field(writer, "pipeline", record.pipeline);
  Field(writer, "status", record.status);
  writer.Key("exit_code");
  writer.Int(record.exit_code);
  Field(writer, "started_at", IsoUtc(record.started_at));
  Field(writer, "finished_at", IsoUtc(record.finished_at));
  writer.Key("duration_ms");
  auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(record.finished_at - record.started_at);
  writer.Int64(std::max<std::int64_t>(0, duration.count()));  // a clock step back is not a negative run
  Field(writer, "message", record.message);
  if (!record.severity.empty()) Field(writer, "severity", record.severity);
  if (!record.target.empty()) Field(writer, "target", record.target);
  writer.Key("counts");
  writer.StartObject();
  for (const auto& [name, count] : record.counts) {
    writer.Key(name.c_str());
    writer.Int64(count);
  }
  writer.EndObject();
  WriteLinks(writer, record, env);
  if (!record.findings.empty()) {
    writer.Key("findings");
    writer.StartArray();
    for (std::size_t i = 0; i < record.findings.size() && i < kMaxRunFindings; ++i) {
      const RunFinding& finding = record.findings[i];
      writer.StartObject();
      Field(writer, "check", finding.check);
      Field(writer, "file", finding.file);
      writer.Key("line");
      writer.Uint64(finding.line);
      Field(writer, "message", finding.message);
      writer.EndObject();
    }
    writer.EndArray();
  }
  if (std::string host = HostName(env); !host.empty()) Field(writer, "host", host);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Status AppendRunRecord(const RunRecord& record, const Environment& env) {
  auto path = env.Get("SLUICE_RUN_LOG");
  if (!path || path->empty()) return Status::Ok();
  std::string line = RunRecordJson(record, env) + "\n";
  int fd = ::open(path->c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return InputError(fmt::format("cannot open run log {}: {}", *path, std::strerror(errno)));
  // One write() of the whole line: with O_APPEND concurrent steps' lines do not interleave.
  Status status = WriteAll(fd, line, *path);
  if (::close(fd) != 0 && status.ok()) {
    status = InputError(fmt::format("cannot close run log {}: {}", *path, std::strerror(errno)));
  }
  return status;
}

}  // namespace sluice::pipeline
