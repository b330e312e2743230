// sluice-approve against the GitHub fake, driven through its REST API as GitHub would be: a data
// PR as sluice-pr leaves it, then labels, reviews and pushes by people, then a pass.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <date/date.h>
#include <date/tz.h>

#include "github/api.h"
#include "github/graphql.h"
#include "json/json.h"
#include "support/data_repo.h"
#include "support/github_fake.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace sluice;

namespace {

const std::string kApprove = std::string(SLUICE_BIN_DIR) + "/sluice-approve";
const std::string kRepo = "acme/data";
constexpr const char* kAliceToken = "alice-token-0123456789";

// 09:30 in Los Angeles on Mon 7 Dec 2026: inside a 09:00 window.
constexpr const char* kInside = "2026-12-07T09:30:00-08:00";
constexpr const char* kOutside = "2026-12-07T13:00:00-08:00";

std::string Manifest(const std::string& review) {
  return R"({"name": "cases", "review": ")" + review + R"(", "sources": [{"name": "cases", "url": "file:sources/c.csv",
    "format": "csv", "output": "data/cases.csv"}],
    "owners": {"primary": {"github": "alice"}},
    "publish": {"production": "file:///tmp/published", "window": {"time": "09:00", "timezone": "America/Los_Angeles",
      "open_minutes": 120}}})";
}

class Setup {
 public:
  explicit Setup(const std::string& review = "auto") {
    repo_.Write("pipelines/cases.json", Manifest(review));
    repo_.Write("data/cases.csv", "county,cases\nAlameda,1\n");
    repo_.WriteDemoWorkflows();  // GitHub checks a dispatch against the workflow file
    repo_.Commit("first data");
    fake_.CreateRepo(kRepo, repo_);
    fake_.Control("POST", "/_fake/tokens", std::string(R"({"token": ")") + kAliceToken + R"(", "login": "alice", "type": "User"})");
  }

  GitHubFake& fake() { return fake_; }
  const DataRepo& repo() const { return repo_; }

  // GitHub as an identity: the bot (sluice) or alice (a person).
  github::Api As(const char* token) const { return fake_.ClientAs(kRepo, token); }
  rapidjson::Document Send(const char* token, const std::string& method, const std::string& path,
                           const std::string& body = "") const {
    github::Api api = As(token);
    auto reply = api.Call(method, api.RepoPath(path), body);
    INFO(method << " " << path << ": " << reply.status().message());
    REQUIRE(reply.ok());
    return std::move(reply->json);
  }

  // A data PR as sluice-pr leaves it: sluice/cases with new data, the PR by the bot, its label,
  // and the sluice/validate status on the head. Returns the PR number.
  int OpenDataPr(const std::string& label = "sluice:auto-approve", const std::string& extra_file = "",
                 const std::string& data = "county,cases\nAlameda,2\n") {
    repo_.Git({"checkout", "-q", "-b", "sluice/cases"});
    repo_.Write("data/cases.csv", data);
    if (!extra_file.empty()) repo_.Write(extra_file, "notes\n");
    head_ = repo_.Commit("data: cases\n\nSluice-Pipeline: cases");
    repo_.Git({"push", "-q", fake_.BarePath(kRepo).string(), "sluice/cases"});
    repo_.Git({"checkout", "-q", "main"});
    auto pull = Send(GitHubFake::kToken, "POST", "/pulls",
                     R"({"title": "Data: cases", "head": "sluice/cases", "base": "main", "body": "New data"})");
    int number = pull["number"].GetInt();
    if (!label.empty()) Label(GitHubFake::kToken, number, label);
    Send(GitHubFake::kToken, "POST", "/statuses/" + head_, R"({"state": "success", "context": "sluice/validate"})");
    return number;
  }
  void Label(const char* token, int number, const std::string& label) {
    Send(token, "POST", "/issues/" + std::to_string(number) + "/labels", R"({"labels": [")" + label + R"("]})");
  }
  void Unlabel(const char* token, int number, const std::string& label) {
    Send(token, "DELETE", "/issues/" + std::to_string(number) + "/labels/" + label);
  }
  const std::string& head() const { return head_; }

  ProcessResult Approve(std::vector<std::string> args, EnvOverrides env = {}) const {
    std::vector<std::string> argv = {kApprove, "--workspace", repo_.path().string(), "--identity", GitHubFake::kLogin};
    argv.insert(argv.end(), args.begin(), args.end());
    EnvOverrides all = fake_.StepEnv(kRepo);
    for (auto& [name, value] : env) all[name] = value;
    return RunProcess(argv, all);
  }
  std::string MainSha() const { return fake_.BareGit(kRepo, {"rev-parse", "main"}); }

 private:
  DataRepo repo_;
  GitHubFake fake_;
  std::string head_;
};

void NoInvalidRequests(const GitHubFake& fake) {
  for (const auto& request : fake.Requests()) {
    INFO(request.method << " " << request.path << ": " << request.invalid);
    CHECK(request.invalid.empty());
  }
}

}  // namespace

