#include "fetch/command_line.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/clock.h"
#include "json/writer.h"
#include "pipeline/manifest.h"

namespace sluice::fetch {
namespace {

namespace fs = std::filesystem;

Result<FetchTarget> AdHocTarget(const CommandLine& cli, const Environment& env) {
  if (cli.out.empty()) return UsageError("--url needs --out FILE");
  auto format = pipeline::FormatFromFlag(cli.format, cli.out);
  if (!format.ok()) return format.status();
  pipeline::Source source;
  source.name = fs::path(cli.out).stem().string();
  source.url = cli.url;
  source.output = cli.out;
  source.format = *format;
  for (const auto& header : cli.headers) {
    size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0) {
      return UsageError(fmt::format("--header '{}': write it as 'Name: value'", header.substr(0, header.find(':'))));
    }
    std::string name = header.substr(0, colon);
    std::string value = header.substr(header.find_first_not_of(' ', colon + 1) == std::string::npos
                                          ? header.size()
                                          : header.find_first_not_of(' ', colon + 1));
    auto expanded = ExpandEnvReferences(value, env, "--header " + name);
    if (!expanded.ok()) return expanded.status();
    source.headers.emplace_back(name, *expanded);
  }
  // An ad-hoc output was typed by the person running the tool: it may go anywhere they can write.
  return FetchTarget{source, fs::absolute(cli.out)};
}

}  // namespace

void AddFetchOptions(CLI::App& app, CommandLine& cli) {
  app.add_option("manifest", cli.manifest, "Pipeline manifest, relative to the workspace (pipelines/<name>.json)");
  app.add_option("--source", cli.only_sources, "Fetch only this source of the manifest (repeatable)");
  app.add_option("--url", cli.url, "Ad hoc: fetch this URL (http, https, file) instead of a manifest");
  app.add_option("--out", cli.out, "Ad hoc: write the data here (atomically)");
  app.add_option("--format", cli.format, "Ad hoc: json, ndjson or csv (default: from --out's extension)");
  app.add_option("--header", cli.headers, "Ad hoc: request header 'Name: value'; ${VAR} is expanded and masked");
  app.add_option("--workspace", cli.workspace, "Data repository root (default: $GITHUB_WORKSPACE, else the current directory)");
  app.add_option("--state", cli.state_file, "ETag/Last-Modified state file (default: .sluice/state/<pipeline>.fetch.json)");
  app.add_flag("--no-state", cli.no_state, "Send no conditional requests and keep no state");
  app.add_option("--max-bytes", cli.max_bytes, "Largest body accepted per source, e.g. 500M (default: the manifest's, else none)");
  app.add_option("--timeout", cli.timeout_seconds, "Seconds one attempt may take (default: the manifest's, else 120)")
      ->check(CLI::PositiveNumber);
  app.add_option("--attempts", cli.attempts, "Tries per source, the first included (default: the manifest's, else 3)")
      ->check(CLI::Range(1, 10));
  app.add_option("--retry-budget", cli.retry_budget_seconds, "Seconds all retries together may wait")->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--when-due", cli.when_due,
               "Fetch only when the manifest's schedule says this run is due, once per slot (runs not started by "
               "the schedule are always due); writes due=true/false");
  app.add_option("--schedule-state", cli.schedule_state,
                 "Where the last slot run is kept (default .sluice/state/<pipeline>.schedule.json; cache it between runs)");
  app.add_option("--now", cli.now,
                 "With --when-due: decide as of this time (ISO-8601 with offset; default $SLUICE_NOW, else the clock)");
  app.add_option("--parallel", cli.parallel, "Sources fetched at once")->capture_default_str()->check(CLI::Range(1, 64));
}

Result<std::uint64_t> ParseByteSize(const std::string& text) {
  if (text.empty()) return UsageError("empty size");
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 15) return UsageError(fmt::format("'{}' is not a size: write e.g. 1048576, 512K, 100M or 2G", text));
  std::uint64_t value = std::stoull(text.substr(0, digits));
  std::string unit = text.substr(digits);
  if (unit.empty() || unit == "B") return value;
  if (unit == "K" || unit == "KiB") return value << 10;
  if (unit == "M" || unit == "MiB") return value << 20;
  if (unit == "G" || unit == "GiB") return value << 30;
  return UsageError(fmt::format("'{}' is not a size: write e.g. 1048576, 512K, 100M or 2G", text));
}

namespace {

// --when-due: runs the schedule did not start (by hand, a dispatch) are always due, as is every
// run of a pipeline without a schedule; otherwise the schedule decides, and a due slot is
// recorded in the state before anything is fetched.
Result<pipeline::ScheduleDecision> DecideWhenDue(const CommandLine& cli, const Environment& env,
                                                 const pipeline::Manifest& manifest, const fs::path& workspace) {
  pipeline::ScheduleDecision decision;
  const std::string event = env.GetOr("GITHUB_EVENT_NAME", "");
  if (!event.empty() && event != "schedule") {
    decision.due = true;
    decision.reason = fmt::format("started by {}, not by the schedule: due", event);
    return decision;
  }
  if (!manifest.schedule) {
    decision.due = true;
    decision.reason = "the manifest has no schedule: every run is due";
    return decision;
  }
  Time now = std::chrono::system_clock::now();
  const std::string now_text = !cli.now.empty() ? cli.now : env.GetOr("SLUICE_NOW", "");
  if (!now_text.empty()) {
    auto parsed = ParseTimestamp(now_text);
    if (!parsed.ok()) return parsed.status().WithContext("--now");
    now = *parsed;
  }
  const fs::path state = cli.schedule_state.empty()
                             ? workspace / ".sluice" / "state" / (manifest.name + ".schedule.json")
                             : fs::absolute(cli.schedule_state);
  auto last = pipeline::ReadLastSlot(state);
  if (!last.ok()) return last.status();
  auto decided = pipeline::DecideSchedule(*manifest.schedule, now, *last);
  if (!decided.ok()) return decided.status();
  if (decided->due) SLUICE_RETURN_IF_ERROR(pipeline::WriteLastSlot(state, *decided->slot));
  return decided;
}

}  // namespace

