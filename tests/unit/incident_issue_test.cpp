// The incident issue's words (notify/incident_issue.h): pure functions of the facts, so each
// fact a responder needs is checked here, and what must never happen to the Markdown.
#include <catch2/catch.hpp>

#include <string>

#include "notify/incident_issue.h"
#include "notify/message.h"

using namespace sluice;
using namespace sluice::notify;

namespace {

StepRecord Step(const std::string& tool, const std::string& status, int exit_code, const std::string& message) {
  StepRecord step;
  step.tool = tool;
  step.pipeline = "cases";
  step.status = status;
  step.exit_code = exit_code;
  step.message = message;
  return step;
}

IncidentFacts Facts(const std::string& severity) {
  IncidentFacts facts;
  facts.pipeline = "cases";
  facts.manifest = "pipelines/cases.json";
  facts.run_id = "100";
  facts.failing_since = "2026-12-07T10:00:00Z";
  facts.outcome.event = Event::kFailure;
  facts.outcome.severity = severity;
  facts.outcome.failure_class = severity == "production" ? "publish-failed" : "validation-failed";
  facts.outcome.headline = severity == "production" ? "sluice-publish failed (exit 3)" : "sluice-validate no (exit 1)";
  facts.outcome.detail = "the step's message";
  StepRecord failed = severity == "production" ? Step("sluice-publish", "failure", 3, "HTTP 503")
                                               : Step("sluice-validate", "no", 1, "1 check(s) failed");
  if (severity != "production") {
    for (int i = 1; i <= 7; ++i) failed.findings.push_back({"cases.schema", "data/cases.csv", static_cast<std::uint64_t>(i * 10), "bad " + std::to_string(i)});
  }
  facts.outcome.steps = {Step("sluice-fetch", "success", 0, ""), failed};
  facts.links.run = "https://github.com/acme/data/actions/runs/100";
  facts.links.pr = "https://github.com/acme/data/pull/7";
  facts.links.runbook = "https://github.com/acme/data/blob/main/runbooks/" + facts.outcome.failure_class + ".md";
  facts.live = LiveStatus{"file:///srv/cases/_sluice/status.json",
                          R"({"commit": "0123456789abcdef0123456789abcdef01234567", "published_at": "2026-12-06T09:00:00Z"})",
                          "0123456789abcdef0123456789abcdef01234567", ""};
  return facts;
}

}  // namespace

TEST_CASE("incident body: marker first, then pipeline, severity, failing step, class and runbook, run and PR links",
          "[notify][incident-issue]") {
  IncidentFacts facts = Facts("upstream");
  std::string body = IncidentBody(facts);
  CHECK(body.rfind(IncidentMarker("cases") + "\n", 0) == 0);
  CHECK(HasIncidentMarker(body, "cases"));
  CHECK_FALSE(HasIncidentMarker(body, "case"));  // the marker names the whole pipeline
  CHECK_THAT(body, Catch::Contains("| **Pipeline** | `cases` (`pipelines/cases.json`) |"));
  CHECK_THAT(body, Catch::Contains("`upstream`: the chain stopped before production"));
  CHECK_THAT(body, Catch::Contains("| **Failing step** | `sluice-validate` no (exit 1) |"));
  CHECK_THAT(body, Catch::Contains("`validation-failed`: [runbook, what to do](https://github.com/acme/data/blob/main/runbooks/validation-failed.md)"));
  CHECK_THAT(body, Catch::Contains("[run 100](https://github.com/acme/data/actions/runs/100)"));
  CHECK_THAT(body, Catch::Contains("https://github.com/acme/data/pull/7"));
  CHECK_THAT(body, Catch::Contains("the step's message"));
  CHECK(IncidentTitle(facts) == "cases: upstream incident: sluice-validate no (exit 1)");
  CHECK_FALSE(IsProductionIncident(IncidentTitle(facts), "cases"));
  CHECK(IsProductionIncident(IncidentTitle(Facts("production")), "cases"));
  CHECK_FALSE(IsProductionIncident(IncidentTitle(Facts("production")), "case"));
}

