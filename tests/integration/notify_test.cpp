// sluice-notify against a fake Slack on 127.0.0.1 (tests/fixtures/slack_fake.py): the run log of
// a pipeline run in, Slack requests, exit code, outputs and the state file out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/fs.h"
#include "core/metrics.h"
#include "json/json.h"
#include "notify/outcome.h"
#include "support/process.h"
#include "support/slack_fake.h"
#include "support/temp_dir.h"

using namespace sluice;
namespace fs = std::filesystem;

namespace {

const std::string kNotify = std::string(SLUICE_BIN_DIR) + "/sluice-notify";
constexpr const char* kIncident = "C0INCIDENT";
constexpr const char* kData = "C0DATA";
constexpr const char* kQuiet = "C0QUIET";
constexpr const char* kT0 = "2026-12-07T10:00:00Z";

std::string Manifest(const std::string& routes, const std::string& extra = "") {
  return R"({"name": "cases", "sources": [{"name": "cases", "url": "https://example.org/c.csv", "format": "csv",
    "output": "data/cases.csv"}],
    "owners": {"primary": {"github": "alice", "slack": "U0PRIMARY"}, "secondary": {"github": "bob", "slack": "S0ONCALL"}},
    "notify": )" + routes + extra + "}";
}

const std::string kRoutes = R"({"routes": {"failure": {"channel": "C0INCIDENT"}, "published": {"channel": "C0DATA"},
    "pr": {"channel": "C0DATA"}, "transient": {"channel": "C0QUIET"}, "skipped": {"channel": "C0QUIET"},
    "sla": {"channel": "C0INCIDENT"}}})";

std::string Record(const std::string& tool, const std::string& status, int exit_code, const std::string& message,
                   const std::string& counts = "{}", const std::string& links = "{}") {
  return R"({"tool": ")" + tool + R"(", "version": "0.1.0", "pipeline": "cases", "status": ")" + status +
         R"(", "exit_code": )" + std::to_string(exit_code) +
         R"(, "started_at": "2026-12-07T09:59:00.000Z", "finished_at": "2026-12-07T09:59:01.500Z", "duration_ms": 1500, )"
         R"("message": ")" + message + R"(", "counts": )" + counts + R"(, "links": )" + links + "}\n";
}

const std::string kFetchFailed =
    Record("sluice-fetch", "failure", 2, "source cases: HTTP 404 from https://example.org/c.csv after 2 attempts", R"({"sources": 1, "failed": 1, "retries": 0})");

class Setup {
 public:
  explicit Setup(const std::string& manifest = Manifest(kRoutes))
      : slack_({kIncident, kData, kQuiet}) {
    dir_.Write("pipelines/cases.json", manifest);
  }

  // Runs sluice-notify in the data repository with the fake's API and token.
  ProcessResult Notify(const std::string& run_log, std::vector<std::string> args, EnvOverrides env = {}) {
    dir_.Write("run.log", run_log);
    std::vector<std::string> argv = {kNotify, "pipelines/cases.json", "--workspace", dir_.path().string(),
                                     "--state", state().string()};
    if (std::find(args.begin(), args.end(), "--min-interval-ms") == args.end()) args.insert(args.end(), {"--min-interval-ms", "0"});
    argv.insert(argv.end(), args.begin(), args.end());
    env.emplace("SLUICE_RUN_LOG", (dir_.path() / "run.log").string());
    env.emplace("SLACK_API_URL", slack_.api_url());
    env.emplace("SLACK_BOT_TOKEN", std::string(SlackFake::kToken));
    env.emplace("GITHUB_SERVER_URL", "https://github.com");
    env.emplace("GITHUB_REPOSITORY", "acme/data");
    env.emplace("GITHUB_RUN_ID", std::nullopt);
    env.emplace("GITHUB_EVENT_PATH", std::nullopt);
    env.emplace("GITHUB_OUTPUT", std::nullopt);
    env.emplace("GITHUB_STEP_SUMMARY", std::nullopt);
    env.emplace("SLUICE_PAUSED", std::nullopt);
    return RunProcess(argv, env);
  }

  fs::path state() const { return dir_.path() / "notify-state.json"; }
  const TempDir& dir() const { return dir_; }
  SlackFake& slack() { return slack_; }

 private:
  TempDir dir_;
  SlackFake slack_;
};

std::vector<SlackRequest> WithPath(const std::vector<SlackRequest>& requests, const std::string& path) {
  std::vector<SlackRequest> out;
  for (const auto& r : requests) {
    if (r.path == path) out.push_back(r);
  }
  return out;
}

std::string Slurp(const fs::path& path) {
  auto text = ReadFile(path);
  return text.ok() ? *text : "";
}

}  // namespace

TEST_CASE("a failed step goes to the incident channel: owner mentioned, runbook linked, steps in its thread, :x:", "[notify]") {
  Setup setup;
  std::string log = Record("sluice-validate", "success", 0, "every check passed") + kFetchFailed;
  ProcessResult run = setup.Notify(log, {"--run-id", "100", "--now", kT0});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto messages = setup.slack().Messages();
  REQUIRE(messages.size() == 3);  // the top post, one reply per step
  const SlackRequest& top = messages[0];
  CHECK(top.channel == kIncident);
  CHECK(top.thread_ts.empty());
  CHECK(top.authorization == std::string("Bearer ") + SlackFake::kToken);
  CHECK_THAT(top.body, Catch::Contains("<@U0PRIMARY>"));
  CHECK_THAT(top.body, !Catch::Contains("S0ONCALL"));  // the secondary only on a repeat failure
  CHECK_THAT(top.body, Catch::Contains("https://github.com/acme/data/blob/main/runbooks/fetch-failed.md"));
  CHECK_THAT(top.text, Catch::Contains("sluice-fetch failed (exit 2)"));
  CHECK_THAT(top.body, Catch::Contains("\"blocks\""));
  std::string ts = json::StringOr(*json::Parse(WithPath(setup.slack().Requests(), "/api/chat.postMessage")[0].answer, "a"), "ts");
  for (std::size_t i = 1; i < messages.size(); ++i) {
    CHECK(messages[i].channel == kIncident);
    CHECK(messages[i].thread_ts == ts);
  }
  CHECK_THAT(messages[1].text, Catch::StartsWith("sluice-validate"));
  CHECK_THAT(messages[2].text, Catch::StartsWith("sluice-fetch"));
  auto reactions = WithPath(setup.slack().Requests(), "/api/reactions.add");
  REQUIRE(reactions.size() == 1);
  CHECK(reactions[0].name == "x");
  CHECK_THAT(reactions[0].body, Catch::Contains(ts));
}

