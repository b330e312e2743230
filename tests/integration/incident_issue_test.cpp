// sluice-notify's incident issue (manifest notify.incident_issue) against the GitHub fake and
// the Slack fake: a failure opens one issue per incident, a repeat comments on it, the next run
// that did its job comments and closes it, a lost state finds it by its marker, and a token
// without `issues: write` costs the issue, never the Slack post.
//
// GitHub's behaviour modelled here (docs.github.com, REST API, "Issues"): "Create an issue" (201,
// labels and assignees; "Only users with push access can set assignees ... silently dropped
// otherwise"), "List repository issues" (open by default, `labels` a comma-separated list,
// pull requests included), "Update an issue" (state closed with state_reason completed),
// "Create an issue comment"; "Permissions required for GitHub Apps" (issues: read to list,
// issues: write to create issues, comments and labels); "Automatic token authentication" (the
// GITHUB_TOKEN has only its workflow's permissions).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "json/json.h"
#include "support/data_repo.h"
#include "support/github_fake.h"
#include "support/process.h"
#include "support/slack_fake.h"
#include "support/temp_dir.h"

using namespace sluice;
namespace fs = std::filesystem;

namespace {

const std::string kNotify = std::string(SLUICE_BIN_DIR) + "/sluice-notify";
const std::string kRepo = "acme/data";
constexpr const char* kIncident = "C0INCIDENT";
constexpr const char* kData = "C0DATA";
constexpr const char* kLastGood = "0123456789abcdef0123456789abcdef01234567";

std::string Record(const std::string& tool, const std::string& status, int exit_code, const std::string& message,
                   const std::string& extra = "") {
  return R"({"tool": ")" + tool + R"(", "version": "0.1.0", "pipeline": "cases", "status": ")" + status +
         R"(", "exit_code": )" + std::to_string(exit_code) +
         R"(, "started_at": "2026-12-07T09:59:00.000Z", "finished_at": "2026-12-07T09:59:01.500Z", "duration_ms": 1500, )"
         R"("message": ")" + message + R"(", "counts": {}, "links": {})" + extra + "}\n";
}

// sluice-validate's "no", with the first findings as it records them (schemas/run-record.schema.json).
const std::string kValidationFailed = Record(
    "sluice-validate", "no", 1, "1 check(s) failed",
    R"(, "findings": [{"check": "cases.schema", "file": "data/cases.csv", "line": 12, "message": "/cases: -3 is less than 0"}, {"check": "cases.schema", "file": "data/cases.csv", "line": 40, "message": "/date: not a date"}])");
const std::string kPublishFailed =
    Record("sluice-publish", "failure", 3, "az://acme/data: HTTP 503 after 4 attempts; 2 of 5 files uploaded",
           R"(, "severity": "production", "target": "production")");
const std::string kPublished =
    Record("sluice-publish", "success", 0, "published 5 file(s) to production", R"(, "target": "production")");
const std::string kPublishedToStaging =
    Record("sluice-publish", "success", 0, "published 5 file(s) to staging", R"(, "target": "staging")");