TEST_CASE("an auto-approve PR inside the window is approved, merged with the sha guard, and publishing started",
          "[approve]") {
  Setup s;
  int pr = s.OpenDataPr();
  std::string before = s.MainSha();
  auto run = s.Approve({"--now", kInside});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("#" + std::to_string(pr) + " cases: merged as"));
  CHECK(s.MainSha() != before);
  // main now holds the PR's data.
  CHECK(s.fake().BareGit(kRepo, {"show", "main:data/cases.csv"}) == "county,cases\nAlameda,2");
  auto merge = Matching(s.fake().Requests(), "PUT", "/pulls/" + std::to_string(pr) + "/merge");
  REQUIRE(merge.size() == 1);
  CHECK_THAT(merge[0].body, Catch::Contains("\"sha\":\"" + s.head() + "\"") && Catch::Contains("\"merge_method\":\"squash\""));
  // The bot cannot approve its own PR (GitHub answers 422): the review that says why is a comment.
  auto reviews = s.fake().Api("/repos/acme/data/pulls/" + std::to_string(pr) + "/reviews");
  REQUIRE(reviews.Size() == 1);
  CHECK(std::string(reviews[0]["state"].GetString()) == "COMMENTED");
  CHECK_THAT(reviews[0]["body"].GetString(), Catch::Contains("label sluice:auto-approve") &&
                                                 Catch::Contains("inside the publish window"));
  CHECK_THAT(run.out, Catch::Contains("--approve-token-env"));
  // Merges made with GITHUB_TOKEN start no workflow: the publish workflow is dispatched.
  auto dispatches = s.fake().Control("GET", "/_fake/repos/acme/data/dispatches");
  CHECK_THAT(dispatches, Catch::Contains("sluice-publish.yml") && Catch::Contains("\"pipeline\":\"cases\""));
  NoInvalidRequests(s.fake());
}