TEST_CASE("the second consecutive failure mentions the secondary owner too, a success resets it", "[notify]") {
  Setup setup;
  REQUIRE(setup.Notify(kFetchFailed, {"--run-id", "1", "--now", "2026-12-07T08:00:00Z"}).exit_code == 0);
  ProcessResult second = setup.Notify(kFetchFailed, {"--run-id", "2", "--now", "2026-12-07T10:00:00Z", "--json"});
  INFO(second.out << second.err);
  REQUIRE(second.exit_code == 0);
  auto messages = setup.slack().Messages();
  REQUIRE(messages.size() == 4);
  CHECK_THAT(messages[0].body, !Catch::Contains("S0ONCALL"));
  CHECK(messages[2].thread_ts.empty());  // two hours later: a new top post
  CHECK_THAT(messages[2].body, Catch::Contains("<@U0PRIMARY>"));
  CHECK_THAT(messages[2].body, Catch::Contains("<!subteam^S0ONCALL>"));
  CHECK_THAT(second.out, Catch::Contains("\"escalated\":true"));
  CHECK_THAT(second.out, Catch::Contains("\"consecutive_failures\":2"));

  // The same run notified again counts once; a published run resets the count.
  REQUIRE(setup.Notify(Record("sluice-publish", "success", 0, "published"), {"--run-id", "3", "--now", "2026-12-07T12:00:00Z"}).exit_code == 0);
  ProcessResult after = setup.Notify(kFetchFailed, {"--run-id", "4", "--now", "2026-12-07T14:00:00Z", "--json"});
  CHECK_THAT(after.out, Catch::Contains("\"consecutive_failures\":1"));
  CHECK_THAT(setup.slack().Messages().back().body, !Catch::Contains("S0ONCALL"));
}

TEST_CASE("the same error within an hour replies in the first thread, after the hour it is a new post", "[notify]") {
  Setup setup;
  REQUIRE(setup.Notify(kFetchFailed, {"--run-id", "1", "--now", "2026-12-07T10:00:00Z"}).exit_code == 0);
  std::string first_ts = json::StringOr(*json::Parse(setup.slack().Requests()[0].answer, "a"), "ts");
  // The same failure, another attempt count and time: the same error.
  std::string again = Record("sluice-fetch", "failure", 2, "source cases: HTTP 404 from https://example.org/c.csv after 3 attempts",
                             R"({"sources": 1, "failed": 1})");
  ProcessResult second = setup.Notify(again, {"--run-id", "2", "--now", "2026-12-07T10:40:00Z"});
  INFO(second.out << second.err);
  REQUIRE(second.exit_code == 0);
  auto messages = setup.slack().Messages();
  REQUIRE(messages.size() == 4);
  CHECK(messages[2].thread_ts == first_ts);
  CHECK_THAT(messages[2].text, Catch::Contains("again"));
  CHECK(messages[3].thread_ts == first_ts);  // its step too
  CHECK_THAT(second.out, Catch::Contains("in the thread of the same error"));
  // Another class is another error: a new top post at once.
  ProcessResult other = setup.Notify(Record("sluice-pr", "failure", 3, "GitHub answered HTTP 502"), {"--run-id", "3", "--now", "2026-12-07T10:45:00Z"});
  REQUIRE(other.exit_code == 0);
  CHECK(setup.slack().Messages()[4].thread_ts.empty());
  // Past the hour: a new top post.
  REQUIRE(setup.Notify(kFetchFailed, {"--run-id", "4", "--now", "2026-12-07T11:05:00Z"}).exit_code == 0);
  CHECK(setup.slack().Messages()[6].thread_ts.empty());
  CHECK_THAT(Slurp(setup.state()), Catch::Contains("\"fingerprint\""));
}

TEST_CASE("a transient fetch error goes to the quiet channel without mentions", "[notify]") {
  Setup setup;
  ProcessResult run = setup.Notify(Record("sluice-fetch", "failure", 3, "source cases: HTTP 503 after 3 attempts",
                                          R"({"sources": 1, "failed": 1, "retries": 2})"),
                                   {"--run-id", "1", "--now", kT0});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto messages = setup.slack().Messages();
  REQUIRE_FALSE(messages.empty());
  CHECK(messages[0].channel == kQuiet);
  CHECK_THAT(messages[0].body, !Catch::Contains("<@"));
  CHECK_THAT(messages[0].body, Catch::Contains("runbooks/fetch-failed.md"));
  CHECK(WithPath(setup.slack().Requests(), "/api/reactions.add")[0].name == "warning");
}