class Incident {
 public:
  // `extra`: more members of the manifest (", \"oncall\": {...}").
  explicit Incident(const std::string& issue_setting = R"({"labels": ["team:data"], "assignees": ["alice"]})",
                    const std::string& extra = "")
      : slack_({kIncident, kData}) {
    DataRepo repo;
    repo.CommitFile("README.md", "data\n", "first");
    fake_.CreateRepo(kRepo, repo);
    fake_.Control("POST", "/_fake/tokens", R"({"token": "ghp_alice_token_42", "login": "alice", "type": "User"})");
    dir_.Write("production/_sluice/status.json",
               std::string(R"({"pipeline": "cases", "commit": ")") + kLastGood +
                   R"(", "published_at": "2026-12-06T09:00:00Z", "files": 5, "bytes": 1200, "manifest_sha256": "ab"})" + "\n");
    dir_.Write("pipelines/cases.json",
               R"({"name": "cases", "sources": [{"name": "cases", "url": "https://example.org/c.csv", "format": "csv",
                   "output": "data/cases.csv"}], "owners": {"primary": {"github": "alice", "slack": "U0PRIMARY"}},
                   "publish": {"production": "file://)" + (dir_.path() / "production").string() + R"("},
                   "runbook": "docs/cases-runbook.md", "sla": {"max_age_hours": 24})" + extra + R"(,
                   "notify": {"routes": {"failure": {"channel": "C0INCIDENT"}, "published": {"channel": "C0DATA"},
                                         "sla": {"channel": "C0INCIDENT"}},
                              "incident_issue": )" + issue_setting + "}}");
  }

  ProcessResult Notify(const std::string& run_log, const std::string& run_id, EnvOverrides extra = {},
                       const std::vector<std::string>& args = {}) {
    dir_.Write("run.log", run_log);
    EnvOverrides env = fake_.StepEnv(kRepo);
    env["SLUICE_RUN_LOG"] = (dir_.path() / "run.log").string();
    env["SLACK_API_URL"] = slack_.api_url();
    env["SLACK_BOT_TOKEN"] = std::string(SlackFake::kToken);
    env["GITHUB_SERVER_URL"] = "https://github.com";
    env["GITHUB_RUN_ID"] = run_id;
    env["GITHUB_EVENT_PATH"] = std::nullopt;
    env["SLUICE_PAUSED"] = std::nullopt;
    for (auto& [name, value] : extra) env[name] = value;
    std::vector<std::string> argv = {kNotify, "pipelines/cases.json", "--workspace", dir_.path().string(), "--state",
                                     state().string(), "--run-id", run_id, "--now", "2026-12-07T10:00:00Z",
                                     "--min-interval-ms", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, env);
  }

  // The SLA watch at `now` (production/_sluice/status.json says when the data was published).
  ProcessResult Watch(const std::string& now, const std::string& run_id = "900") {
    EnvOverrides env = fake_.StepEnv(kRepo);
    env["SLACK_API_URL"] = slack_.api_url();
    env["SLACK_BOT_TOKEN"] = std::string(SlackFake::kToken);
    env["GITHUB_SERVER_URL"] = "https://github.com";
    env["GITHUB_RUN_ID"] = run_id;
    env["GITHUB_EVENT_PATH"] = std::nullopt;
    return RunProcess({kNotify, "--watch", "pipelines/cases.json", "--workspace", dir_.path().string(), "--state",
                       state().string(), "--now", now, "--min-interval-ms", "0"},
                      env);
  }
  void Published(const std::string& at, const std::string& commit) {
    dir_.Write("production/_sluice/status.json", R"({"pipeline": "cases", "commit": ")" + commit +
                                                     R"(", "published_at": ")" + at +
                                                     R"(", "files": 5, "bytes": 1200, "manifest_sha256": "ab"})" + "\n");
  }

  rapidjson::Document Get(const std::string& path) const { return fake_.Api("/repos/" + kRepo + path); }
  // The open issues labelled sluice:incident, as a responder would list them.
  rapidjson::Document OpenIncidents() const { return Get("/issues?labels=sluice:incident&state=open"); }
  std::vector<std::string> Comments(int number) const {
    std::vector<std::string> bodies;
    auto list = Get("/issues/" + std::to_string(number) + "/comments");
    for (const auto& comment : list.GetArray()) bodies.emplace_back(comment["body"].GetString());
    return bodies;
  }
  void NoInvalidRequests() const {
    for (const auto& request : fake_.Requests()) {
      INFO(request.method << " " << request.path << ": " << request.invalid);
      CHECK(request.invalid.empty());
    }
  }

  // The pipeline's page (sluice-validate --explain), which tells the on-call set-up and the incident issue.
  ProcessResult Explain() const {
    return RunProcess({std::string(SLUICE_BIN_DIR) + "/sluice-validate", "pipelines/cases.json", "--explain",
                       "--workspace", dir_.path().string()});
  }

  fs::path state() const { return dir_.path() / "notify-state.json"; }
  GitHubFake& fake() { return fake_; }
  SlackFake& slack() { return slack_; }

 private:
  GitHubFake fake_;
  SlackFake slack_;
  TempDir dir_;
};

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("a failed run opens one incident issue with the label and the facts, and the Slack post links it",
          "[notify][incident-issue]") {
  Incident f;
  ProcessResult run = f.Notify(Record("sluice-fetch", "success", 0, "1 source fetched") + kValidationFailed, "100");
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto open = f.OpenIncidents();
  REQUIRE(open.Size() == 1);
  const auto& issue = open[0];
  const std::string url = issue["html_url"].GetString();
  CHECK_THAT(issue["title"].GetString(), Catch::Contains("cases") && Catch::Contains("upstream incident") &&
                                             Catch::Contains("sluice-validate"));
  std::vector<std::string> labels;
  for (const auto& label : issue["labels"].GetArray()) labels.emplace_back(label["name"].GetString());
  CHECK(labels == std::vector<std::string>{"sluice:incident", "team:data"});
  REQUIRE(issue["assignees"].Size() == 1);
  CHECK(std::string(issue["assignees"][0]["login"].GetString()) == "alice");
  const std::string body = issue["body"].GetString();
  CHECK_THAT(body, Catch::StartsWith("<!-- sluice:incident pipeline=cases -->"));
  CHECK_THAT(body, Catch::Contains("`upstream`: the chain stopped before production"));
  CHECK_THAT(body, Catch::Contains("`sluice-validate` no (exit 1)"));
  CHECK_THAT(body, Catch::Contains("`data/cases.csv:12`") && Catch::Contains("-3 is less than 0") &&
                       Catch::Contains("`data/cases.csv:40`"));
  CHECK_THAT(body, Catch::Contains("[run 100](https://github.com/acme/data/actions/runs/100)"));
  CHECK_THAT(body, Catch::Contains("runbooks/validation-failed.md"));
  CHECK_THAT(body, Catch::Contains("docs/cases-runbook.md"));
  CHECK_THAT(body, Catch::Contains(kLastGood));              // what is live now: the status file
  CHECK_THAT(body, !Catch::Contains("sluice-publish pipelines/cases.json"));  // no rollback for upstream
  // The label did not exist: created with its colour and description, as sluice-pr creates its own.
  auto label = f.Get("/labels/sluice:incident");
  CHECK(std::string(label["color"].GetString()) == "b60205");
  // The Slack post links the issue; the report and the state keep it.
  auto messages = f.slack().Messages();
  REQUIRE(!messages.empty());
  CHECK(messages[0].channel == kIncident);
  CHECK_THAT(messages[0].body, Catch::Contains(url));
  CHECK_THAT(run.out, Catch::Contains("incident issue #1 opened: " + url));
  CHECK_THAT(Slurp(f.state()), Catch::Contains("\"incident_issue\": 1"));
  CHECK_THAT(run.out + run.err, !Catch::Contains(GitHubFake::kToken) && !Catch::Contains(SlackFake::kToken));
  f.NoInvalidRequests();
}

