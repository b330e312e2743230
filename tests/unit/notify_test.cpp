// The pure parts of sluice-notify: outcome and class, routing, fingerprints, Slack's limits,
// and the Prometheus text parser.
#include <catch2/catch.hpp>

#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "json/json.h"
#include "notify/fingerprint.h"
#include "notify/message.h"
#include "notify/outcome.h"
#include "notify/routes.h"
#include "notify/slack.h"

using namespace sluice;
using namespace sluice::notify;

namespace {

StepRecord Step(const std::string& tool, const std::string& status, int exit_code, std::map<std::string, std::int64_t> counts = {}) {
  StepRecord step;
  step.tool = tool;
  step.pipeline = "cases";
  step.status = status;
  step.exit_code = exit_code;
  step.counts = std::move(counts);
  step.message = tool + " said " + status;
  return step;
}

}  // namespace

TEST_CASE("the outcome of a run: first failure decides the class, else published, PR, skipped", "[notify]") {
  CHECK(DecideOutcome({Step("sluice-fetch", "failure", 2)}, "", false).failure_class == "fetch-failed");
  CHECK(DecideOutcome({Step("sluice-fetch", "failure", 3, {{"retries", 2}})}, "", false).event == Event::kTransient);
  CHECK(DecideOutcome({Step("sluice-fetch", "failure", 3, {{"retries", 0}})}, "", false).event == Event::kFailure);
  // A transient fetch error with another failure is a failure.
  CHECK(DecideOutcome({Step("sluice-fetch", "failure", 3, {{"retries", 2}}), Step("sluice-pr", "failure", 3)}, "", false).event ==
        Event::kFailure);
  CHECK(DecideOutcome({Step("sluice-validate", "no", 1, {{"errors", 2}, {"threshold_errors", 2}})}, "", false).failure_class ==
        "threshold-breached");
  CHECK(DecideOutcome({Step("sluice-validate", "no", 1, {{"errors", 3}, {"threshold_errors", 2}})}, "", false).failure_class ==
        "validation-failed");
  CHECK(DecideOutcome({Step("sluice-pr", "failure", 4)}, "", false).failure_class == "pr-failed");
  CHECK(DecideOutcome({Step("sluice-approve", "failure", 3)}, "", false).failure_class == "approval-refused");
  CHECK(DecideOutcome({Step("sluice-publish", "failure", 4)}, "", false).failure_class == "publish-failed");
  CHECK(DecideOutcome({Step("sluice-diff", "failure", 2)}, "", false).failure_class == "incident-response");
  CHECK(DecideOutcome({Step("sluice-publish", "success", 0)}, "", false).event == Event::kPublished);
  CHECK(DecideOutcome({Step("sluice-pr", "success", 0)}, "", false).event == Event::kPr);
  CHECK(DecideOutcome({Step("sluice-fetch", "unchanged", 0)}, "", false).event == Event::kSkipped);
  CHECK(DecideOutcome({Step("sluice-approve", "success", 0, {{"merged", 0}, {"paused", 1}})}, "", false).detail ==
        "automation is paused (SLUICE_PAUSED)");
  CHECK(DecideOutcome({Step("sluice-approve", "no", 1)}, "", false).event == Event::kSkipped);  // not a failure
  CHECK(DecideOutcome({}, "", true).event == Event::kSkipped);
  RunOutcome job = DecideOutcome({Step("sluice-fetch", "success", 0)}, "failure", false);
  CHECK(job.event == Event::kFailure);
  CHECK(job.failure_class == "incident-response");
}

