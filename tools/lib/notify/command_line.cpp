#include "notify/command_line.h"

#include <filesystem>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "actions_io/actions_io.h"
#include "core/clock.h"
#include "core/secrets.h"
#include "github/api.h"
#include "json/json.h"
#include "notify/incident_issue.h"
#include "notify/routes.h"

namespace sluice::notify {
namespace fs = std::filesystem;
namespace {

bool Truthy(const std::string& value) { return value == "1" || value == "true" || value == "yes" || value == "on"; }

// Where runbooks/<class>.md is read: --runbooks-url, $SLUICE_RUNBOOKS_URL, else the repository's
// default branch on GitHub (from the event payload; "main" when it does not say), else a path.
std::string RunbooksBase(const CommandLine& cli, const Environment& env) {
  if (!cli.runbooks_url.empty()) return cli.runbooks_url;
  if (auto base = env.Get("SLUICE_RUNBOOKS_URL"); base && !base->empty()) return *base;
  std::string server = env.GetOr("GITHUB_SERVER_URL", "");
  std::string repository = env.GetOr("GITHUB_REPOSITORY", "");
  if (server.empty() || repository.empty()) return "runbooks";
  std::string branch = "main";
  std::ostringstream ignored;
  actions::ActionsIo io(env, ignored);
  if (auto event = io.EventPayload(); event.ok() && event->has_value()) {
    if (const auto* repo = json::Member(**event, "repository"); repo != nullptr && repo->IsObject()) {
      branch = json::StringOr(*repo, "default_branch", branch);
    }
  }
  return fmt::format("{}/{}/blob/{}/runbooks", server, repository, branch);
}

std::string PipelineRunbook(const pipeline::Manifest& manifest, const Environment& env) {
  if (manifest.runbook.empty() || manifest.runbook.find("://") != std::string::npos) return manifest.runbook;
  std::string server = env.GetOr("GITHUB_SERVER_URL", "");
  std::string repository = env.GetOr("GITHUB_REPOSITORY", "");
  std::string ref = env.GetOr("GITHUB_SHA", "");
  if (server.empty() || repository.empty() || ref.empty()) return manifest.runbook;
  return fmt::format("{}/{}/blob/{}/{}", server, repository, ref, manifest.runbook);
}

Links LinksFor(const RunOutcome& outcome, const pipeline::Manifest& manifest, const std::string& runbooks,
               const Environment& env) {
  Links links;
  links.run = outcome.run_url.empty() ? pipeline::RunUrl(env) : outcome.run_url;
  links.pr = outcome.pr_url;
  if (!outcome.failure_class.empty()) links.runbook = fmt::format("{}/{}.md", runbooks, outcome.failure_class);
  links.pipeline_runbook = PipelineRunbook(manifest, env);
  return links;
}

std::string RunId(const CommandLine& cli, const Environment& env, Time now) {
  if (!cli.run_id.empty()) return cli.run_id;
  if (auto id = env.Get("GITHUB_RUN_ID"); id && !id->empty()) return *id;
  // Outside Actions every invocation is a run of its own.
  return "local-" + FormatUtc(now);
}

struct Context {
  const CommandLine& cli;
  const Environment& env;
  fs::path workspace;
  Time now;
  std::string run_id;
  ThreadState state;
  SlackSender* sender;
};

// The incident issue's GitHub side when the manifest turns it on: the token in
// $GITHUB_TOKEN (or --github-token-env), GITHUB_REPOSITORY, GITHUB_API_URL. Without them the
// tracker says what to set when it has something to do.
std::unique_ptr<IncidentTracker> TrackerFor(const pipeline::Manifest& manifest, const CommandLine& cli, const Environment& env) {
  IncidentIssueConfig config = ReadIncidentIssueConfig(manifest);
  if (!config.enabled) return nullptr;
  if (env.GetOr(cli.github_token_env, "").empty()) {
    return std::make_unique<IncidentTracker>(
        nullptr,
        ConfigError(fmt::format("notify.incident_issue is on but ${} is empty or unset: pass the workflow's token to the "
                                "step (github-token: ${{{{ github.token }}}}, with `issues: write` in its permissions:)",
                                cli.github_token_env)),
        config);
  }
  auto api = github::ApiConfigFromEnv(env, "", cli.github_token_env);  // registers the token as a secret
  if (!api.ok()) return std::make_unique<IncidentTracker>(nullptr, api.status(), config);
  return std::make_unique<IncidentTracker>(std::make_unique<github::Api>(*api), Status::Ok(), config);
}

Status NotifyRunOf(Context& context, NotifyReport& report, std::string& pipeline_name) {
  const CommandLine& cli = context.cli;
  if (cli.manifests.size() != 1) {
    return UsageError(fmt::format("give one manifest (got {}); --watch checks several", cli.manifests.size()));
  }
  auto manifest = pipeline::LoadManifest(cli.manifests[0], context.workspace, context.env);
  if (!manifest.ok()) return manifest.status();
  pipeline_name = manifest->name;
  std::string log = cli.run_log.empty() ? context.env.GetOr("SLUICE_RUN_LOG", "") : cli.run_log;
  if (log.empty() && cli.job_status.empty()) {
    return UsageError("no run log: set SLUICE_RUN_LOG (as the workflow does for every sluice step) or give --run-log "
                      "(or --job-status to announce the job without one)");
  }
  std::vector<StepRecord> records;
  std::error_code exists_error;
  if (!log.empty() && fs::exists(log, exists_error)) {
    auto read = ReadRunLog(log);
    if (!read.ok()) return read.status();
    records = std::move(read).value();
  } else if (cli.job_status.empty()) {
    return InputError(fmt::format("the run log {} does not exist: no sluice step ran in this job (give --job-status "
                                  "${{{{ job.status }}}} to announce the job anyway)", log));
  }
  RunOutcome outcome = DecideOutcome(StepsOf(records, manifest->name), cli.job_status,
                                     Truthy(context.env.GetOr("SLUICE_PAUSED", "")));
  NoticeRequest request{&*manifest, outcome, {}, context.run_id, context.now, cli.dry_run, std::nullopt};
  request.links = LinksFor(outcome, *manifest, RunbooksBase(cli, context.env), context.env);
  std::unique_ptr<IncidentTracker> tracker = TrackerFor(*manifest, cli, context.env);
  if (tracker && outcome.event == Event::kFailure && !cli.dry_run && !manifest->production_target.empty()) {
    request.live = ReadLiveStatus(*manifest, context.workspace, context.env);
  }
  report.notices.push_back(
      Announce(request, ReadNotifyConfig(*manifest), context.env, context.sender, context.state, tracker.get()));
  return Status::Ok();
}

// Production is fresh again after the watch found it late: the lateness is over. Its incident
// issue (when the watch opened or joined one) hears of the publish that mended it and is closed,
// the late data's Slack thread is told (AnnounceFreshAgain), and the SLA's history is forgotten,
// so that the next breach is a new incident with its own thread. Kept when GitHub refused the
// closing or Slack the post: the next watch tries again. A dry run shows the post and keeps all.
void FreshAgain(Context& context, const pipeline::Manifest& manifest, IncidentTracker* tracker, Freshness& freshness,
                NotifyReport& report) {
  auto known = context.state.pipelines.find(manifest.name + "#sla");
  if (known == context.state.pipelines.end()) return;
  PipelineHistory& history = known->second;
  RunOutcome outcome;
  outcome.event = Event::kPublished;
  outcome.published_to = "production";
  outcome.headline = fmt::format("production data fresh again ({:.1f} h old, SLA {:g} h)", freshness.age_hours,
                                 freshness.max_age_hours);
  outcome.detail = fmt::format("{} was published at {} (commit {}).", freshness.target,
                               freshness.published_at ? FormatUtc(*freshness.published_at) : "?",
                               freshness.commit.empty() ? "unknown" : freshness.commit.substr(0, 12));
  Links links = LinksFor(outcome, manifest, RunbooksBase(context.cli, context.env), context.env);
  links.run = pipeline::RunUrl(context.env);
  const std::string run_id = "watch-" + FormatUtc(context.now);
  if (tracker != nullptr && history.incident_issue > 0 && !context.cli.dry_run) {
    freshness.incident = tracker->Resolved(manifest.name, outcome, links, run_id, &history);
    if (!freshness.incident.problem.ok()) return;
  }
  NoticeRequest request{&manifest, outcome, links, run_id, context.now, context.cli.dry_run, std::nullopt};
  Notice notice = AnnounceFreshAgain(request, ReadNotifyConfig(manifest), context.env, context.sender, history,
                                     freshness.incident);
  const bool told = notice.sent.ok();
  if (!notice.posts.empty() || !told) report.notices.push_back(std::move(notice));
  if (told && !context.cli.dry_run) context.state.pipelines.erase(known);
}

void Watch(Context& context, NotifyReport& report) {
  const std::string runbooks = RunbooksBase(context.cli, context.env);
  for (const std::string& file : context.cli.manifests) {
    auto manifest = pipeline::LoadManifest(file, context.workspace, context.env);
    if (!manifest.ok()) {
      report.problems.push_back(manifest.status());
      continue;
    }
    // An incident open past owners.escalate_after_hours is escalated even when no run comes to tell.
    NoticeRequest overdue_request{&*manifest, {}, {}, "", context.now, context.cli.dry_run, std::nullopt};
    Notice overdue = EscalateOverdue(overdue_request, ReadNotifyConfig(*manifest), context.env, context.sender, context.state);
    if (!overdue.posts.empty() || !overdue.sent.ok()) report.notices.push_back(std::move(overdue));
    auto freshness = CheckFreshness(*manifest, context.workspace, context.env, context.now);
    if (!freshness.ok()) {
      report.problems.push_back(freshness.status().WithContext(manifest->name));
      continue;
    }
    std::unique_ptr<IncidentTracker> tracker = TrackerFor(*manifest, context.cli, context.env);
    if (!freshness->late) {
      FreshAgain(context, *manifest, tracker.get(), *freshness, report);
      report.freshness.push_back(*freshness);
      continue;
    }
    report.freshness.push_back(*freshness);
    NoticeRequest request{&*manifest, LateOutcome(*freshness), {}, "watch-" + FormatUtc(context.now), context.now,
                          context.cli.dry_run, std::nullopt};
    request.links = LinksFor(request.outcome, *manifest, runbooks, context.env);
    request.links.run = pipeline::RunUrl(context.env);
    if (tracker && !context.cli.dry_run) request.live = ReadLiveStatus(*manifest, context.workspace, context.env);
    report.notices.push_back(
        Announce(request, ReadNotifyConfig(*manifest), context.env, context.sender, context.state, tracker.get()));
  }
}

// --who-is-on-call: the answer for each manifest, nothing posted.
Status WhoIsOnCallFor(Context& context, NotifyReport& report) {
  Time at = context.now;
  if (!context.cli.at.empty()) {
    auto parsed = ParseTimestamp(context.cli.at);
    if (!parsed.ok()) return UsageError("--at " + parsed.status().message());
    at = *parsed;
  }
  for (const std::string& file : context.cli.manifests) {
    auto manifest = pipeline::LoadManifest(file, context.workspace, context.env);
    if (!manifest.ok()) return manifest.status();
    auto answer = WhoIsOnCall(*manifest, at);
    if (!answer.ok()) return answer.status();
    report.on_call.emplace_back(manifest->name, std::move(answer).value());
  }
  return Status::Ok();
}

}  // namespace

void AddNotifyOptions(CLI::App& app, CommandLine& cli) {
  app.add_option("manifests", cli.manifests, "The pipeline manifest (pipelines/<name>.json); with --watch, any number");
  app.add_flag("--watch", cli.watch, "SLA watch: tell the owners of every pipeline whose production data is older than "
                                     "its sla.max_age_hours (exit 1 when any is late)");
  app.add_flag("--who-is-on-call", cli.who_is_on_call, "Print who is on call for each manifest (its \"oncall\" set-up) and "
                                                      "why; post nothing")
      ->excludes("--watch");
  app.add_option("--at", cli.at, "With --who-is-on-call: the moment to ask about, ISO-8601 with an offset (default: "
                                 "--now, else now)");
  app.add_flag("--dry-run", cli.dry_run, "Print the payloads (secrets masked); send nothing, write no state");
  app.add_option("--state", cli.state, "The thread state file the workflow caches (threads, repeated errors, consecutive "
                                       "failures); written atomically");
  app.add_option("--run-log", cli.run_log, "The run records to announce (default $SLUICE_RUN_LOG)");
  app.add_option("--job-status", cli.job_status, "The job's status (${{ job.status }}): a failed job is announced even "
                                                 "when no sluice step failed")
      ->check(CLI::IsMember({"success", "failure", "cancelled"}));
  app.add_option("--run-id", cli.run_id, "Identifies the run in the state file (default $GITHUB_RUN_ID)");
  app.add_option("--now", cli.now, "The time to act at, ISO-8601 with an offset (default: now)");
  app.add_option("--runbooks-url", cli.runbooks_url, "Where runbooks/<class>.md are (default $SLUICE_RUNBOOKS_URL, else "
                                                     "the repository's default branch on GitHub)");
  app.add_option("--github-token-env", cli.github_token_env, "The variable holding the GitHub token for the incident "
                                                             "issue (notify.incident_issue; needs issues: write)")
      ->capture_default_str();
  app.add_option("--workspace", cli.workspace, "The data repository's root (default: $GITHUB_WORKSPACE, else .)");
  app.add_option("--min-interval-ms", cli.min_interval_ms, "Least time between two posts to one channel (Slack allows "
                                                           "about one a second)")
      ->capture_default_str()
      ->check(CLI::Range(0, 60'000));
}

Status NotifyReport::status() const {
  for (const auto& problem : problems) {
    if (!problem.ok()) return problem;
  }
  for (const auto& notice : notices) {
    if (!notice.sent.ok()) return notice.sent.WithContext(notice.pipeline);
  }
  return Status::Ok();
}

std::vector<Status> NotifyReport::warnings() const {
  std::vector<Status> out;
  for (const auto& notice : notices) {
    if (!notice.incident.problem.ok()) out.push_back(notice.incident.problem.WithContext(notice.pipeline));
  }
  for (const auto& f : freshness) {
    if (!f.incident.problem.ok()) out.push_back(f.incident.problem.WithContext(f.pipeline));
  }
  return out;
}

int NotifyReport::exit_code() const {
  if (Status failed = status(); !failed.ok()) return failed.exit_code();
  for (const Status& warning : warnings()) return warning.exit_code();
  return late() > 0 ? kExitNo : kExitOk;
}

int NotifyReport::late() const {
  int n = 0;
  for (const auto& f : freshness) n += f.late;
  return n;
}

NotifyRun RunFromCommandLine(const CommandLine& cli, const Environment& env) {
  NotifyRun run{"", InternalError("not run"), std::chrono::system_clock::now()};
  if (!cli.now.empty()) {
    auto now = ParseTimestamp(cli.now);
    if (!now.ok()) {
      run.report = UsageError("--now " + now.status().message());
      return run;
    }
    run.now = *now;
  }
  if (cli.manifests.empty()) {
    run.report = UsageError("give the pipeline manifest (pipelines/<name>.json), or --watch with manifests");
    return run;
  }
  if (!cli.at.empty() && !cli.who_is_on_call) {
    run.report = UsageError("--at asks --who-is-on-call about a moment; to act at another time, give --now");
    return run;
  }
  const std::string token = env.GetOr("SLACK_BOT_TOKEN", "");
  RegisterSecret(token);
  http::RetryPolicy policy;
  policy.attempts = 4;
  http::Client client(policy);
  SlackSender sender(client, env.GetOr("SLACK_API_URL", "https://slack.com/api"), token,
                     std::chrono::milliseconds(cli.min_interval_ms));
  Context context{cli, env, fs::absolute(cli.workspace.empty() ? env.GetOr("GITHUB_WORKSPACE", ".") : cli.workspace).lexically_normal(),
                  run.now, RunId(cli, env, run.now), {}, &sender};
  if (!cli.state.empty()) {
    auto state = LoadThreadState(cli.state);
    if (!state.ok()) {
      run.report = state.status();
      return run;
    }
    context.state = std::move(state).value();
    context.state.Prune(run.now);
  }
  NotifyReport report;
  report.dry_run = cli.dry_run;
  report.watch = cli.watch;
  if (cli.who_is_on_call) {
    if (Status status = WhoIsOnCallFor(context, report); !status.ok()) run.report = status;
    else run.report = std::move(report);
    return run;
  }
  if (cli.watch) {
    Watch(context, report);
  } else if (Status status = NotifyRunOf(context, report, run.pipeline); !status.ok()) {
    run.report = status;
    return run;
  }
  report.counters = sender.counters();
  if (!cli.state.empty() && !cli.dry_run) {
    Status saved = SaveThreadState(cli.state, context.state);
    if (!saved.ok()) report.problems.push_back(saved.WithContext("the notify state file"));
  }
  run.report = std::move(report);
  return run;
}

pipeline::RunRecord RunRecordFor(const NotifyRun& run, int exit_code, std::chrono::system_clock::time_point started) {
  pipeline::RunRecord record = pipeline::NewRunRecord(
      "sluice-notify", run.pipeline, run.report.ok() ? run.report->status() : run.report.status(), exit_code, started);
  if (!run.report.ok()) return record;
  const NotifyReport& report = *run.report;
  int posts = 0, reactions = 0;
  for (const auto& notice : report.notices) {
    for (const auto& post : notice.posts) (post.kind == "reaction" ? reactions : posts) += 1;
  }
  if (report.status().ok()) {
    record.status = report.dry_run ? "skipped" : report.late() > 0 ? "no" : "success";
    record.message = !report.on_call.empty() ? fmt::format("who is on call: {} pipeline(s)", report.on_call.size())
                     : report.watch ? fmt::format("{} of {} pipeline(s) late", report.late(), report.freshness.size())
                     : report.notices.empty() || report.notices[0].route.empty()
                         ? "nothing posted: the event has no route"
                         : fmt::format("{} announced to {}", EventName(report.notices[0].event), report.notices[0].destination);
    if (report.dry_run) record.message = "dry run: nothing sent; " + record.message;
    for (const Status& warning : report.warnings()) {
      record.status = "failure";  // the exit code is the warning's
      record.message += "; " + warning.message();
    }
  }
  if (!report.notices.empty()) record.severity = report.notices[0].severity;
  record.counts = {{"posts", report.dry_run ? 0 : posts},
                   {"reactions", report.dry_run ? 0 : reactions},
                   {"requests", report.counters.requests},
                   {"retries", report.counters.retries}};
  if (report.watch) {
    record.counts["pipelines"] = static_cast<std::int64_t>(report.freshness.size());
    record.counts["late"] = report.late();
  }
  return record;
}

}  // namespace sluice::notify