TEST_CASE("a production incident's issue holds what is live now and the rollback command to the last good commit",
          "[notify][incident-issue]") {
  Incident f("true");
  ProcessResult run = f.Notify(kPublishFailed, "200");
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto open = f.OpenIncidents();
  REQUIRE(open.Size() == 1);
  const std::string body = open[0]["body"].GetString();
  CHECK_THAT(open[0]["title"].GetString(), Catch::Contains("production incident"));
  CHECK_THAT(body, Catch::Contains("`production`: bad or stale data may be live now"));
  CHECK_THAT(body, Catch::Contains("_sluice/status.json") && Catch::Contains("\"published_at\": \"2026-12-06T09:00:00Z\""));
  CHECK_THAT(body, Catch::Contains(std::string("sluice-publish pipelines/cases.json --target production --ref ") + kLastGood +
                                   " --yes"));
  CHECK_THAT(body, Catch::Contains("--dry-run"));
  CHECK_THAT(body, Catch::Contains("HTTP 503 after 4 attempts"));
  std::vector<std::string> labels;
  for (const auto& label : open[0]["labels"].GetArray()) labels.emplace_back(label["name"].GetString());
  CHECK(labels == std::vector<std::string>{"sluice:incident"});  // "true": the defaults
  CHECK(open[0]["assignees"].Size() == 0);
  f.NoInvalidRequests();
}