TEST_CASE("a second identity approves with --approve-token-env", "[approve]") {
  Setup s;
  int pr = s.OpenDataPr();
  auto run = s.Approve({"--now", kInside, "--approve-token-env", "APPROVER_TOKEN"}, {{"APPROVER_TOKEN", kAliceToken}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  auto reviews = s.fake().Api("/repos/acme/data/pulls/" + std::to_string(pr) + "/reviews");
  REQUIRE(reviews.Size() == 1);
  CHECK(std::string(reviews[0]["state"].GetString()) == "APPROVED");
  CHECK(std::string(reviews[0]["user"]["login"].GetString()) == "alice");
  CHECK_THAT(run.out, !Catch::Contains(kAliceToken));
  NoInvalidRequests(s.fake());
}

TEST_CASE("hold by label pauses the merge, removing it resumes on the label event", "[approve]") {
  Setup s;
  int pr = s.OpenDataPr();
  s.Label(kAliceToken, pr, "sluice:hold");
  std::string before = s.MainSha();
  auto held = s.Approve({"--now", kInside});
  CHECK(held.exit_code == 0);
  CHECK_THAT(held.out, Catch::Contains("not merged: held by label sluice:hold"));
  CHECK(s.MainSha() == before);
  CHECK(Matching(s.fake().Requests(), "PUT", "/merge").empty());

  s.Unlabel(kAliceToken, pr, "sluice:hold");
  TempDir events;
  auto payload = events.Write("event.json", R"({"action": "unlabeled", "label": {"name": "sluice:hold"},
    "pull_request": {"number": )" + std::to_string(pr) + "}}");
  auto resumed = s.Approve({"--now", kInside}, {{"GITHUB_EVENT_NAME", "pull_request"}, {"GITHUB_EVENT_PATH", payload.string()}});
  INFO(resumed.out << resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK_THAT(resumed.out, Catch::Contains("merged as"));
  CHECK(s.MainSha() != before);
  NoInvalidRequests(s.fake());
}

TEST_CASE("a push between the check and the merge: GitHub answers 409, exit 4, nothing merged, said on the PR",
          "[approve]") {
  Setup s;
  int pr = s.OpenDataPr();
  std::string before = s.MainSha();
  s.fake().Settings(kRepo, R"({"push_before_merge": true})");
  auto run = s.Approve({"--now", kInside});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 4);
  CHECK_THAT(run.err, Catch::Contains("head moved"));
  CHECK(s.MainSha() == before);
  auto comments = s.fake().Api("/repos/acme/data/issues/" + std::to_string(pr) + "/comments");
  REQUIRE(comments.Size() == 1);
  CHECK_THAT(comments[0]["body"].GetString(), Catch::Contains("did not merge") && Catch::Contains("Nothing was merged"));
  NoInvalidRequests(s.fake());
}

TEST_CASE("paused, outside the window, a non-data path, or a dry run: nothing merged, each with its reason",
          "[approve]") {
  Setup s;
  s.OpenDataPr("sluice:auto-approve", "README.md");
  std::string before = s.MainSha();
  auto not_data = s.Approve({"--now", kInside});
  CHECK_THAT(not_data.out, Catch::Contains("changes README.md, which is not a data output"));

  Setup t;
  t.OpenDataPr();
  auto paused = t.Approve({"--now", kInside}, {{"SLUICE_PAUSED", "true"}});
  CHECK_THAT(paused.out, Catch::Contains("automation is paused for the repository"));
  auto outside = t.Approve({"--now", kOutside});
  CHECK_THAT(outside.out, Catch::Contains("outside the window, next 09:00 America/Los_Angeles on Tue 8 Dec"));
  t.fake().ClearRequests();
  auto dry = t.Approve({"--now", kInside, "--dry-run", "--json"});
  CHECK(dry.exit_code == 0);
  auto report = json::Parse(dry.out, "--json");
  REQUIRE(report.ok());
  CHECK((*report)["pulls"][0]["eligible"].GetBool());
  CHECK_FALSE((*report)["pulls"][0]["merged"].GetBool());
  CHECK(Writes(t.fake().Requests()).empty());
  CHECK(s.MainSha() == before);
  auto required = t.Approve({"--now", kOutside, "--require"});
  CHECK(required.exit_code == 1);
}

TEST_CASE("manual review: waiting until a reviewer approves the head, then merged at the window", "[approve]") {
  Setup s("manual");
  int pr = s.OpenDataPr("sluice:needs-review");
  auto waiting = s.Approve({"--now", kInside});
  CHECK_THAT(waiting.out, Catch::Contains("waiting for a reviewer's approval (label sluice:needs-review)"));
  s.Send(kAliceToken, "POST", "/pulls/" + std::to_string(pr) + "/reviews",
         R"({"event": "APPROVE", "commit_id": ")" + s.head() + R"(", "body": "Numbers look right"})");
  auto outside = s.Approve({"--now", kOutside});
  CHECK_THAT(outside.out, Catch::Contains("outside the window"));
  auto merged = s.Approve({"--now", kInside});
  INFO(merged.out << merged.err);
  CHECK_THAT(merged.out, Catch::Contains("merged as") && Catch::Contains("approved by alice"));
  NoInvalidRequests(s.fake());
}

TEST_CASE("a time label stays due: a pass that missed its time merges at the next one", "[approve][labels]") {
  Setup s;
  int pr = s.OpenDataPr("");
  // Due six hours from now, Los Angeles time (the pipeline's zone), whenever the test runs.
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto due_local = date::make_zoned("America/Los_Angeles", now + std::chrono::hours(6)).get_local_time();
  std::string label = "sluice:publish-at-" + date::format("%H:%M", due_local);
  s.Label(kAliceToken, pr, label);
  auto iso = [](std::chrono::system_clock::time_point at) {
    return date::format("%Y-%m-%dT%H:%M:%SZ", std::chrono::floor<std::chrono::seconds>(at));
  };
  auto early = s.Approve({"--now", iso(now + std::chrono::minutes(1))});
  CHECK_THAT(early.out, Catch::Contains("label " + label + " is due at"));
  // The pass at the due time was missed (runner late, rate limit): 30 hours later it still merges,
  // outside the window, because the time label is its own window.
  auto late = s.Approve({"--now", iso(now + std::chrono::hours(30))});
  INFO(late.out << late.err);
  CHECK_THAT(late.out, Catch::Contains("merged as") && Catch::Contains("label " + label));
  NoInvalidRequests(s.fake());
}

TEST_CASE("a rate-limited listing is waited out and the pass completes", "[approve]") {
  Setup s;
  s.OpenDataPr();
  s.fake().AddFault(R"({"method": "GET", "path": "^/repos/acme/data/pulls$", "times": 1, "status": 403,
                        "kind": "secondary-rate-limit", "retry_after": 1})");
  auto run = s.Approve({"--now", kInside});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("merged as"));
  int open_lists = 0;  // the refused one and its repeat (the closed PRs are listed once more, for queue merges)
  for (const auto& list : Matching(s.fake().Requests(), "GET", "/repos/acme/data/pulls")) {
    open_lists += list.query.find(R"("state":"open")") != std::string::npos;
  }
  CHECK(open_lists == 2);
}