TEST_CASE("severity: production when bad or stale data may be live, upstream when the chain stopped before it", "[notify][severity]") {
  CHECK(DecideOutcome({Step("sluice-fetch", "failure", 2)}, "", false).severity == "upstream");
  CHECK(DecideOutcome({Step("sluice-validate", "no", 1, {{"errors", 2}})}, "", false).severity == "upstream");
  CHECK(DecideOutcome({Step("sluice-pr", "failure", 4)}, "", false).severity == "upstream");
  CHECK(DecideOutcome({Step("sluice-approve", "failure", 3)}, "", false).severity == "upstream");
  // A publish says which target failed; an old record that does not is taken as production.
  CHECK(DecideOutcome({Step("sluice-publish", "failure", 3)}, "", false).severity == "production");
  StepRecord staging = Step("sluice-publish", "failure", 3);
  staging.severity = "upstream";
  CHECK(DecideOutcome({staging}, "", false).severity == "upstream");
  // A job that failed outside sluice's steps: production once a publish ran in it.
  CHECK(DecideOutcome({Step("sluice-publish", "success", 0)}, "failure", false).severity == "production");
  CHECK(DecideOutcome({Step("sluice-fetch", "success", 0)}, "failure", false).severity == "upstream");
  CHECK(DecideOutcome({Step("sluice-publish", "success", 0)}, "", false).severity.empty());  // no failure, no class
}

TEST_CASE("severity routes: failure_production and failure_upstream come before failure", "[notify][severity]") {
  NotifyConfig config;
  config.routes["failure"] = {"failure", "C0INCIDENT", ""};
  config.routes["failure_production"] = {"failure_production", "C0PAGE", ""};
  CHECK(RouteFor(config, Event::kFailure, "production")->channel == "C0PAGE");
  CHECK(RouteFor(config, Event::kFailure, "upstream")->channel == "C0INCIDENT");
  CHECK(RouteFor(config, Event::kFailure)->channel == "C0INCIDENT");
  CHECK(RouteFor(config, Event::kTransient, "production") == std::nullopt);  // failure_* serves failures only
}

TEST_CASE("routes: the event's own, else the default, else none", "[notify]") {
  NotifyConfig config;
  config.routes["failure"] = {"failure", "C0INCIDENT", ""};
  CHECK(RouteFor(config, Event::kFailure)->channel == "C0INCIDENT");
  CHECK_FALSE(RouteFor(config, Event::kPublished).has_value());
  config.fallback = Route{"default", "C0ALL", ""};
  CHECK(RouteFor(config, Event::kPublished)->channel == "C0ALL");

  Route both{"failure", "C0INCIDENT", "SLACK_WEBHOOK_X"};
  auto with_token = ResolveDestination(both, Environment::FromMap({{"SLACK_BOT_TOKEN", "xoxb-1"}, {"SLACK_WEBHOOK_X", "https://hooks.slack.com/services/T/B/abcdef"}}), false);
  REQUIRE(with_token.ok());
  CHECK(with_token->transport == Transport::kWebApi);
  auto without = ResolveDestination(both, Environment::FromMap({{"SLACK_WEBHOOK_X", "https://hooks.slack.com/services/T/B/abcdef"}}), false);
  REQUIRE(without.ok());
  CHECK(without->transport == Transport::kWebhook);
  CHECK(without->Describe() == "webhook $SLACK_WEBHOOK_X");
  auto missing = ResolveDestination(Route{"failure", "", "SLACK_WEBHOOK_X"}, Environment::FromMap({}), false);
  CHECK(missing.status().kind() == ErrorKind::kConfig);
  CHECK_THAT(missing.status().message(), Catch::Contains("$SLACK_WEBHOOK_X"));
}

TEST_CASE("the same error: numbers, ids and spacing do not matter, pipeline and class do", "[notify]") {
  CHECK(NormalizeMessage("HTTP 503 after 3 attempts at 02:00") == "http # after # attempts at #:#");
  CHECK(NormalizeMessage("head moved to 0123abcd9f  now") == "head moved to # now");
  CHECK(NormalizeMessage("deadbeef") == "deadbeef");  // a word without a digit stays
  std::string a = ErrorFingerprint("cases", "fetch-failed", "HTTP 503 after 3 attempts");
  CHECK(a.size() == 16);
  CHECK(a == ErrorFingerprint("cases", "fetch-failed", "HTTP 502 after 4 attempts"));
  CHECK(a != ErrorFingerprint("deaths", "fetch-failed", "HTTP 503 after 3 attempts"));
  CHECK(a != ErrorFingerprint("cases", "publish-failed", "HTTP 503 after 3 attempts"));
  CHECK(a != ErrorFingerprint("cases", "fetch-failed", "HTTP 404 not found"));
}