TEST_CASE("the same incident again comments on the open issue, the next run that did its job comments and closes it",
          "[notify][incident-issue]") {
  Incident f;
  REQUIRE(f.Notify(kPublishFailed, "300").exit_code == 0);
  ProcessResult again = f.Notify(kPublishFailed, "301");
  INFO(again.out << again.err);
  REQUIRE(again.exit_code == 0);
  auto open = f.OpenIncidents();
  REQUIRE(open.Size() == 1);  // one issue per incident
  const int number = open[0]["number"].GetInt();
  const std::string url = open[0]["html_url"].GetString();
  auto comments = f.Comments(number);
  REQUIRE(comments.size() == 1);
  CHECK_THAT(comments[0], Catch::Contains("Failed again") && Catch::Contains("run 301") && Catch::Contains("2 failed run(s)"));
  CHECK_THAT(again.out, Catch::Contains("incident issue #" + std::to_string(number) + " commented"));
  auto messages = f.slack().Messages();
  REQUIRE(messages.size() >= 2);
  CHECK_THAT(messages.back().body + messages[messages.size() - 2].body, Catch::Contains(url));  // the repeat links it too

  // notify twice in one run: the issue hears of the run once.
  REQUIRE(f.Notify(kPublishFailed, "301").exit_code == 0);
  CHECK(f.Comments(number).size() == 1);

  // A data PR does not mend production: a production incident stays open, the post links it.
  ProcessResult pr = f.Notify(Record("sluice-pr", "success", 0, "opened PR #7"), "302a");
  INFO(pr.out << pr.err);
  REQUIRE(pr.exit_code == 0);
  CHECK(std::string(f.Get("/issues/" + std::to_string(number))["state"].GetString()) == "open");
  CHECK(f.Comments(number).size() == 1);

  ProcessResult resolved = f.Notify(kPublished, "302");
  INFO(resolved.out << resolved.err);
  REQUIRE(resolved.exit_code == 0);
  auto issue = f.Get("/issues/" + std::to_string(number));
  CHECK(std::string(issue["state"].GetString()) == "closed");
  CHECK(std::string(issue["state_reason"].GetString()) == "completed");
  comments = f.Comments(number);
  REQUIRE(comments.size() == 2);
  CHECK_THAT(comments[1], Catch::Contains("Resolved") && Catch::Contains("run 302"));
  CHECK(f.OpenIncidents().Size() == 0);
  CHECK_THAT(Slurp(f.state()), !Catch::Contains("incident_issue"));
  // A later success has nothing to close and asks GitHub nothing.
  f.fake().ClearRequests();
  REQUIRE(f.Notify(kPublished, "303").exit_code == 0);
  CHECK(f.fake().Requests().empty());
  // A new failure after that is a new incident: a new issue.
  REQUIRE(f.Notify(kPublishFailed, "304").exit_code == 0);
  auto reopened = f.OpenIncidents();
  REQUIRE(reopened.Size() == 1);
  CHECK(reopened[0]["number"].GetInt() != number);
  f.NoInvalidRequests();
}