TEST_CASE("incident body: the first five findings with file:line, not the rest", "[notify][incident-issue]") {
  std::string body = IncidentBody(Facts("upstream"));
  CHECK_THAT(body, Catch::Contains("### Findings (the first 5)"));
  CHECK_THAT(body, Catch::Contains("`data/cases.csv:10`: `bad 1`"));
  CHECK_THAT(body, Catch::Contains("`data/cases.csv:50`: `bad 5`"));
  CHECK_THAT(body, !Catch::Contains("bad 6"));
  IncidentFacts none = Facts("production");
  CHECK_THAT(IncidentBody(none), !Catch::Contains("### Findings"));
}

TEST_CASE("incident body: what is live now always, the rollback command for production incidents only",
          "[notify][incident-issue]") {
  IncidentFacts upstream = Facts("upstream");
  CHECK_THAT(IncidentBody(upstream), Catch::Contains("### What is live now") && Catch::Contains("\"published_at\""));
  CHECK(RollbackCommand(upstream).empty());
  CHECK_THAT(IncidentBody(upstream), !Catch::Contains("### Roll back"));

  IncidentFacts production = Facts("production");
  const std::string command =
      "sluice-publish pipelines/cases.json --target production --ref 0123456789abcdef0123456789abcdef01234567 --yes";
  CHECK(RollbackCommand(production) == command);
  std::string body = IncidentBody(production);
  CHECK_THAT(body, Catch::Contains(command));
  CHECK_THAT(body, Catch::Contains("--ref 0123456789abcdef0123456789abcdef01234567 --dry-run"));

  production.live->commit.clear();  // no readable status: no made-up ref
  CHECK(RollbackCommand(production).empty());
  CHECK_THAT(IncidentBody(production), Catch::Contains("The last good commit is not known here"));
  production.live = LiveStatus{"file:///srv/cases/_sluice/status.json", "", "", "permission denied"};
  CHECK_THAT(IncidentBody(production), Catch::Contains("could not be read: `permission denied`"));
  production.live.reset();  // no production target
  CHECK_THAT(IncidentBody(production), !Catch::Contains("### What is live now"));
}

TEST_CASE("incident body: a message cannot close its code block or forge a marker, and the body fits GitHub's limit",
          "[notify][incident-issue]") {
  IncidentFacts facts = Facts("production");
  facts.outcome.detail = "```\n<!-- sluice:incident pipeline=deaths -->\n| table | break |";
  std::string body = IncidentBody(facts);
  CHECK_THAT(body, Catch::Contains("````text\n```\n<!-- sluice:incident pipeline=deaths -->"));
  CHECK(body.find(IncidentMarker("cases")) == 0);
  facts.outcome.detail = std::string(200'000, 'x');
  facts.live->text = std::string(200'000, 'y');
  body = IncidentBody(facts);
  CHECK(CharacterCount(body) <= kMaxIssueBody);
  CHECK_THAT(body, Catch::Contains("(cut; the run's log has it whole)"));
  CHECK_THAT(body, Catch::Contains("### How this issue closes"));  // cut texts, not the end
}

TEST_CASE("incident comments: a repeat says the run and count, the resolution names the run that did its job",
          "[notify][incident-issue]") {
  IncidentFacts facts = Facts("production");
  facts.run_id = "101";
  facts.links.run = "https://github.com/acme/data/actions/runs/101";
  facts.consecutive_failures = 3;
  std::string repeat = RepeatComment(facts);
  CHECK_THAT(repeat, Catch::Contains("**Failed again** in [run 101](https://github.com/acme/data/actions/runs/101)"));
  CHECK_THAT(repeat, Catch::Contains("3 failed run(s) since 2026-12-07T10:00:00Z"));
  CHECK_THAT(repeat, Catch::Contains("--ref 0123456789abcdef0123456789abcdef01234567"));
  RunOutcome published;
  published.event = Event::kPublished;
  published.headline = "published";
  Links links;
  links.run = "https://github.com/acme/data/actions/runs/102";
  CHECK(ResolvedComment("cases", published, links, "102") ==
        "**Resolved** by [run 102](https://github.com/acme/data/actions/runs/102): `published` (published). sluice-notify "
        "closes this incident of `cases`.\n");
}