TEST_CASE("messages are trimmed to Slack's limits, by characters, never inside a UTF-8 sequence", "[notify]") {
  CHECK(CharacterCount("é€😀") == 3);
  std::string accents;
  for (int i = 0; i < 4000; ++i) accents += "é";
  std::string cut = TrimToCharacters(accents, 3000, "…");
  CHECK(CharacterCount(cut) == 3000);
  CHECK(cut.substr(cut.size() - 3) == "…");
  CHECK(TrimToCharacters("short", 3000, "…") == "short");

  SlackMessage message;
  message.text = std::string(5000, 't');
  message.blocks.push_back({Block::Kind::kHeader, std::string(200, 'h')});
  for (int i = 0; i < 59; ++i) message.blocks.push_back({Block::Kind::kSection, std::string(3500, 's')});
  CHECK(FitToLimits(message) > 0);
  REQUIRE(message.blocks.size() == kMaxBlocks);
  CHECK(CharacterCount(message.blocks[0].text) == kMaxHeaderText);
  for (const auto& block : message.blocks) CHECK(CharacterCount(block.text) <= kMaxSectionText);
  CHECK_THAT(message.blocks.back().text, Catch::Contains("11 more block(s) left out"));
  CHECK(CharacterCount(message.text) <= kMaxFallbackText);
  auto payload = json::Parse(PayloadJson(message, "C1", "1.2"), "payload");
  REQUIRE(payload.ok());
  CHECK((*payload)["blocks"].Size() == kMaxBlocks);
  CHECK(std::string((*payload)["thread_ts"].GetString()) == "1.2");
  CHECK(EscapeMrkdwn("a<b>&c") == "a&lt;b&gt;&amp;c");
}

TEST_CASE("timestamps parse with offsets and fractions, and are refused without an offset", "[notify]") {
  auto a = ParseTimestamp("2026-12-07T09:30:00-08:00");
  auto b = ParseTimestamp("2026-12-07T17:30:00.000Z");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
  CHECK(FormatUtc(*ParseTimestamp("2026-11-29T09:00:00.250Z")) == "2026-11-29T09:00:00.250Z");
  CHECK_FALSE(ParseTimestamp("2026-12-07T09:30:00").ok());
  CHECK_FALSE(ParseTimestamp("yesterday").ok());
}

TEST_CASE("timestamps beyond what the clock holds are refused, not wrapped around", "[notify]") {
  // Found by fuzzing (a thread state's first_at in year 1013): the sum overflowed 64 bits.
  auto old = ParseTimestamp("1013-12-01T15:06:00Z");
  REQUIRE_FALSE(old.ok());
  CHECK_THAT(old.status().message(), Catch::Contains("between 1678 and 2261"));
  CHECK_FALSE(ParseTimestamp("2726-12-02T00:00:00Z").ok());
  CHECK_FALSE(ParseTimestamp("9999-12-31T23:59:59+01:00").ok());
  CHECK(FormatUtc(*ParseTimestamp("1678-01-01T00:00:00Z")) == "1678-01-01T00:00:00.000Z");
  CHECK(FormatUtc(*ParseTimestamp("2261-12-31T23:59:00-05:00")) == "2262-01-01T04:59:00.000Z");
}