TEST_CASE("with the state file lost, the open issue is found by its label and marker, another pipeline's left alone",
          "[notify][incident-issue]") {
  Incident f;
  // Another pipeline's incident, open, with the same label.
  auto client = f.fake().ClientAs(kRepo, GitHubFake::kToken);
  REQUIRE(client.Call("POST", client.RepoPath("/issues"),
                      R"({"title": "deaths: incident", "body": "<!-- sluice:incident pipeline=deaths -->", "labels": ["sluice:incident"]})")
              .ok());
  REQUIRE(f.Notify(kPublishFailed, "400").exit_code == 0);
  REQUIRE(f.OpenIncidents().Size() == 2);
  fs::remove(f.state());  // the cache expired
  ProcessResult again = f.Notify(kPublishFailed, "401");
  INFO(again.out << again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(f.OpenIncidents().Size() == 2);  // no third issue
  CHECK(f.Comments(2).size() == 1);      // cases' issue heard of the run
  CHECK(f.Comments(1).empty());          // deaths' did not
  fs::remove(f.state());
  REQUIRE(f.Notify(kPublished, "402").exit_code == 0);
  CHECK(std::string(f.Get("/issues/2")["state"].GetString()) == "closed");
  CHECK(std::string(f.Get("/issues/1")["state"].GetString()) == "open");
  f.NoInvalidRequests();
}

TEST_CASE("whoever is on call is assigned, and an issue closed by hand while the pipeline still fails gives way to a new one",
          "[notify][incident-issue][oncall]") {
  // Mon 7 Dec 02:00 in Los Angeles: off-hours, ana's week (until the 09:00 handoff).
  Incident f("true", R"(, "oncall": {"time_zone": "America/Los_Angeles",
      "business_hours": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00",
                         "responders": {"people": [{"github": "dash-team", "slack": "S0DASHTEAM"}]}},
      "off_hours": {"responders": {"people": [{"github": "ana", "slack": "U0ANA"}, {"github": "ben", "slack": "U0BEN"}],
                                   "rotate_every_days": 7, "start": "2026-11-30", "handoff": "09:00"}}})");
  f.fake().Control("POST", "/_fake/tokens", R"({"token": "ghp_ana_token_42", "login": "ana", "type": "User"})");
  ProcessResult run = f.Notify(kPublishFailed, "700");
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto open = f.OpenIncidents();
  REQUIRE(open.Size() == 1);
  REQUIRE(open[0]["assignees"].Size() == 1);
  CHECK(std::string(open[0]["assignees"][0]["login"].GetString()) == "ana");
  CHECK_THAT(open[0]["body"].GetString(), Catch::Contains("off-hours"));  // why ana is on call
  const int first = open[0]["number"].GetInt();

  auto ana = f.fake().ClientAs(kRepo, "ghp_ana_token_42");
  REQUIRE(ana.Call("PATCH", ana.RepoPath("/issues/" + std::to_string(first)), R"({"state": "closed"})").ok());
  REQUIRE(f.Notify(kPublishFailed, "701").exit_code == 0);
  open = f.OpenIncidents();
  REQUIRE(open.Size() == 1);
  CHECK(open[0]["number"].GetInt() != first);
  CHECK(f.Comments(first).empty());  // the closed one is not written to
  CHECK_THAT(Slurp(f.state()), Catch::Contains("\"incident_issue\": " + std::to_string(open[0]["number"].GetInt())));
  f.NoInvalidRequests();
}