TEST_CASE("runs skipped on purpose are announced in the quiet channel, not silent", "[notify]") {
  Setup setup;
  SECTION("nothing changed") {
    ProcessResult run = setup.Notify(Record("sluice-fetch", "unchanged", 0, "every source unchanged"), {"--run-id", "1", "--now", kT0});
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    REQUIRE_FALSE(setup.slack().Messages().empty());
    CHECK(setup.slack().Messages()[0].channel == kQuiet);
    CHECK_THAT(setup.slack().Messages()[0].body, Catch::Contains("nothing changed"));
  }
  SECTION("paused") {
    ProcessResult run = setup.Notify(Record("sluice-approve", "success", 0, "0 of 1 PR(s) merged", R"({"pulls": 1, "merged": 0, "paused": 1})"),
                                     {"--run-id", "1", "--now", kT0});
    REQUIRE(run.exit_code == 0);
    CHECK(setup.slack().Messages()[0].channel == kQuiet);
    CHECK_THAT(setup.slack().Messages()[0].body, Catch::Contains("paused"));
    CHECK(WithPath(setup.slack().Requests(), "/api/reactions.add")[0].name == "double_vertical_bar");
  }
  SECTION("outside the publish window") {
    ProcessResult run = setup.Notify(Record("sluice-approve", "success", 0, "0 of 1 PR(s) merged", R"({"pulls": 1, "merged": 0, "outside_window": 1})"),
                                     {"--run-id", "1", "--now", kT0});
    REQUIRE(run.exit_code == 0);
    CHECK(setup.slack().Messages()[0].channel == kQuiet);
    CHECK_THAT(setup.slack().Messages()[0].body, Catch::Contains("outside the publish window"));
  }
}