TEST_CASE("a base branch that requires a merge queue: the PR is queued with its head as the condition, GitHub's queue "
          "merges it",
          "[approve][queue]") {
  Setup s;
  int pr = s.OpenDataPr();
  s.fake().Settings(kRepo, R"({"merge_queue": true})");
  std::string before = s.MainSha();
  auto run = s.Approve({"--now", kInside});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("#" + std::to_string(pr) + " cases: queued (label sluice:auto-approve): position 1 "
                                      "in the base branch's merge queue"));
  // The base's rules name the queue: no REST merge (GitHub would answer 405), the GraphQL
  // enqueue carries the head as its condition.
  CHECK(Matching(s.fake().Requests(), "PUT", "/merge").empty());
  // First whether it is queued already, then the enqueue.
  auto graphql = Matching(s.fake().Requests(), "POST", "/graphql");
  REQUIRE(graphql.size() == 2);
  CHECK_THAT(graphql[0].body, Catch::Contains("mergeQueueEntry") && !Catch::Contains("enqueuePullRequest"));
  CHECK_THAT(graphql[1].body, Catch::Contains("enqueuePullRequest") && Catch::Contains(s.head()));
  CHECK(s.MainSha() == before);
  auto queue = s.fake().Control("GET", "/_fake/repos/acme/data/merge_queue");
  CHECK_THAT(queue, Catch::Contains("\"enqueuer\":\"" + std::string(GitHubFake::kLogin) + "\""));
  // A second pass before the queue ran neither reviews nor queues again.
  s.fake().ClearRequests();
  auto again = s.Approve({"--now", kInside});
  INFO(again.out << again.err);
  // GraphQL gives a bot's login without "[bot]" (the enqueuer is sluice-bot[bot] in REST).
  CHECK_THAT(again.out, Catch::Contains("position 1") && Catch::Contains("already in the merge queue (queued by sluice-bot)"));
  CHECK(Matching(s.fake().Requests(), "POST", "/reviews").empty());
  auto queries = Matching(s.fake().Requests(), "POST", "/graphql");
  REQUIRE(queries.size() == 1);
  CHECK_THAT(queries[0].body, !Catch::Contains("enqueuePullRequest"));
  CHECK(s.fake().Api("/repos/acme/data/pulls/" + std::to_string(pr) + "/reviews").Size() == 1);
  // sluice marked what it queued.
  auto labels = s.fake().Api("/repos/acme/data/issues/" + std::to_string(pr) + "/labels");
  CHECK(json::Write(labels).find("\"name\":\"sluice:queued\"") != std::string::npos);
  CHECK(s.fake().Control("GET", "/_fake/repos/acme/data/dispatches") == "[]");
  // GitHub's queue merges it.
  s.fake().Control("POST", "/_fake/repos/acme/data/merge_queue");
  CHECK(s.fake().BareGit(kRepo, {"show", "main:data/cases.csv"}) == "county,cases\nAlameda,2");
  // The next pass finds it merged: its publish is started (a queue merge of sluice's entry starts
  // no push workflow) and the mark comes off, so a third pass starts nothing.
  auto after = s.Approve({"--now", kOutside});
  INFO(after.out << after.err);
  CHECK(after.exit_code == 0);
  CHECK_THAT(after.out, Catch::Contains("#" + std::to_string(pr) + " cases: merged as") &&
                            Catch::Contains("by the base branch's merge queue; started sluice-publish.yml"));
  auto dispatches = s.fake().Control("GET", "/_fake/repos/acme/data/dispatches");
  CHECK_THAT(dispatches, Catch::Contains("sluice-publish.yml") && Catch::Contains("\"pipeline\":\"cases\""));
  CHECK(json::Write(s.fake().Api("/repos/acme/data/issues/" + std::to_string(pr) + "/labels")).find("sluice:queued") ==
        std::string::npos);
  auto third = s.Approve({"--now", kOutside});
  CHECK_THAT(third.out, Catch::Contains("no open sluice PR"));
  CHECK(s.fake().Control("GET", "/_fake/repos/acme/data/dispatches") == dispatches);
  NoInvalidRequests(s.fake());
}