TEST_CASE("a token without issues: write: a warning naming the permission, Slack still gets the post, exit 2",
          "[notify][incident-issue]") {
  Incident f;
  // A workflow whose permissions: grant contents: read only (sluice-publish.yml before this issue).
  f.fake().Control("POST", "/_fake/repos/" + kRepo + "/actions/tokens",
                   R"({"token": "ghs_contents_only_1234567890", "permissions": {"contents": "read"}})");
  ProcessResult run = f.Notify(kPublishFailed, "500", {{"GITHUB_TOKEN", "ghs_contents_only_1234567890"}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("warning") && Catch::Contains("incident issue could not be opened") &&
                          Catch::Contains("`issues: write`"));
  CHECK_THAT(run.out + run.err, !Catch::Contains("ghs_contents_only_1234567890"));
  auto messages = f.slack().Messages();
  REQUIRE(!messages.empty());
  CHECK(messages[0].channel == kIncident);
  CHECK_THAT(messages[0].text, Catch::Contains("sluice-publish failed"));
  CHECK(f.OpenIncidents().Size() == 0);

  // No token at all: the same, saying which variable to set.
  ProcessResult tokenless = f.Notify(kPublishFailed, "501", {{"GITHUB_TOKEN", std::nullopt}});
  INFO(tokenless.out << tokenless.err);
  CHECK(tokenless.exit_code == 2);
  CHECK_THAT(tokenless.err, Catch::Contains("$GITHUB_TOKEN is empty or unset"));
  CHECK(f.slack().Messages().size() > messages.size());
}

TEST_CASE("a dry run leaves GitHub alone, --explain tells the setting, a misspelt option is refused naming its pointer",
          "[notify][incident-issue]") {
  Incident f;
  ProcessResult page = f.Explain();
  INFO(page.out << page.err);
  CHECK_THAT(page.out, Catch::Contains("- Incident issue: on: a failure opens one GitHub issue per incident (label "
                                       "`sluice:incident`, `team:data`, assigned `alice` and whoever is on call)"));
  CHECK_THAT(page.out, Catch::Contains("- Severity: a failure is `production`"));
  f.fake().ClearRequests();
  ProcessResult dry = f.Notify(kPublishFailed, "600", {}, {"--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(f.fake().Requests().empty());
  CHECK(f.slack().Messages().empty());

  Incident wrong(R"({"label": ["team:data"]})");
  ProcessResult refused = wrong.Notify(kPublishFailed, "601");
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("/notify/incident_issue"));
  CHECK(wrong.slack().Messages().empty());
  CHECK(wrong.OpenIncidents().Size() == 0);
}

TEST_CASE("a publish to staging leaves a production incident open, the publish to production closes it",
          "[notify][incident-issue]") {
  // sluice-publish records the target it wrote to (schemas/run-record.schema.json "target"): readers
  // see production, so only a publish there mends a production incident.
  Incident f;
  REQUIRE(f.Notify(kPublishFailed, "500").exit_code == 0);
  auto open = f.OpenIncidents();
  REQUIRE(open.Size() == 1);
  const int number = open[0]["number"].GetInt();
  ProcessResult staging = f.Notify(kPublishedToStaging, "501");
  INFO(staging.out << staging.err);
  REQUIRE(staging.exit_code == 0);
  CHECK(std::string(f.Get("/issues/" + std::to_string(number))["state"].GetString()) == "open");
  CHECK(f.Comments(number).empty());
  CHECK_THAT(staging.out, Catch::Contains("incident issue #" + std::to_string(number)));  // the post still links it
  // A publish record without a target (an ad-hoc --to) mends nothing either.
  REQUIRE(f.Notify(Record("sluice-publish", "success", 0, "published 5 file(s) to file:///tmp/x"), "502").exit_code == 0);
  CHECK(std::string(f.Get("/issues/" + std::to_string(number))["state"].GetString()) == "open");
  // Staging, then production, in one run: production was published.
  REQUIRE(f.Notify(kPublishedToStaging + kPublished, "503").exit_code == 0);
  CHECK(std::string(f.Get("/issues/" + std::to_string(number))["state"].GetString()) == "closed");
  f.NoInvalidRequests();
}

TEST_CASE("the SLA watch opens a production incident issue for late data, once, and closes it when production is fresh",
          "[notify][incident-issue]") {
  // The issue's severity classes (issue 32): an SLA breach is a production incident, stale data is
  // live. The watch runs on a schedule, often: it comments once, not at every run while late.
  Incident f;
  f.Published("2026-12-06T09:00:00Z", kLastGood);
  ProcessResult late = f.Watch("2026-12-07T10:00:00Z", "900");  // 25 h old, SLA 24 h
  INFO(late.out << late.err);
  REQUIRE(late.exit_code == 1);  // late data: the watch's "no"
  auto open = f.OpenIncidents();
  REQUIRE(open.Size() == 1);
  const int number = open[0]["number"].GetInt();
  const std::string title = open[0]["title"].GetString();
  const std::string body = open[0]["body"].GetString();
  CHECK(title == "cases: production incident: production data is 25.0 h old (SLA 24 h)");
  CHECK_THAT(body, Catch::Contains("the SLA watch") && Catch::Contains("sla-missed") && Catch::Contains(kLastGood));
  CHECK_THAT(body, !Catch::Contains("--ref"));  // old data is not bad data: no rollback offered
  CHECK_THAT(late.out, Catch::Contains("incident issue #" + std::to_string(number) + " opened"));
  auto messages = f.slack().Messages();
  REQUIRE_FALSE(messages.empty());
  CHECK_THAT(messages.back().body, Catch::Contains(open[0]["html_url"].GetString()));
  auto late_answer = json::Parse(messages.back().answer, "chat.postMessage answer");
  REQUIRE(late_answer.ok());
  const std::string late_channel = json::StringOr(*late_answer, "channel");
  const std::string late_ts = json::StringOr(*late_answer, "ts");
  REQUIRE_FALSE(late_ts.empty());

  // Still late an hour later: no second issue, no comment.
  ProcessResult still = f.Watch("2026-12-07T11:00:00Z", "901");
  INFO(still.out << still.err);
  REQUIRE(still.exit_code == 1);
  REQUIRE(f.OpenIncidents().Size() == 1);
  CHECK(f.Comments(number).empty());

  // A run's failure while late joins the same issue (one marker per pipeline).
  REQUIRE(f.Notify(kPublishFailed, "902").exit_code == 0);
  REQUIRE(f.OpenIncidents().Size() == 1);
  CHECK(f.Comments(number).size() == 1);

  // Published since: the next watch closes the issue, saying what mended it.
  f.Published("2026-12-07T11:30:00Z", "fedcba9876543210fedcba9876543210fedcba98");
  ProcessResult fresh = f.Watch("2026-12-07T12:00:00Z", "903");
  INFO(fresh.out << fresh.err);
  REQUIRE(fresh.exit_code == 0);
  CHECK_THAT(fresh.out, Catch::Contains("fresh; incident issue #" + std::to_string(number) + " closed"));
  auto issue = f.Get("/issues/" + std::to_string(number));
  CHECK(std::string(issue["state"].GetString()) == "closed");
  auto comments = f.Comments(number);
  REQUIRE(comments.size() == 2);
  CHECK_THAT(comments[1], Catch::Contains("fresh again") && Catch::Contains("fedcba987654"));
  // Slack hears it too, in the late data's first thread (not the run's failure thread), and
  // that thread's top post is marked resolved.
  const SlackRequest told = f.slack().Messages().back();
  CHECK(told.channel == late_channel);
  CHECK(told.thread_ts == late_ts);
  CHECK_THAT(told.text, Catch::Contains("production data fresh again") && Catch::Contains("fedcba987654") &&
                            Catch::Contains("Incident issue #" + std::to_string(number) + " closed"));
  const SlackRequest marked = f.slack().Requests().back();
  CHECK(marked.path == "/api/reactions.add");
  CHECK(marked.name == "white_check_mark");
  CHECK_THAT(marked.body, Catch::Contains(late_ts));
  // Fresh and nothing to tell: the next watch posts nothing.
  const std::size_t requests = f.slack().Requests().size();
  REQUIRE(f.Watch("2026-12-07T13:00:00Z", "903b").exit_code == 0);
  CHECK(f.slack().Requests().size() == requests);

  // The lateness is forgotten: the next breach is a new incident, a new issue.
  ProcessResult again = f.Watch("2026-12-09T12:00:00Z", "904");
  REQUIRE(again.exit_code == 1);
  auto reopened = f.OpenIncidents();
  REQUIRE(reopened.Size() == 1);
  CHECK(reopened[0]["number"].GetInt() != number);
  f.NoInvalidRequests();
}