TEST_CASE("published data goes to the data channel with a check mark, the PR linked", "[notify]") {
  Setup setup;
  std::string log = Record("sluice-pr", "success", 0, "created on sluice/cases", "{}", R"({"pr": "https://github.com/acme/data/pull/7"})") +
                    Record("sluice-publish", "success", 0, "published HEAD to file:///srv/www");
  ProcessResult run = setup.Notify(log, {"--run-id", "1", "--now", kT0});
  REQUIRE(run.exit_code == 0);
  auto messages = setup.slack().Messages();
  REQUIRE(messages.size() == 3);
  CHECK(messages[0].channel == kData);
  CHECK_THAT(messages[0].body, Catch::Contains("https://github.com/acme/data/pull/7"));
  CHECK_THAT(messages[0].body, !Catch::Contains("<@"));
  CHECK(WithPath(setup.slack().Requests(), "/api/reactions.add")[0].name == "white_check_mark");
}

TEST_CASE("notify twice in one run: one top post, the later steps reply in its thread", "[notify]") {
  Setup setup;
  std::string log = Record("sluice-pr", "success", 0, "created", "{}", R"({"pr": "https://github.com/acme/data/pull/7"})");
  REQUIRE(setup.Notify(log, {"--run-id", "9", "--now", kT0}).exit_code == 0);
  REQUIRE(setup.Notify(log + Record("sluice-publish", "failure", 3, "storage answered 503"), {"--run-id", "9", "--now", kT0}).exit_code == 0);
  auto messages = setup.slack().Messages();
  int tops = 0;
  for (const auto& m : messages) tops += m.thread_ts.empty();
  CHECK(tops == 1);
  CHECK(messages.size() == 4);  // top, pr step, the failure said in the thread, publish step
  CHECK_THAT(messages[2].body, Catch::Contains("<@U0PRIMARY>"));
}

TEST_CASE("429 with Retry-After is waited out, then the post succeeds", "[notify]") {
  Setup setup;
  setup.slack().AddFault(R"({"path": "/api/chat.postMessage", "times": 1, "status": 429, "retry_after": 1})");
  auto started = std::chrono::steady_clock::now();
  ProcessResult run = setup.Notify(kFetchFailed, {"--run-id", "1", "--now", kT0, "--json"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::seconds(1));
  auto posts = WithPath(setup.slack().Requests(), "/api/chat.postMessage");
  REQUIRE(posts.size() == 3);
  CHECK(posts[0].status == 429);
  CHECK(posts[1].status == 200);
  CHECK(posts[1].body == posts[0].body);
  CHECK_THAT(run.out, Catch::Contains("\"retries\":1"));
}

TEST_CASE("a post Slack refuses is a failure (exit 3), never reported as sent", "[notify]") {
  Setup setup;
  SECTION("Web API ok:false") {
    setup.slack().AddFault(R"({"path": "/api/chat.postMessage", "times": 1, "error": "not_in_channel"})");
    ProcessResult run = setup.Notify(kFetchFailed, {"--run-id", "1", "--now", kT0});
    CHECK(run.exit_code == 3);
    CHECK_THAT(run.err, Catch::Contains("not_in_channel"));
    CHECK_THAT(run.err, Catch::Contains("/invite"));
    CHECK_THAT(run.out, !Catch::Contains("posted"));
  }
  SECTION("a channel Slack does not know") {
    Setup other(Manifest(R"({"default": {"channel": "C0UNKNOWN"}})"));
    ProcessResult run = other.Notify(kFetchFailed, {"--run-id", "1", "--now", kT0});
    CHECK(run.exit_code == 3);
    CHECK_THAT(run.err, Catch::Contains("channel_not_found"));
  }
  SECTION("a webhook answering 400") {
    Setup hooked(Manifest(R"({"default": {"webhook_env": "SLACK_WEBHOOK_INCIDENTS"}})"));
    hooked.slack().AddFault(std::string(R"({"path": "/services/)") + SlackFake::kWebhookPath + R"(", "times": 1, "error": "invalid_blocks"})");
    ProcessResult run = hooked.Notify(kFetchFailed, {"--run-id", "1", "--now", kT0},
                                      {{"SLACK_BOT_TOKEN", std::nullopt}, {"SLACK_WEBHOOK_INCIDENTS", hooked.slack().webhook_url()}});
    CHECK(run.exit_code == 3);
    CHECK_THAT(run.err, Catch::Contains("$SLACK_WEBHOOK_INCIDENTS"));
    CHECK_THAT(run.err, Catch::Contains("invalid_blocks"));
    CHECK_THAT(run.err + run.out, !Catch::Contains("hooksecretXYZ123"));
  }
}

TEST_CASE("a webhook route gets one message with every step, owners mentioned", "[notify]") {
  Setup setup(Manifest(R"({"routes": {"failure": {"webhook_env": "SLACK_WEBHOOK_INCIDENTS"}}})"));
  ProcessResult run = setup.Notify(Record("sluice-validate", "success", 0, "ok") + kFetchFailed, {"--run-id", "1", "--now", kT0},
                                   {{"SLACK_BOT_TOKEN", std::nullopt}, {"SLACK_WEBHOOK_INCIDENTS", setup.slack().webhook_url()}});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto hooks = WithPath(setup.slack().Requests(), std::string("/services/") + SlackFake::kWebhookPath);
  REQUIRE(hooks.size() == 1);
  CHECK(hooks[0].status == 200);
  CHECK_THAT(hooks[0].body, Catch::Contains("<@U0PRIMARY>"));
  CHECK_THAT(hooks[0].body, Catch::Contains("sluice-validate"));
  CHECK_THAT(hooks[0].body, Catch::Contains("sluice-fetch"));
  CHECK(WithPath(setup.slack().Requests(), "/api/chat.postMessage").empty());
}

TEST_CASE("oversized content is trimmed within Slack's limits and says so", "[notify]") {
  Setup setup;
  std::string huge(9000, 'x');
  std::string log;
  for (int i = 0; i < 3; ++i) log += Record("sluice-validate", "success", 0, "ok " + std::to_string(i));
  log += Record("sluice-fetch", "failure", 2, "source cases: " + huge, R"({"failed": 1})");
  ProcessResult run = setup.Notify(log, {"--run-id", "1", "--now", kT0});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);  // the fake refuses anything over the limits with invalid_blocks
  auto messages = setup.slack().Messages();
  REQUIRE(messages.size() == 5);
  CHECK_THAT(messages[0].body, Catch::Contains("trimmed"));
  CHECK(messages[0].body.size() < 9000);
}

TEST_CASE("no secret in any output, record, state file or payload", "[notify]") {
  Setup setup(Manifest(R"({"routes": {"failure": {"channel": "C0INCIDENT"}, "published": {"webhook_env": "SLACK_WEBHOOK_DATA"}}})"));
  fs::path log = setup.dir().path() / "outputs.log";
  fs::path summary = setup.dir().path() / "summary.md";
  fs::path records = setup.dir().path() / "records.log";
  std::string failing = kFetchFailed;
  std::vector<ProcessResult> runs;
  EnvOverrides env = {{"SLACK_WEBHOOK_DATA", setup.slack().webhook_url()}, {"GITHUB_ACTIONS", "true"},
                      {"GITHUB_OUTPUT", log.string()}, {"GITHUB_STEP_SUMMARY", summary.string()}};
  runs.push_back(setup.Notify(failing, {"--run-id", "1", "--now", kT0, "--json"}, env));
  runs.push_back(setup.Notify(Record("sluice-publish", "success", 0, "published"), {"--run-id", "2", "--now", kT0}, env));
  runs.push_back(setup.Notify(failing, {"--run-id", "3", "--now", kT0, "--dry-run"}, env));
  // A refused webhook: the error names the variable, never the URL.
  setup.slack().AddFault(std::string(R"({"path": "/services/)") + SlackFake::kWebhookPath + R"(", "times": 1, "status": 404, "body": "no_service"})");
  runs.push_back(setup.Notify(Record("sluice-publish", "success", 0, "published"), {"--run-id", "4", "--now", kT0}, env));
  CHECK(runs[3].exit_code == 3);
  CHECK_THAT(runs[3].err, Catch::Contains("$SLACK_WEBHOOK_DATA") && Catch::Contains("no_service"));
  // A webhook that cannot be reached: the transport's error names the URL, masked.
  EnvOverrides unreachable = env;
  unreachable["SLACK_WEBHOOK_DATA"] = std::string("http://127.0.0.1:1/services/") + SlackFake::kWebhookPath;
  runs.push_back(setup.Notify(Record("sluice-publish", "success", 0, "published"), {"--run-id", "5", "--now", kT0}, unreachable));
  CHECK(runs[4].exit_code == 3);
  CHECK_THAT(runs[4].err, Catch::Contains("$SLACK_WEBHOOK_DATA") && Catch::Contains("/services/***"));
  std::string everything;
  for (const auto& run : runs) everything += run.out + run.err;
  everything += Slurp(log) + Slurp(summary) + Slurp(setup.state()) + Slurp(setup.dir().path() / "run.log");
  for (const auto& request : setup.slack().Requests()) everything += request.body;
  CHECK_THAT(runs[1].out, Catch::Contains("::add-mask::"));  // Actions is told to mask them too
  std::string without_masks;
  std::istringstream lines(everything);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("::add-mask::", 0) != 0) without_masks += line + "\n";
  }
  CHECK_THAT(without_masks, !Catch::Contains(SlackFake::kToken));
  CHECK_THAT(without_masks, !Catch::Contains("hooksecretXYZ123"));
  CHECK_THAT(without_masks, !Catch::Contains(SlackFake::kWebhookPath));
  (void)records;
}

TEST_CASE("a dry run prints the payloads and sends nothing", "[notify]") {
  Setup setup;
  ProcessResult run = setup.Notify(kFetchFailed, {"--run-id", "1", "--now", kT0, "--dry-run"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(setup.slack().Requests().empty());
  CHECK_THAT(run.out, Catch::Contains("\"blocks\""));
  CHECK_THAT(run.out, Catch::Contains("would post"));
  CHECK_THAT(run.out, Catch::Contains("<@U0PRIMARY>"));
  CHECK_FALSE(fs::exists(setup.state()));
}

TEST_CASE("an event without a route and a route without its secret are told apart", "[notify]") {
  Setup setup(Manifest(R"({"routes": {"failure": {"webhook_env": "SLACK_WEBHOOK_NOT_SET"}}})"));
  ProcessResult unrouted = setup.Notify(Record("sluice-publish", "success", 0, "published"), {"--run-id", "1", "--now", kT0});
  CHECK(unrouted.exit_code == 0);
  CHECK_THAT(unrouted.out, Catch::Contains("no route"));
  ProcessResult unset = setup.Notify(kFetchFailed, {"--run-id", "2", "--now", kT0}, {{"SLACK_BOT_TOKEN", std::nullopt}});
  CHECK(unset.exit_code == 2);
  CHECK_THAT(unset.err, Catch::Contains("$SLACK_WEBHOOK_NOT_SET"));
  CHECK(setup.slack().Requests().empty());
}

TEST_CASE("the SLA watch notifies the owners of late data only", "[notify]") {
  TempDir dir;
  SlackFake slack({kIncident});
  auto pipeline = [&](const std::string& name, const std::string& published_at) {
    fs::path target = dir.path() / ("published-" + name);
    if (!published_at.empty()) {
      dir.Write("published-" + name + "/_sluice/status.json",
                R"({"pipeline": ")" + name + R"(", "commit": "0123456789abcdef0123456789abcdef01234567", "published_at": ")" +
                    published_at + R"(", "files": 1, "bytes": 10, "manifest_sha256": "ab"})");
    }
    dir.Write("pipelines/" + name + ".json",
              R"({"name": ")" + name + R"(", "sources": [{"name": "s", "url": "https://example.org/s.csv", "format": "csv",
                "output": "data/)" + name + R"(.csv"}], "owners": {"primary": {"github": "alice", "slack": "U0PRIMARY"}},
                "publish": {"production": "file://)" + target.string() + R"("}, "sla": {"max_age_hours": 26},
                "notify": {"routes": {"sla": {"channel": "C0INCIDENT"}}}})");
  };
  pipeline("fresh", "2026-12-07T00:00:00.000Z");
  pipeline("late", "2026-12-05T12:00:00.000Z");
  pipeline("never", "");
  ProcessResult run = RunProcess({kNotify, "--watch", "pipelines/fresh.json", "pipelines/late.json", "pipelines/never.json",
                                  "--workspace", dir.path().string(), "--now", "2026-12-07T12:00:00Z", "--min-interval-ms", "0",
                                  "--state", (dir.path() / "state.json").string()},
                                 {{"SLACK_API_URL", slack.api_url()}, {"SLACK_BOT_TOKEN", std::string(SlackFake::kToken)},
                                  {"GITHUB_OUTPUT", std::nullopt}, {"SLUICE_RUN_LOG", std::nullopt}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);  // the answer is "no": data is late
  CHECK_THAT(run.out, Catch::Contains("fresh: production data 12.0 h old, SLA 26 h: fresh"));
  CHECK_THAT(run.out, Catch::Contains("late: production data 48.0 h old, SLA 26 h: LATE"));
  CHECK_THAT(run.out, Catch::Contains("never: never published"));
  auto messages = slack.Messages();
  REQUIRE(messages.size() == 2);
  CHECK_THAT(messages[0].text, Catch::Contains("late: production data is 48.0 h old"));
  CHECK_THAT(messages[0].body, Catch::Contains("<@U0PRIMARY>"));
  CHECK_THAT(messages[0].body, Catch::Contains("runbooks/sla-missed.md"));
  CHECK_THAT(messages[1].text, Catch::Contains("never: production data was never published"));
  // An hour-later watch threads under the first notice instead of a new post.
  ProcessResult again = RunProcess({kNotify, "--watch", "pipelines/late.json", "--workspace", dir.path().string(), "--now",
                                    "2026-12-07T12:30:00Z", "--min-interval-ms", "0", "--state", (dir.path() / "state.json").string()},
                                   {{"SLACK_API_URL", slack.api_url()}, {"SLACK_BOT_TOKEN", std::string(SlackFake::kToken)},
                                    {"SLUICE_RUN_LOG", std::nullopt}});
  CHECK(again.exit_code == 1);
  REQUIRE(slack.Messages().size() == 3);
  CHECK_FALSE(slack.Messages()[2].thread_ts.empty());

  // Published since: a dry run shows what the watch would say and changes nothing; the real
  // watch then says it once, in the first notice's thread, without an incident issue to close.
  pipeline("late", "2026-12-07T12:45:00.000Z");
  auto watch = [&](const std::string& now, std::vector<std::string> extra) {
    std::vector<std::string> argv{kNotify, "--watch", "pipelines/late.json", "--workspace", dir.path().string(), "--now", now,
                                  "--min-interval-ms", "0", "--state", (dir.path() / "state.json").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv, {{"SLACK_API_URL", slack.api_url()}, {"SLACK_BOT_TOKEN", std::string(SlackFake::kToken)},
                             {"SLUICE_RUN_LOG", std::nullopt}, {"GITHUB_OUTPUT", std::nullopt}});
  };
  ProcessResult dry = watch("2026-12-07T13:00:00Z", {"--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("production data fresh again (0.2 h old, SLA 26 h)"));
  CHECK(slack.Messages().size() == 3);
  ProcessResult fresh = watch("2026-12-07T13:00:00Z", {});
  INFO(fresh.out << fresh.err);
  CHECK(fresh.exit_code == 0);
  REQUIRE(slack.Messages().size() == 4);
  const SlackRequest told = slack.Messages()[3];
  CHECK(told.thread_ts == slack.Messages()[2].thread_ts);  // the first late notice's thread
  CHECK_THAT(told.text, Catch::Contains("late: production data fresh again") && Catch::Contains("0123456789ab") &&
                            !Catch::Contains("Incident issue"));
  REQUIRE(watch("2026-12-07T14:00:00Z", {}).exit_code == 0);
  CHECK(slack.Messages().size() == 4);  // said once
}

TEST_CASE("metrics: --metrics-file writes Prometheus text that parses back with the run's values", "[notify]") {
  Setup setup;
  fs::path metrics = setup.dir().path() / "sluice.prom";
  std::string log = Record("sluice-fetch", "success", 0, "new data fetched", R"({"sources": 1, "bytes": 2048, "retries": 0})") +
                    Record("sluice-validate", "no", 1, "2 check(s) failed", R"({"errors": 2, "warnings": 0, "records": 120})");
  ProcessResult run = setup.Notify(log, {"--run-id", "1", "--now", kT0, "--metrics-file", metrics.string()});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto text = ReadFile(metrics);
  REQUIRE(text.ok());
  auto families = metrics::ParseExposition(*text);
  INFO(*text);
  REQUIRE(families.ok());
  auto value = [&](const std::string& name, const metrics::Labels& labels) -> std::optional<double> {
    for (const auto& family : *families) {
      if (family.name != name) continue;
      CHECK(family.type == metrics::MetricType::kGauge);
      CHECK_FALSE(family.help.empty());
      for (const auto& sample : family.samples) {
        if (sample.labels == labels) return sample.value;
      }
    }
    return std::nullopt;
  };
  metrics::Labels fetch{{"pipeline", "cases"}, {"tool", "sluice-fetch"}};
  metrics::Labels validate{{"pipeline", "cases"}, {"tool", "sluice-validate"}};
  CHECK(value("sluice_run_duration_seconds", fetch) == 1.5);
  CHECK(value("sluice_run_success", fetch) == 1);
  CHECK(value("sluice_run_success", validate) == 0);
  CHECK(value("sluice_run_exit_code", validate) == 1);
  CHECK(value("sluice_run_count", {{"pipeline", "cases"}, {"tool", "sluice-fetch"}, {"count", "bytes"}}) == 2048);
  CHECK(value("sluice_run_count", {{"pipeline", "cases"}, {"tool", "sluice-validate"}, {"count", "errors"}}) == 2);
  CHECK(value("sluice_last_success_timestamp_seconds", fetch) == 1796637541.5);  // 2026-12-07T09:59:01.500Z
  CHECK_FALSE(value("sluice_last_success_timestamp_seconds", validate).has_value());
  CHECK(value("sluice_run_success", {{"pipeline", "cases"}, {"tool", "sluice-notify"}}) == 1);
  // The failure's severity (issue 32): validation stopped the chain before production.
  CHECK(value("sluice_run_failure", {{"pipeline", "cases"}, {"tool", "sluice-validate"}, {"severity", "upstream"}}) == 1);
  CHECK_FALSE(value("sluice_run_failure", {{"pipeline", "cases"}, {"tool", "sluice-fetch"}, {"severity", "upstream"}}).has_value());

  // The next run's file keeps the last success of a tool that failed this time.
  ProcessResult next = setup.Notify(Record("sluice-fetch", "failure", 3, "HTTP 503", R"({"retries": 2})"),
                                    {"--run-id", "2", "--now", kT0, "--metrics-file", metrics.string()});
  REQUIRE(next.exit_code == 0);
  families = metrics::ParseExposition(*ReadFile(metrics));
  REQUIRE(families.ok());
  CHECK(value("sluice_run_success", fetch) == 0);
  CHECK(value("sluice_last_success_timestamp_seconds", fetch) == 1796637541.5);
  CHECK(value("sluice_run_failure", {{"pipeline", "cases"}, {"tool", "sluice-fetch"}, {"severity", "upstream"}}) == 1);
}

TEST_CASE("every failure class sluice-notify reports has its runbook page", "[notify]") {
  for (std::string_view failure_class : notify::kFailureClasses) {
    INFO(failure_class);
    CHECK(fs::exists(fs::path(SLUICE_SOURCE_DIR) / "runbooks" / (std::string(failure_class) + ".md")));
  }
}

TEST_CASE("posts to one channel are paced by --min-interval-ms", "[notify]") {
  Setup setup;
  std::string log = Record("sluice-fetch", "success", 0, "new data fetched") + Record("sluice-publish", "success", 0, "published");
  auto started = std::chrono::steady_clock::now();
  ProcessResult run = setup.Notify(log, {"--run-id", "1", "--now", kT0, "--min-interval-ms", "400"});
  REQUIRE(run.exit_code == 0);
  REQUIRE(setup.slack().Messages().size() == 3);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(800));  // 3 posts, 2 waits
}

TEST_CASE("metrics: --metrics-file on any tool: each tool replaces its own series and keeps the others'", "[notify][metrics]") {
  Setup setup;
  fs::path metrics = setup.dir().path() / "job.prom";
  setup.dir().Write("old.csv", "county,cases\nAlameda,1\nMarin,2\n");
  setup.dir().Write("new.csv", "county,cases\nAlameda,1\nMarin,3\nNapa,4\n");
  ProcessResult diff = RunProcess({std::string(SLUICE_BIN_DIR) + "/sluice-diff", "--key", "county",
                                   (setup.dir().path() / "old.csv").string(), (setup.dir().path() / "new.csv").string(),
                                   "--metrics-file", metrics.string()},
                                  {{"SLUICE_RUN_LOG", std::nullopt}, {"GITHUB_OUTPUT", std::nullopt}, {"GITHUB_STEP_SUMMARY", std::nullopt}});
  INFO(diff.out << diff.err);
  REQUIRE(diff.exit_code == 0);
  ProcessResult notified = setup.Notify(Record("sluice-publish", "success", 0, "published", R"({"bytes": 10})"),
                                        {"--run-id", "1", "--now", kT0, "--metrics-file", metrics.string()});
  REQUIRE(notified.exit_code == 0);
  auto text = ReadFile(metrics);
  REQUIRE(text.ok());
  INFO(*text);
  auto families = metrics::ParseExposition(*text);
  REQUIRE(families.ok());
  auto count = [&](const metrics::Labels& labels) -> std::optional<double> {
    for (const auto& family : *families) {
      for (const auto& sample : family.samples) {
        if (family.name == "sluice_run_count" && sample.labels == labels) return sample.value;
      }
    }
    return std::nullopt;
  };
  CHECK(count({{"pipeline", ""}, {"tool", "sluice-diff"}, {"count", "added"}}) == 1);
  CHECK(count({{"pipeline", ""}, {"tool", "sluice-diff"}, {"count", "modified"}}) == 1);
  CHECK(count({{"pipeline", "cases"}, {"tool", "sluice-publish"}, {"count", "bytes"}}) == 10);
  CHECK(count({{"pipeline", "cases"}, {"tool", "sluice-notify"}, {"count", "posts"}}) == 2);  // top post, one reply
}

// The on-call set-up (issue 32): a shared oncall.json the manifest names. America/Los_Angeles;
// the weekly off-hours turn hands off on Mondays at 09:00 local.
const std::string kOnCall = R"({"time_zone": "America/Los_Angeles",
  "business_hours": {"responders": {"people": [{"github": "dash-team", "slack": "S0DASH"}]}},
  "off_hours": {"responders": {"people": [{"github": "ana", "slack": "U0ANA"}, {"github": "ben", "slack": "U0BEN"}],
                               "rotate_every_days": 7, "start": "2026-11-30"}},
  "holidays": {"dates": ["2026-12-25"], "responders": {"people": [{"github": "cam", "slack": "U0CAM"}]}}})";