TEST_CASE("hold on a queued PR takes it out of the queue when sluice queued it, and only then", "[approve][queue]") {
  Setup s;
  int pr = s.OpenDataPr();
  s.fake().Settings(kRepo, R"({"merge_queue": true})");
  REQUIRE(s.Approve({"--now", kInside}).exit_code == 0);
  s.Label(kAliceToken, pr, "sluice:hold");
  auto dry = s.Approve({"--now", kInside, "--dry-run"});
  CHECK_THAT(dry.out, Catch::Contains("held by label sluice:hold") && Catch::Contains("would take it out of the merge queue"));
  CHECK(s.fake().Control("GET", "/_fake/repos/acme/data/merge_queue") != "[]");
  auto held = s.Approve({"--now", kInside});
  INFO(held.out << held.err);
  CHECK(held.exit_code == 0);
  CHECK_THAT(held.out, Catch::Contains("taken out of the merge queue"));
  CHECK(s.fake().Control("GET", "/_fake/repos/acme/data/merge_queue") == "[]");
  s.fake().Control("POST", "/_fake/repos/acme/data/merge_queue");
  CHECK(s.fake().BareGit(kRepo, {"show", "main:data/cases.csv"}) == "county,cases\nAlameda,1");

  // A person queued it by hand: a hold does not make sluice undo a person's act; it says so.
  s.Unlabel(kAliceToken, pr, "sluice:hold");
  auto pull = s.fake().Api("/repos/acme/data/pulls/" + std::to_string(pr));
  github::Api alice = s.As(kAliceToken);
  REQUIRE(github::EnqueuePull(alice, pull["node_id"].GetString(), s.head()).ok());
  s.Label(kAliceToken, pr, "sluice:hold");
  auto theirs = s.Approve({"--now", kInside});
  INFO(theirs.out << theirs.err);
  CHECK_THAT(theirs.out, Catch::Contains("it is in the merge queue, put there by alice"));
  CHECK_THAT(s.fake().Control("GET", "/_fake/repos/acme/data/merge_queue"), Catch::Contains("\"enqueuer\":\"alice\""));
  NoInvalidRequests(s.fake());
}

TEST_CASE("branch protection: its required checks are read from the base branch, a required review needs a second "
          "identity",
          "[approve][protection]") {
  Setup s;
  int pr = s.OpenDataPr();
  s.fake().Settings(kRepo, R"({"required_checks": ["ci/build"]})");
  auto missing = s.Approve({"--now", kInside});
  INFO(missing.out << missing.err);
  CHECK_THAT(missing.out, Catch::Contains("required check ci/build has not reported on head " + s.head().substr(0, 7)));
  CHECK(Matching(s.fake().Requests(), "PUT", "/merge").empty());
  s.Send(kAliceToken, "POST", "/statuses/" + s.head(), R"({"state": "success", "context": "ci/build"})");

  s.fake().Settings(kRepo, R"({"required_approving_reviews": 1})");
  s.fake().ClearRequests();
  auto review = s.Approve({"--now", kInside});
  INFO(review.out << review.err);
  CHECK(review.exit_code == 2);
  CHECK_THAT(review.out + review.err, Catch::Contains("branch protection requires an approving review (1 required, 0 on head") &&
                                          Catch::Contains("--approve-token-env"));
  // Known from the base branch's rules before any write: no review comment, no refused merge.
  CHECK(Writes(s.fake().Requests()).empty());
  auto approved = s.Approve({"--now", kInside, "--approve-token-env", "APPROVER_TOKEN"}, {{"APPROVER_TOKEN", kAliceToken}});
  INFO(approved.out << approved.err);
  CHECK(approved.exit_code == 0);
  CHECK_THAT(approved.out, Catch::Contains("#" + std::to_string(pr) + " cases: merged as"));
  NoInvalidRequests(s.fake());
}