TEST_CASE("the Prometheus text writer and its strict parser agree, malformed text is refused", "[metrics]") {
  metrics::MetricSet set;
  set.Set("sluice_rows", "Rows \\ seen\nper run", metrics::MetricType::kGauge, {{"pipeline", "ca\"ses"}}, 12);
  set.Set("sluice_rows", "", metrics::MetricType::kGauge, {{"pipeline", "deaths"}}, 0.25);
  set.Set("sluice_runs_total", "Runs", metrics::MetricType::kCounter, {}, 3);
  auto text = metrics::RenderExposition(set.families());
  REQUIRE(text.ok());
  CHECK(*text ==
        "# HELP sluice_rows Rows \\\\ seen\\nper run\n# TYPE sluice_rows gauge\nsluice_rows{pipeline=\"ca\\\"ses\"} 12\n"
        "sluice_rows{pipeline=\"deaths\"} 0.25\n# HELP sluice_runs_total Runs\n# TYPE sluice_runs_total counter\n"
        "sluice_runs_total 3\n");
  auto parsed = metrics::ParseExposition(*text);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 2);
  CHECK((*parsed)[0].samples[0].labels.at("pipeline") == "ca\"ses");
  CHECK((*parsed)[1].type == metrics::MetricType::kCounter);
  // Found by fuzzing: HELP was kept escaped, so each read and write doubled its backslashes.
  CHECK((*parsed)[0].help == "Rows \\ seen\nper run");
  auto again = metrics::RenderExposition(*parsed);
  REQUIRE(again.ok());
  CHECK(*again == *text);

  const char* bad[] = {
      "# HELP a x\n# TYPE a gauge\na 1",                                   // no final newline
      "a 1\n",                                                              // no HELP/TYPE
      "# HELP a x\n# TYPE a gauge\na{b=\"1\"} 1\na{b=\"1\"} 2\n",           // duplicate series
      "# HELP a x\n# TYPE a gauge\na one\n",                                // not a number
      "# HELP a x\n# TYPE a counter\na 1\n",                                // counter without _total
      "# HELP a x\n# TYPE a gauge\na 1\n# HELP b y\n# TYPE b gauge\nb 1\na 2\n",  // a family split
      "# HELP a x\n# TYPE a summary\na 1\n",                                // unknown type here
      "# HELP a x\n# TYPE a gauge\na{b=\"\\t\"} 1\n",                       // bad escape
      "# HELP a x\\t\n# TYPE a gauge\na 1\n",                              // bad escape in HELP
      "# HELP a x\n# TYPE a gauge\na{__b=\"1\"} 1\n",                       // a reserved label name (fuzzing)
      "# HELP 1a x\n",                                                      // bad name
      "# HELP a x\n# TYPE a gauge\na 1 1700000000\n",                       // a timestamp
  };
  for (const char* text_case : bad) {
    INFO(text_case);
    CHECK_FALSE(metrics::ParseExposition(text_case).ok());
  }
}

TEST_CASE("Slack's answers are judged from the answer alone: a refused post is never a success", "[notify][slack]") {
  auto answer = [](long status, std::string body) {
    http::Response response;
    response.status = status;
    response.body = std::move(body);
    response.attempts = 1;
    return response;
  };
  auto posted = notify::WebApiAnswerOf("chat.postMessage", "to C1", answer(200, R"({"ok": true, "channel": "C9", "ts": "1.2"})"));
  REQUIRE(posted.ok());
  auto message = notify::PostedMessageOf(*posted, "C1");
  REQUIRE(message.ok());
  CHECK((message->channel == "C9" && message->ts == "1.2"));
  auto no_ts = notify::WebApiAnswerOf("chat.postMessage", "to C1", answer(200, R"({"ok": true})"));
  REQUIRE(no_ts.ok());
  CHECK_THAT(notify::PostedMessageOf(*no_ts, "C1").status().message(), Catch::Contains("without a ts"));

  auto refused = notify::WebApiAnswerOf("chat.postMessage", "to C1", answer(200, R"({"ok": false, "error": "channel_not_found"})"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().kind() == ErrorKind::kExternal);
  CHECK_THAT(refused.status().message(), Catch::Contains("channel_not_found: check the channel id"));
  CHECK_FALSE(notify::WebApiAnswerOf("chat.postMessage", "to C1", answer(500, R"({"ok": true})")).ok());
  CHECK_FALSE(notify::WebApiAnswerOf("chat.postMessage", "to C1", answer(200, R"({"ok": "yes"})")).ok());
  CHECK_THAT(notify::WebApiAnswerOf("chat.postMessage", "to C1", answer(200, "\"\\udc00\"")).status().message(),
             Catch::Contains("not JSON"));

  CHECK(notify::WebhookAnswerOf("the webhook", answer(200, "ok\n")).ok());
  CHECK_FALSE(notify::WebhookAnswerOf("the webhook", answer(200, "okay")).ok());
  CHECK_THAT(notify::WebhookAnswerOf("the webhook", answer(404, "no_service")).message(), Catch::Contains("no_service: the webhook was removed"));
}