TEST_CASE("sluice-notify --who-is-on-call prints who is on call at --at and why, for people and runbooks, nothing is posted", "[notify][oncall]") {
  Setup setup(Manifest(kRoutes, R"(, "oncall": "oncall.json")"));
  setup.dir().Write("oncall.json", kOnCall);
  ProcessResult run = setup.Notify("", {"--who-is-on-call", "--at", "2026-12-06T07:00:00Z"});  // Sat 5 Dec 23:00 PST
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out ==
        "cases: on call at Sat 5 Dec 23:00 America/Los_Angeles: @ana (<@U0ANA>)\n"
        "  why: off-hours: on call this week (Mon 30 Nov 09:00 to Mon 7 Dec 09:00)\n");
  ProcessResult json = setup.Notify("", {"--who-is-on-call", "--at", "2026-12-25T18:00:00Z", "--json"});
  REQUIRE(json.exit_code == 0);
  auto parsed = json::Parse(json.out, "stdout");
  REQUIRE(parsed.ok());
  const auto& answer = (*parsed)["on_call"][0];
  CHECK(json::StringOr(answer, "why") == "holiday 2026-12-25: the holiday responders");
  CHECK(json::StringOr(answer["people"][0], "github") == "cam");
  CHECK(setup.slack().Requests().empty());

  ProcessResult bad_at = setup.Notify("", {"--who-is-on-call", "--at", "yesterday"});
  CHECK(bad_at.exit_code == 2);
  CHECK_THAT(bad_at.err, Catch::Contains("--at"));
  ProcessResult stray_at = setup.Notify(kFetchFailed, {"--at", "2026-12-06T07:00:00Z"});
  CHECK(stray_at.exit_code == 2);
  CHECK_THAT(stray_at.err, Catch::Contains("--who-is-on-call"));
}