TEST_CASE("the files' contents are read only when every other rule would merge, each blob once", "[approve]") {
  Setup s;
  s.OpenDataPr();
  auto outside = s.Approve({"--now", kOutside});
  CHECK_THAT(outside.out, Catch::Contains("outside the window"));
  CHECK(Matching(s.fake().Requests(), "GET", "").size() > 0);
  int blob_reads = 0;
  for (const auto& request : s.fake().Requests()) blob_reads += request.path.find("/git/blobs/") != std::string::npos;
  CHECK(blob_reads == 0);
  s.fake().ClearRequests();
  auto inside = s.Approve({"--now", kInside});
  INFO(inside.out << inside.err);
  CHECK_THAT(inside.out, Catch::Contains("merged as"));
  blob_reads = 0;
  for (const auto& request : s.fake().Requests()) blob_reads += request.path.find("/git/blobs/") != std::string::npos;
  CHECK(blob_reads == 1);
}

TEST_CASE("a data file with a control character is not merged unseen, unless its extension is declared binary",
          "[approve]") {
  Setup s;
  s.OpenDataPr("sluice:auto-approve", "", "county,cases\nAlameda,\x1b[31m2\n");
  std::string before = s.MainSha();
  auto run = s.Approve({"--now", kInside});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("data/cases.csv holds control character 0x1b at byte 21"));
  CHECK(s.MainSha() == before);
  auto binary = s.Approve({"--now", kInside, "--binary-ext", "csv"});
  INFO(binary.out << binary.err);
  CHECK_THAT(binary.out, Catch::Contains("merged as"));
  NoInvalidRequests(s.fake());
}

// On a PR's events actions/checkout checks out the PR's merge preview: a PR that rewrites its own
// pipeline manifest (review auto, its manifest declared an output) would pass its own gate.
TEST_CASE("on a pull_request event the gate refuses a checkout of the PR itself: policy comes from the base branch only",
          "[approve][policy]") {
  Setup s("manual");
  const DataRepo& repo = s.repo();
  repo.Git({"checkout", "-q", "-b", "sluice/cases"});
  repo.Write("data/cases.csv", "county,cases\nAlameda,9\n");
  repo.Write("pipelines/cases.json", R"({"name": "cases", "review": "auto", "sources": [
    {"name": "cases", "url": "file:sources/c.csv", "format": "csv", "output": "data/cases.csv"},
    {"name": "gate", "url": "file:sources/g.json", "format": "json", "output": "pipelines/cases.json"}],
    "publish": {"production": "file:///tmp/published", "window": {"time": "09:00", "timezone": "America/Los_Angeles",
      "open_minutes": 120}}})");
  const std::string head = repo.Commit("data: cases\n\nSluice-Pipeline: cases");
  repo.Git({"push", "-q", s.fake().BarePath(kRepo).string(), "sluice/cases"});
  auto pull = s.Send(GitHubFake::kToken, "POST", "/pulls", R"({"title": "Data: cases", "head": "sluice/cases", "base": "main"})");
  const int pr = pull["number"].GetInt();
  s.Label(GitHubFake::kToken, pr, "sluice:auto-approve");
  s.Send(GitHubFake::kToken, "POST", "/statuses/" + head, R"({"state": "success", "context": "sluice/validate"})");
  TempDir events;
  auto payload = events.Write("event.json", R"({"action": "labeled", "pull_request": {"number": )" + std::to_string(pr) +
                                                R"(, "head": {"sha": ")" + head + R"("}}})");
  const EnvOverrides event = {{"GITHUB_EVENT_NAME", "pull_request"}, {"GITHUB_EVENT_PATH", payload.string()},
                              {"GITHUB_SHA", head}};
  const std::string before = s.MainSha();

  // The workspace holds the PR's own commit (its manifest says auto and declares itself an output).
  auto refused = s.Approve({"--now", kInside}, event);
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 4);
  CHECK_THAT(refused.err, Catch::Contains("is the PR's own merge preview") && Catch::Contains("base branch only"));
  CHECK(s.MainSha() == before);
  CHECK(Matching(s.fake().Requests(), "PUT", "/merge").empty());

  // Checked out at the base branch, as the reusable workflow does: the base's policy (manual,
  // data outputs only) judges the PR, which does not merge.
  repo.Git({"checkout", "-q", "main"});
  auto judged = s.Approve({"--now", kInside}, event);
  INFO(judged.out << judged.err);
  CHECK(judged.exit_code == 0);
  CHECK_THAT(judged.out, Catch::Contains("changes pipelines/cases.json, which is not a data output") &&
                             Catch::Contains("review is manual"));
  CHECK(s.MainSha() == before);
  NoInvalidRequests(s.fake());
}
