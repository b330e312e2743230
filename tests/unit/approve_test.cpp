// sluice-approve's gate: the publish window in local time (DST change days included) and every
// eligibility rule, each flipped on its own.
#include <catch2/catch.hpp>

#include <cstdio>
#include <functional>

#include <date/date.h>

#include "approve/eligibility.h"
#include "approve/rollup.h"
#include "approve/window.h"

using namespace sluice;
using namespace sluice::approve;

namespace {

// A UTC moment from "YYYY-MM-DD HH:MM".
Time Utc(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  REQUIRE(std::sscanf(text.c_str(), "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) == 5);
  date::sys_days day = date::year(y) / mo / d;
  return Time(day) + std::chrono::hours(h) + std::chrono::minutes(mi);
}

pipeline::PublishWindow LaWindow() { return {"09:00", "America/Los_Angeles", {}, 60}; }

PullFacts GoodPull() {
  PullFacts pull;
  pull.number = 7;
  pull.branch = "sluice/cases";
  pull.head_sha = "0123456789abcdef0123456789abcdef01234567";
  pull.author = "sluice-bot[bot]";
  pull.labels = {{"sluice:auto-approve", std::nullopt}};
  pull.statuses = {{"sluice/validate", "success", "sluice-bot[bot]"}, {"ci/lint", "success", "ci"}};
  pull.check_runs = {{"build", "success", "github-actions"}};
  pull.files = {{"data/cases.csv", "", "", "", false}};
  return pull;
}

GatePolicy AutoPolicy() {
  GatePolicy policy;
  policy.identity = "sluice-bot[bot]";
  policy.review = "auto";
  policy.outputs = {"data/cases.csv", "data/deaths.csv"};
  policy.required_checks = {"build"};
  policy.window = LaWindow();
  return policy;
}

// 09:30 in Los Angeles on Mon 7 Dec 2026 (PST, UTC-8).
Time Inside() { return Utc("2026-12-07 17:30"); }

std::string Reasons(const Decision& d) {
  std::string text;
  for (const auto& r : d.reasons) text += r + "; ";
  return text;
}

}  // namespace

TEST_CASE("the publish window opens at local time on both daylight-saving change days", "[approve][window]") {
  pipeline::PublishWindow window{"02:30", "America/Los_Angeles", {}, 60};
  // Spring forward, Sun 8 Mar 2026: 02:30 does not exist; the window opens when the gap ends (03:00 PDT = 10:00 UTC).
  auto spring = CheckWindow(window, Utc("2026-03-08 10:10"));
  REQUIRE(spring.ok());
  CHECK(spring->open);
  CHECK(spring->opened == Utc("2026-03-08 10:00"));
  // Fall back, Sun 1 Nov 2026: 02:30 happens once at 02:30 PST (10:30 UTC) - 01:xx repeats, 02:30 does not.
  auto fall = CheckWindow(window, Utc("2026-11-01 10:45"));
  REQUIRE(fall.ok());
  CHECK(fall->open);
  CHECK(fall->opened == Utc("2026-11-01 10:30"));
  // 09:00 local is 17:00 UTC in winter and 16:00 UTC in summer: never a fixed UTC time.
  auto winter = CheckWindow(LaWindow(), Utc("2026-12-07 17:00"));
  auto summer = CheckWindow(LaWindow(), Utc("2026-07-06 16:00"));
  REQUIRE((winter.ok() && summer.ok()));
  CHECK(winter->open);
  CHECK(summer->open);
  auto summer_utc_mistake = CheckWindow(LaWindow(), Utc("2026-07-06 17:00"));  // 10:00 PDT: past a 60-minute window
  CHECK_FALSE(summer_utc_mistake->open);
  // The day before and after a change: the window is the same local hour.
  CHECK(CheckWindow(LaWindow(), Utc("2026-03-07 17:00"))->open);  // Sat, PST
  CHECK(CheckWindow(LaWindow(), Utc("2026-03-09 16:00"))->open);  // Mon, PDT
  CHECK_FALSE(CheckWindow(LaWindow(), Utc("2026-03-09 17:00"))->open);
}

TEST_CASE("the window's edges: open at the minute, closed at its end, and the next opening named", "[approve][window]") {
  CHECK_FALSE(CheckWindow(LaWindow(), Utc("2026-12-07 16:59"))->open);
  CHECK(CheckWindow(LaWindow(), Utc("2026-12-07 17:00"))->open);
  CHECK(CheckWindow(LaWindow(), Utc("2026-12-07 17:59"))->open);
  auto closed = CheckWindow(LaWindow(), Utc("2026-12-07 18:00"));
  CHECK_FALSE(closed->open);
  CHECK(closed->next_text == "next 09:00 America/Los_Angeles on Tue 8 Dec");
  pipeline::PublishWindow weekdays{"09:00", "America/Los_Angeles", {"mon", "wed"}, 60};
  auto saturday = CheckWindow(weekdays, Utc("2026-12-05 17:30"));
  CHECK_FALSE(saturday->open);
  CHECK(saturday->next_text == "next 09:00 America/Los_Angeles on Mon 7 Dec");
  CHECK(CheckWindow(weekdays, Inside())->open);
  auto unknown = CheckWindow({"09:00", "Mars/Olympus", {}, 60}, Inside());
  CHECK_FALSE(unknown.ok());
}

TEST_CASE("a PR that meets every rule is merged, and each rule flipped alone stops it with its reason", "[approve]") {
  Decision good = Evaluate(GoodPull(), AutoPolicy(), Inside());
  INFO(Reasons(good));
  CHECK(good.merge);
  CHECK(good.trigger == "label sluice:auto-approve");

  struct Flip {
    const char* rule;
    std::function<void(PullFacts&, GatePolicy&, Time&)> change;
    const char* reason;
  };
  const std::vector<Flip> flips = {
      {"hold", [](PullFacts& p, GatePolicy&, Time&) { p.labels.push_back({"sluice:hold", {}}); }, "held by label sluice:hold"},
      {"needs review", [](PullFacts& p, GatePolicy&, Time&) { p.labels.push_back({"sluice:needs-review", {}}); },
       "waiting for a reviewer's approval (label sluice:needs-review)"},
      {"no label", [](PullFacts& p, GatePolicy&, Time&) { p.labels.clear(); }, "no label sluice:auto-approve"},
      {"paused", [](PullFacts&, GatePolicy& g, Time&) { g.paused = true; }, "automation is paused"},
      {"draft", [](PullFacts& p, GatePolicy&, Time&) { p.draft = true; }, "is a draft"},
      {"author", [](PullFacts& p, GatePolicy&, Time&) { p.author = "mallory"; }, "opened by mallory, not by sluice's identity"},
      {"branch", [](PullFacts& p, GatePolicy&, Time&) { p.branch = "feature/x"; }, "is not a sluice/ branch"},
      {"no validate status", [](PullFacts& p, GatePolicy&, Time&) { p.statuses.erase(p.statuses.begin()); },
       "has no sluice/validate status"},
      {"validate failed", [](PullFacts& p, GatePolicy&, Time&) { p.statuses[0].outcome = "failure"; },
       "sluice/validate is failure"},
      {"validate by someone else", [](PullFacts& p, GatePolicy&, Time&) { p.statuses[0].creator = "mallory"; },
       "was set by mallory"},
      {"required check missing", [](PullFacts& p, GatePolicy&, Time&) { p.check_runs.clear(); },
       "required check build has not reported"},
      {"required check failing", [](PullFacts& p, GatePolicy&, Time&) { p.check_runs[0].outcome = "failure"; },
       "required check build failing (failure)"},
      {"required check cancelled", [](PullFacts& p, GatePolicy&, Time&) { p.check_runs[0].outcome = "cancelled"; },
       "required check build failing (cancelled)"},
      {"required check running", [](PullFacts& p, GatePolicy&, Time&) { p.check_runs[0].outcome = "pending"; },
       "required check build is still running"},
      {"required status failing", [](PullFacts& p, GatePolicy& g, Time&) {
         g.required_checks.push_back("ci/lint");
         p.statuses[1].outcome = "failure";
       },
       "required check ci/lint failing (failure)"},
      {"required check waiting for a maintainer", [](PullFacts& p, GatePolicy&, Time&) { p.check_runs[0].outcome = "action_required"; },
       "required check build waits for a maintainer to approve its workflow run"},
      {"hold spelt in another case", [](PullFacts& p, GatePolicy&, Time&) { p.labels.push_back({"Sluice:Hold", {}}); },
       "held by label sluice:hold"},
      {"not data", [](PullFacts& p, GatePolicy&, Time&) { p.files.push_back({"README.md", "", "", "", false}); },
       "changes README.md, which is not a data output"},
      {"renamed from elsewhere", [](PullFacts& p, GatePolicy&, Time&) { p.files[0].previous_path = "secrets.txt"; },
       "changes secrets.txt"},
      {"control characters", [](PullFacts& p, GatePolicy&, Time&) { p.files[0].problem = "holds control characters"; },
       "data/cases.csv holds control characters"},
      {"manual review", [](PullFacts&, GatePolicy& g, Time&) { g.review = "manual"; }, "review is manual"},
      {"outside the window", [](PullFacts&, GatePolicy&, Time& now) { now = Utc("2026-12-07 19:00"); },
       "outside the window, next 09:00 America/Los_Angeles on Tue 8 Dec"},
  };
  for (const Flip& flip : flips) {
    PullFacts pull = GoodPull();
    GatePolicy policy = AutoPolicy();
    Time now = Inside();
    flip.change(pull, policy, now);
    Decision d = Evaluate(pull, policy, now);
    INFO(flip.rule << ": " << Reasons(d));
    CHECK_FALSE(d.merge);
    CHECK_THAT(Reasons(d), Catch::Contains(flip.reason));
  }
}

// GitHub Actions leaves a check run on the head for every workflow run, the gate's own included:
// in progress while the gate runs, and cancelled when its concurrency group replaces it.
TEST_CASE("checks that are not required do not decide the gate: the gate's own runs, in progress or cancelled, and "
          "a failing optional check, which is noted",
          "[approve][checks]") {
  PullFacts pull = GoodPull();
  pull.check_runs.push_back({"approve / gate", "pending", "github-actions"});
  pull.check_runs.push_back({"approve / gate (earlier run)", "cancelled", "github-actions"});
  pull.statuses.push_back({"ci/coverage", "failure", "ci"});
  Decision d = Evaluate(pull, AutoPolicy(), Inside());
  INFO(Reasons(d));
  CHECK(d.merge);
  std::string notes;
  for (const auto& note : d.notes) notes += note + "; ";
  CHECK_THAT(notes, Catch::Contains("check approve / gate (earlier run) is cancelled (not required, so not judged)") &&
                        Catch::Contains("check ci/coverage is failure (not required") && !Catch::Contains("approve / gate is"));
}

// docs.github.com, "Triggering a workflow from a workflow": events made with GITHUB_TOKEN start
// no workflow run, so a required check from a workflow never reports on a PR it pushed.
TEST_CASE("a required check that never ran on a PR pushed with GITHUB_TOKEN says why and what to do", "[approve][checks]") {
  PullFacts pull = GoodPull();
  pull.author = "github-actions[bot]";
  pull.statuses[0].creator = "github-actions[bot]";
  pull.check_runs.clear();
  GatePolicy policy = AutoPolicy();
  policy.identity = "github-actions[bot]";
  Decision d = Evaluate(pull, policy, Inside());
  CHECK_FALSE(d.merge);
  CHECK_THAT(Reasons(d), Catch::Contains("required check build never ran on head 0123456: runs on PRs pushed with "
                                         "GITHUB_TOKEN do not start; use a GitHub App token"));
  pull.author = policy.identity = "sluice-app[bot]";  // an App's PR: its checks start, so it is only not there yet
  pull.statuses[0].creator = "sluice-app[bot]";
  CHECK_THAT(Reasons(Evaluate(pull, policy, Inside())), Catch::Contains("required check build has not reported on head"));
}

TEST_CASE("logins compare as GitHub's: the [bot] suffix GraphQL leaves off and case do not matter", "[approve]") {
  PullFacts pull = GoodPull();
  GatePolicy policy = AutoPolicy();
  policy.identity = "Sluice-Bot";  // as GraphQL or a person might write it
  Decision d = Evaluate(pull, policy, Inside());
  INFO(Reasons(d));
  CHECK(d.merge);
  pull.approved_by = {"sluice-bot"};  // sluice's own approval, spelt without [bot], still does not count
  pull.labels = {{"sluice:needs-review", {}}};
  CHECK_FALSE(Evaluate(pull, policy, Inside()).merge);
}

TEST_CASE("hold beats every other label, and is named first", "[approve]") {
  PullFacts pull = GoodPull();
  pull.labels = {{"sluice:publish-now", {}}, {"sluice:hold", {}}, {"sluice:auto-approve", {}}};
  pull.approved_by = {"alice"};
  Decision d = Evaluate(pull, AutoPolicy(), Inside());
  CHECK_FALSE(d.merge);
  REQUIRE_FALSE(d.reasons.empty());
  CHECK(d.reasons.front() == "held by label sluice:hold");
}

TEST_CASE("a reviewer's approval is the gate for manual pipelines and needs-review PRs, at the window", "[approve]") {
  PullFacts pull = GoodPull();
  pull.labels = {{"sluice:needs-review", {}}};
  GatePolicy policy = AutoPolicy();
  policy.review = "manual";
  pull.approved_by = {"sluice-bot[bot]"};  // its own approval does not count
  CHECK_FALSE(Evaluate(pull, policy, Inside()).merge);
  pull.approved_by = {"alice"};
  Decision d = Evaluate(pull, policy, Inside());
  CHECK(d.merge);
  CHECK(d.trigger == "approved by alice");
  CHECK_FALSE(Evaluate(pull, policy, Utc("2026-12-07 20:00")).merge);  // approved, but it merges at the window
}

TEST_CASE("time labels: publish-now is due at once, publish-at becomes due and stays due", "[approve][labels]") {
  GatePolicy policy = AutoPolicy();
  PullFacts pull = GoodPull();
  pull.labels = {{"sluice:publish-now", {}}};
  CHECK(Evaluate(pull, policy, Utc("2026-12-07 23:00")).merge);  // outside the window: the label is its own time

  // Added at 08:00 local (16:00 UTC) for 14:15 local (22:15 UTC).
  pull.labels = {{"sluice:publish-at-14:15", Utc("2026-12-07 16:00")}};
  Decision early = Evaluate(pull, policy, Utc("2026-12-07 22:14"));
  CHECK_FALSE(early.merge);
  CHECK_THAT(Reasons(early), Catch::Contains("due at Mon 7 Dec 14:15 America/Los_Angeles"));
  CHECK(Evaluate(pull, policy, Utc("2026-12-07 22:15")).merge);
  // The pass at 14:15 was missed (runner late, rate limit): the next pass, hours later, still merges.
  CHECK(Evaluate(pull, policy, Utc("2026-12-08 03:40")).merge);
  // A hold still beats a due time label.
  pull.labels.push_back({"sluice:hold", {}});
  CHECK_FALSE(Evaluate(pull, policy, Utc("2026-12-08 03:40")).merge);
  // Not a time label: ignored.
  CHECK_FALSE(PublishAtClock("sluice:publish-at-25:00", LabelNames{}).has_value());
  CHECK(PublishAtClock("sluice:publish-at-09:05", LabelNames{}) == std::pair{9, 5});
}

TEST_CASE("rollup trailers: the members a rollup commit names survive the round trip", "[approve][rollup]") {
  std::vector<RollupMember> members = {{"cases", 12}, {"hospital-beds", 140}};
  std::string message = RollupMessage(members, "https://github.com/acme/data/actions/runs/7");
  CHECK_THAT(message, Catch::StartsWith("Roll up the data of cases, hospital-beds\n\nSluice-Pipeline: rollup\n"));
  auto back = RollupMembers(message);
  REQUIRE(back.size() == 2);
  CHECK(back[1].pipeline == "hospital-beds");
  CHECK(back[1].number == 140);
  // A trailer quoted in the body, above the last paragraph, does not count.
  CHECK(RollupMembers("Roll up\n\nSluice-Rollup: quoted #1\n\nSluice-Pipeline: rollup\n").empty());
  CHECK(RollupMembers("Sluice-Rollup: cases\n").empty());
}

TEST_CASE("folding needs the gate's provenance, not its labels or window", "[approve][rollup]") {
  PullFacts pull = GoodPull();
  GatePolicy policy = AutoPolicy();
  pull.labels = {{"sluice:rollup", std::nullopt}};  // no approving label: still foldable
  CHECK(FoldProblems(pull, policy).empty());
  PullFacts held = pull;
  held.labels.push_back({"sluice:hold", std::nullopt});
  CHECK(FoldProblems(held, policy) == std::vector<std::string>{"held by label sluice:hold"});
  PullFacts foreign = pull;
  foreign.author = "mallory";
  REQUIRE(FoldProblems(foreign, policy).size() == 1);
  CHECK_THAT(FoldProblems(foreign, policy)[0], Catch::Contains("opened by mallory"));
  PullFacts unvalidated = pull;
  unvalidated.statuses[0].outcome = "failure";
  CHECK_FALSE(FoldProblems(unvalidated, policy).empty());
  PullFacts not_data = pull;
  not_data.files.push_back({"README.md", "", "", "", false});
  CHECK_FALSE(FoldProblems(not_data, policy).empty());
  GatePolicy paused = policy;
  paused.paused = true;
  CHECK_FALSE(FoldProblems(pull, paused).empty());
}