Result<FetchPlan> PlanFromCommandLine(const CommandLine& cli, const Environment& env) {
  if (cli.manifest.empty() == cli.url.empty()) {
    return UsageError("name a pipeline manifest, or --url and --out for an ad hoc fetch (not both)");
  }
  FetchPlan plan;
  std::string workspace = cli.workspace.empty() ? env.GetOr("GITHUB_WORKSPACE", ".") : cli.workspace;
  plan.options.workspace = fs::absolute(workspace);
  if (!cli.max_bytes.empty()) {
    auto bytes = ParseByteSize(cli.max_bytes);
    if (!bytes.ok()) return bytes.status().WithContext("--max-bytes");
    plan.options.max_bytes = *bytes;
  }
  if (cli.timeout_seconds) plan.options.timeout = std::chrono::seconds(*cli.timeout_seconds);
  plan.options.attempts = cli.attempts;
  plan.options.retry.budget = std::chrono::seconds(cli.retry_budget_seconds);
  plan.options.max_parallel = cli.parallel;

  if (!cli.url.empty()) {
    // A schedule lives in a manifest: an ad hoc fetch has none to be due by.
    if (cli.when_due) return UsageError("--when-due needs a pipeline manifest (its schedule), not --url");
    auto target = AdHocTarget(cli, env);
    if (!target.ok()) return target.status();
    plan.targets.push_back(std::move(target).value());
    if (!cli.state_file.empty() && !cli.no_state) plan.options.state_file = fs::absolute(cli.state_file);
    return plan;
  }
  auto manifest = pipeline::LoadManifest(cli.manifest, plan.options.workspace, env);
  if (!manifest.ok()) return manifest.status();
  plan.pipeline = manifest->name;
  auto targets = PlanFetch(*manifest, plan.options.workspace, cli.only_sources);
  if (!targets.ok()) return targets.status();
  plan.targets = std::move(targets).value();
  if (!cli.no_state) {
    plan.options.state_file = cli.state_file.empty()
                                  ? plan.options.workspace / ".sluice" / "state" / (manifest->name + ".fetch.json")
                                  : fs::absolute(cli.state_file);
  }
  if (cli.when_due) {
    auto decision = DecideWhenDue(cli, env, *manifest, plan.options.workspace);
    if (!decision.ok()) return decision.status();
    plan.schedule = std::move(decision).value();
  }
  return plan;
}

Status PublishSkipped(const FetchPlan& plan, actions::ActionsIo& io) {
  SLUICE_RETURN_IF_ERROR(io.SetOutput("due", "false"));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("changed", "false"));
  SLUICE_RETURN_IF_ERROR(io.SetOutput("failed", "0"));
  return io.AppendSummary(fmt::format("### sluice-fetch: {} skipped\n\nNot fetched: {}.\n", plan.pipeline,
                                      plan.schedule->reason));
}

std::string SkippedReport(const FetchPlan& plan, bool json) {
  if (!json) return fmt::format("{}: not fetched: {}\n", plan.pipeline, plan.schedule->reason);
  return json::Object([&](json::TextWriter& w) {
           json::Field(w, "pipeline", plan.pipeline);
           w.Key("due");
           w.Bool(false);
           json::Field(w, "reason", plan.schedule->reason);
           json::Field(w, "next", plan.schedule->next_text);
         }) +
         "\n";
}

pipeline::RunRecord SkippedRunRecord(const FetchPlan& plan, std::chrono::system_clock::time_point started) {
  pipeline::RunRecord record = pipeline::NewRunRecord("sluice-fetch", plan.pipeline, Status::Ok(), kExitOk, started);
  record.status = "skipped";
  record.message = "not fetched: " + plan.schedule->reason;
  record.counts = {{"sources", 0}, {"failed", 0}, {"bytes", 0}, {"retries", 0}};
  return record;
}

pipeline::RunRecord RunRecordFor(const FetchReport& report, const std::string& pipeline, const Status& status,
                                 std::chrono::system_clock::time_point started) {
  pipeline::RunRecord record = pipeline::NewRunRecord("sluice-fetch", pipeline, status, status.exit_code(), started);
  if (status.ok()) {
    record.status = report.changed() ? "success" : "unchanged";
    record.message = report.changed() ? "new data fetched" : "every source unchanged";
  }
  // Counted on failure too: "failed" then says how many sources failed.
  std::int64_t bytes = 0;
  std::int64_t retries = 0;
  for (const auto& s : report.sources) {
    bytes += static_cast<std::int64_t>(s.bytes);
    retries += s.attempts > 1 ? s.attempts - 1 : 0;
  }
  record.counts = {{"sources", static_cast<std::int64_t>(report.sources.size())},
                   {"failed", report.failed()},
                   {"bytes", bytes},
                   {"retries", retries}};
  return record;
}

}  // namespace sluice::fetch