TEST_CASE("a failure mentions whoever is on call at that moment, and why, upstream failures wait for business hours", "[notify][oncall][severity]") {
  Setup setup(Manifest(kRoutes, R"(, "oncall": "oncall.json")"));
  setup.dir().Write("oncall.json", kOnCall);
  // Mon 7 Dec 08:30 PST, still ana's week: a publish to production failed midway (severity production).
  std::string publish_failed = R"({"tool": "sluice-publish", "version": "0.1.0", "pipeline": "cases", "status": "failure", )"
      R"("exit_code": 3, "started_at": "2026-12-07T16:29:00.000Z", "finished_at": "2026-12-07T16:29:30.000Z", )"
      R"("duration_ms": 30000, "message": "az://acct/prod: PUT cases.csv: HTTP 503 after 4 attempts", )"
      R"("severity": "production", "counts": {}, "links": {}})" "\n";
  ProcessResult night = setup.Notify(publish_failed, {"--run-id", "1", "--now", "2026-12-07T16:30:00Z", "--json"});
  INFO(night.out << night.err);
  REQUIRE(night.exit_code == 0);
  auto messages = setup.slack().Messages();
  REQUIRE_FALSE(messages.empty());
  CHECK_THAT(messages[0].body, Catch::Contains("<@U0ANA>"));
  CHECK_THAT(messages[0].body, Catch::Contains("on call: off-hours: on call this week (Mon 30 Nov 09:00 to Mon 7 Dec 09:00)"));
  CHECK_THAT(messages[0].body, Catch::Contains("*Severity:* `production`: bad or stale data may be live now"));
  CHECK_THAT(messages[0].body, !Catch::Contains("U0PRIMARY"));
  CHECK_THAT(night.out, Catch::Contains(R"("on_call":"off-hours: on call this week)"));
  CHECK_THAT(night.out, Catch::Contains(R"("severity":"production")"));

  // Ten minutes later a fetch fails (upstream): posted, nobody paged before business hours.
  ProcessResult fetch = setup.Notify(kFetchFailed, {"--run-id", "2", "--now", "2026-12-07T16:40:00Z"});
  REQUIRE(fetch.exit_code == 0);
  std::size_t seen = messages.size();
  messages = setup.slack().Messages();
  REQUIRE(messages.size() > seen);
  CHECK_THAT(messages[seen].body, !Catch::Contains("<@"));
  CHECK_THAT(messages[seen].body, Catch::Contains("nobody paged: production is untouched, and it waits for business hours"));
  CHECK_THAT(messages[seen].body, Catch::Contains("*Severity:* `upstream`"));

  // In business hours the same failure again: the team, and the secondary owner (third failure in a row).
  seen = messages.size();
  ProcessResult day = setup.Notify(kFetchFailed, {"--run-id", "3", "--now", "2026-12-07T18:30:00Z"});
  REQUIRE(day.exit_code == 0);
  const SlackRequest top = setup.slack().Messages()[seen];
  CHECK(top.thread_ts.empty());
  CHECK_THAT(top.body, Catch::Contains("<!subteam^S0DASH>"));
  CHECK_THAT(top.body, Catch::Contains("on call: business hours (mon,tue,wed,thu,fri 09:00-17:00)"));
  CHECK_THAT(top.body, Catch::Contains("<!subteam^S0ONCALL>"));
  CHECK_THAT(top.body, !Catch::Contains("<@U0ANA>"));
}

TEST_CASE("an incident open past owners.escalate_after_hours tells the secondary owner once, in its first thread", "[notify][escalation]") {
  Setup setup;
  std::string manifest = Manifest(kRoutes, R"(, "publish": {"production": "file://)" +
                                               (setup.dir().path() / "published").string() +
                                               R"("}, "sla": {"max_age_hours": 26})");
  manifest.replace(manifest.find(R"("secondary")"), 0, R"("escalate_after_hours": 4, )");
  setup.dir().Write("pipelines/cases.json", manifest);
  setup.dir().Write("published/_sluice/status.json",
                    R"({"pipeline": "cases", "commit": "0123456789abcdef0123456789abcdef01234567", )"
                    R"("published_at": "2026-12-07T06:00:00.000Z", "files": 1, "bytes": 10, "manifest_sha256": "ab"})");
  // 08:00 the fetch fails; 10:00 again (a new top post: past the hour), no secondary yet: the
  // time rule replaces the second-failure rule.
  REQUIRE(setup.Notify(kFetchFailed, {"--run-id", "1", "--now", "2026-12-07T08:00:00Z"}).exit_code == 0);
  std::string first_ts = json::StringOr(*json::Parse(setup.slack().Requests()[0].answer, "a"), "ts");
  REQUIRE(setup.Notify(kFetchFailed, {"--run-id", "2", "--now", "2026-12-07T10:00:00Z"}).exit_code == 0);
  for (const auto& message : setup.slack().Messages()) CHECK_THAT(message.body, !Catch::Contains("S0ONCALL"));

  // 12:30, no run: the SLA watch finds the incident open 4.5 h and replies in its first thread.
  ProcessResult watch = setup.Notify("", {"--watch", "--now", "2026-12-07T12:30:00Z"});
  INFO(watch.out << watch.err);
  CHECK(watch.exit_code == 0);
  auto escalations = setup.slack().Messages();
  const SlackRequest& escalation = escalations.back();
  CHECK(escalation.thread_ts == first_ts);
  CHECK(escalation.channel == kIncident);
  CHECK_THAT(escalation.text, Catch::Contains("<!subteam^S0ONCALL> still failing after 4.5 h: escalated to the secondary "
                                              "owner (failing since 2026-12-07T08:00:00.000Z, 2 failed run(s))"));
  std::size_t told = 0;
  for (const auto& message : escalations) told += message.body.find("S0ONCALL") != std::string::npos;
  CHECK(told == 1);

  // Once: neither the next failed run nor the next watch tells again.
  REQUIRE(setup.Notify(kFetchFailed, {"--run-id", "3", "--now", "2026-12-07T13:00:00Z"}).exit_code == 0);
  REQUIRE(setup.Notify("", {"--watch", "--now", "2026-12-07T13:30:00Z"}).exit_code == 0);
  told = 0;
  for (const auto& message : setup.slack().Messages()) told += message.body.find("S0ONCALL") != std::string::npos;
  CHECK(told == 1);

  // A published run closes the incident; the next one opens a new incident, and a failed run
  // past 4 h escalates it (the run notices, in that incident's first thread).
  REQUIRE(setup.Notify(Record("sluice-publish", "success", 0, "published"), {"--run-id", "4", "--now", "2026-12-07T14:00:00Z"}).exit_code == 0);
  std::size_t before = setup.slack().Requests().size();
  REQUIRE(setup.Notify(kFetchFailed, {"--run-id", "5", "--now", "2026-12-07T15:00:00Z"}).exit_code == 0);
  std::string second_ts = json::StringOr(*json::Parse(setup.slack().Requests()[before].answer, "a"), "ts");
  ProcessResult late = setup.Notify(kFetchFailed, {"--run-id", "6", "--now", "2026-12-07T19:30:00Z", "--json"});
  REQUIRE(late.exit_code == 0);
  CHECK_THAT(late.out, Catch::Contains("\"escalated\":true"));
  const SlackRequest again = setup.slack().Messages().back();
  CHECK(again.thread_ts == second_ts);
  CHECK_THAT(again.text, Catch::Contains("still failing after 4.5 h"));
  CHECK_THAT(Slurp(setup.state()), Catch::Contains(R"("escalated": true)"));
}
