// The rollup (issue 19): data PRs of several pipelines labelled sluice:rollup are folded by
// sluice-approve into one PR on sluice/rollup, one commit, that passes the gate as one and
// publishes together; the absorbed PRs are closed with a link. Against the GitHub fake, the PRs
// made through its REST API as sluice-pr leaves them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "github/api.h"
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
constexpr const char* kInside = "2026-12-07T09:30:00-08:00";  // Mon 7 Dec, inside a 09:00 window
constexpr const char* kOutside = "2026-12-07T13:00:00-08:00";

std::string Manifest(const std::string& name) {
  return R"({"name": ")" + name + R"(", "review": "auto", "sources": [{"name": ")" + name +
         R"(", "url": "file:sources/x.csv", "format": "csv", "output": "data/)" + name + R"(.csv"}],
    "publish": {"production": "file:///tmp/published", "window": {"time": "09:00", "timezone": "America/Los_Angeles",
      "open_minutes": 120}}})";
}

class Rollup {
 public:
  Rollup() {
    for (const char* name : {"cases", "deaths", "tests"}) {
      repo_.Write(std::string("pipelines/") + name + ".json", Manifest(name));
      repo_.Write(std::string("data/") + name + ".csv", "county,n\nAlameda,1\n");
    }
    repo_.WriteDemoWorkflows();  // GitHub checks a dispatch against the workflow file
    repo_.Commit("first data");
    fake_.CreateRepo(kRepo, repo_);
    fake_.Control("POST", "/_fake/tokens", std::string(R"({"token": ")") + kAliceToken + R"(", "login": "alice", "type": "User"})");
  }

  rapidjson::Document Send(const char* token, const std::string& method, const std::string& path,
                           const std::string& body = "") const {
    github::ApiConfig config;
    config.base_url = fake_.url();
    config.owner = "acme";
    config.repo = "data";
    config.token = token;
    github::Api api(config);
    auto reply = api.Call(method, api.RepoPath(path), body);
    INFO(method << " " << path << ": " << reply.status().message());
    REQUIRE(reply.ok());
    return std::move(reply->json);
  }

  // A data PR as sluice-pr leaves it on sluice/<pipeline>, with `labels` and the
  // sluice/validate status on its head. `extra` adds a file that is not the pipeline's output.
  int OpenPr(const std::string& pipeline, const std::string& value, const std::vector<std::string>& labels,
             const std::string& extra = "") {
    repo_.Git({"checkout", "-q", "-B", "sluice/" + pipeline, "main"});
    repo_.Write("data/" + pipeline + ".csv", "county,n\nAlameda," + value + "\n");
    if (!extra.empty()) repo_.Write(extra, "notes\n");
    std::string head = repo_.Commit("data: " + pipeline + "\n\nSluice-Pipeline: " + pipeline);
    repo_.Git({"push", "-q", "-f", fake_.BarePath(kRepo).string(), "sluice/" + pipeline});
    repo_.Git({"checkout", "-q", "main"});
    auto pull = Send(GitHubFake::kToken, "POST", "/pulls",
                     R"({"title": "Data: )" + pipeline + R"(", "head": "sluice/)" + pipeline + R"(", "base": "main"})");
    int number = pull["number"].GetInt();
    std::string list;
    for (const auto& label : labels) list += (list.empty() ? "\"" : ", \"") + label + "\"";
    if (!labels.empty()) Send(GitHubFake::kToken, "POST", "/issues/" + std::to_string(number) + "/labels", "{\"labels\": [" + list + "]}");
    Send(GitHubFake::kToken, "POST", "/statuses/" + head, R"({"state": "success", "context": "sluice/validate"})");
    return number;
  }

  ProcessResult Approve(std::vector<std::string> args) const {
    std::vector<std::string> argv = {kApprove, "--workspace", repo_.path().string(), "--identity", GitHubFake::kLogin};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, fake_.StepEnv(kRepo));
  }
  std::string Show(const std::string& rev_path) const { return fake_.BareGit(kRepo, {"show", rev_path}); }
  std::string State(int number) const {
    return fake_.Api("/repos/acme/data/pulls/" + std::to_string(number))["state"].GetString();
  }

  GitHubFake& fake() { return fake_; }
  DataRepo& repo() { return repo_; }

 private:
  DataRepo repo_;
  GitHubFake fake_;
};

void NoInvalidRequests(const GitHubFake& fake) {
  for (const auto& request : fake.Requests()) {
    INFO(request.method << " " << request.path << ": " << request.invalid);
    CHECK(request.invalid.empty());
  }
}

}  // namespace

TEST_CASE("labelled PRs of two pipelines fold into one rollup PR that merges as one commit and publishes both",
          "[approve][rollup]") {
  Rollup r;
  int cases = r.OpenPr("cases", "2", {"sluice:auto-approve", "sluice:rollup"});
  int deaths = r.OpenPr("deaths", "7", {"sluice:auto-approve", "sluice:rollup"});
  int tests = r.OpenPr("tests", "9", {"sluice:auto-approve"});  // not labelled: stays on its own
  std::string before = r.fake().BareGit(kRepo, {"rev-parse", "main"});

  // Outside the window: folded, not merged yet.
  auto fold = r.Approve({"--now", kOutside});
  INFO(fold.out << fold.err);
  REQUIRE(fold.exit_code == 0);
  CHECK_THAT(fold.out, Catch::Contains("rollup: folded #" + std::to_string(cases) + " (cases), #" +
                                       std::to_string(deaths) + " (deaths) into #"));
  CHECK(r.State(cases) == "closed");
  CHECK(r.State(deaths) == "closed");
  CHECK(r.State(tests) == "open");
  // One commit on main's head holding both pipelines' new data, with trailers naming them.
  std::string head = r.fake().BareGit(kRepo, {"rev-parse", "sluice/rollup"});
  CHECK(r.fake().BareGit(kRepo, {"rev-parse", "sluice/rollup^"}) == before);
  CHECK(r.Show("sluice/rollup:data/cases.csv") == "county,n\nAlameda,2");
  CHECK(r.Show("sluice/rollup:data/deaths.csv") == "county,n\nAlameda,7");
  CHECK(r.Show("sluice/rollup:data/tests.csv") == "county,n\nAlameda,1");
  std::string message = r.fake().BareGit(kRepo, {"log", "-1", "--format=%B", "sluice/rollup"});
  CHECK_THAT(message, Catch::Contains("Sluice-Pipeline: rollup") &&
                          Catch::Contains("Sluice-Rollup: cases #" + std::to_string(cases)) &&
                          Catch::Contains("Sluice-Rollup: deaths #" + std::to_string(deaths)));
  // The absorbed PRs say where their data went.
  auto comments = r.fake().Api("/repos/acme/data/issues/" + std::to_string(cases) + "/comments");
  REQUIRE(comments.Size() == 1);
  CHECK_THAT(comments[0]["body"].GetString(), Catch::Contains("Folded into the rollup PR #"));
  // The rollup PR: labels carried over (never the rollup label), validated, waiting for the window.
  auto pulls = r.fake().Api("/repos/acme/data/pulls?state=open&head=acme:sluice/rollup");
  REQUIRE(pulls.Size() == 1);
  int rollup = pulls[0]["number"].GetInt();
  std::string labels = json::Write(pulls[0]["labels"]);
  CHECK_THAT(labels, Catch::Contains("sluice:auto-approve") && !Catch::Contains("sluice:rollup"));
  CHECK_THAT(fold.out, Catch::Contains("#" + std::to_string(rollup) + " rollup: not merged: outside the window"));
  auto statuses = r.fake().Api("/repos/acme/data/commits/" + head + "/statuses");
  REQUIRE(statuses.Size() == 1);
  CHECK(std::string(statuses[0]["state"].GetString()) == "success");

  // Inside the window: the rollup merges once, and both pipelines' publish runs start.
  r.fake().ClearRequests();
  auto merge = r.Approve({"--now", kInside});
  INFO(merge.out << merge.err);
  CHECK(merge.exit_code == 0);
  CHECK_THAT(merge.out, Catch::Contains("#" + std::to_string(rollup) + " rollup: merged as"));
  CHECK(Matching(r.fake().Requests(), "PUT", "/pulls/" + std::to_string(rollup) + "/merge").size() == 1);
  CHECK(r.Show("main:data/cases.csv") == "county,n\nAlameda,2");
  CHECK(r.Show("main:data/deaths.csv") == "county,n\nAlameda,7");
  auto dispatches = r.fake().Control("GET", "/_fake/repos/acme/data/dispatches");
  CHECK_THAT(dispatches, Catch::Contains("\"pipeline\":\"cases\"") && Catch::Contains("\"pipeline\":\"deaths\""));
  NoInvalidRequests(r.fake());
}

TEST_CASE("the rollup grows: a newer PR of a member replaces its data, a new pipeline joins", "[approve][rollup]") {
  Rollup r;
  r.OpenPr("cases", "2", {"sluice:rollup"});
  auto first = r.Approve({"--now", kOutside});
  REQUIRE(first.exit_code == 0);
  int newer = r.OpenPr("cases", "3", {"sluice:rollup"});
  int deaths = r.OpenPr("deaths", "7", {"sluice:rollup"});
  auto second = r.Approve({"--now", kOutside});
  INFO(second.out << second.err);
  REQUIRE(second.exit_code == 0);
  CHECK(r.Show("sluice/rollup:data/cases.csv") == "county,n\nAlameda,3");
  CHECK(r.Show("sluice/rollup:data/deaths.csv") == "county,n\nAlameda,7");
  std::string message = r.fake().BareGit(kRepo, {"log", "-1", "--format=%B", "sluice/rollup"});
  CHECK_THAT(message, Catch::Contains("Sluice-Rollup: cases #" + std::to_string(newer)) &&
                          Catch::Contains("Sluice-Rollup: deaths #" + std::to_string(deaths)));
  // Still one open rollup PR; without an approving label it waits.
  auto pulls = r.fake().Api("/repos/acme/data/pulls?state=open");
  REQUIRE(pulls.Size() == 1);
  CHECK(std::string(pulls[0]["head"]["ref"].GetString()) == "sluice/rollup");
  NoInvalidRequests(r.fake());
}

TEST_CASE("a fold cut off after the rollup was written is finished by the next pass, without a second commit",
          "[approve][rollup]") {
  Rollup r;
  int cases = r.OpenPr("cases", "2", {"sluice:rollup"});
  int deaths = r.OpenPr("deaths", "7", {"sluice:rollup"});
  // GitHub fails the comment on the first folded PR: the rollup is written, its PRs still open.
  r.fake().AddFault(R"({"method": "POST", "path": "/issues/\\d+/comments$", "times": 1, "status": 502})");
  auto cut = r.Approve({"--now", kOutside});
  INFO(cut.out << cut.err);
  CHECK(cut.exit_code == 3);
  const std::string head = r.fake().BareGit(kRepo, {"rev-parse", "sluice/rollup"});
  CHECK(r.State(cases) == "open");
  CHECK(r.State(deaths) == "open");

  r.fake().ClearRequests();
  auto again = r.Approve({"--now", kOutside});
  INFO(again.out << again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(r.fake().BareGit(kRepo, {"rev-parse", "sluice/rollup"}) == head);  // no empty commit on top
  CHECK(Matching(r.fake().Requests(), "POST", "/git/commits").empty());
  CHECK(r.State(cases) == "closed");
  CHECK(r.State(deaths) == "closed");
  CHECK(r.fake().Api("/repos/acme/data/pulls?state=open").Size() == 1);  // the one rollup PR
  // The comment GitHub refused was not sent twice: one per folded PR.
  CHECK(r.fake().Api("/repos/acme/data/issues/" + std::to_string(cases) + "/comments").Size() == 1);
  CHECK(r.fake().Api("/repos/acme/data/issues/" + std::to_string(deaths) + "/comments").Size() == 1);
  NoInvalidRequests(r.fake());
}

TEST_CASE("held, unvalidated or non-data PRs are not folded, each with its reason, a dry run writes nothing",
          "[approve][rollup]") {
  Rollup r;
  int held = r.OpenPr("cases", "2", {"sluice:rollup", "sluice:hold"});
  int not_data = r.OpenPr("deaths", "7", {"sluice:rollup"}, "README.md");
  r.fake().ClearRequests();
  auto dry = r.Approve({"--now", kInside, "--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("rollup: #" + std::to_string(held) + " not folded: held by label sluice:hold"));
  CHECK_THAT(dry.out, Catch::Contains("rollup: #" + std::to_string(not_data) +
                                      " not folded: changes README.md, which is not a data output"));
  CHECK(Writes(r.fake().Requests()).empty());

  int tests = r.OpenPr("tests", "9", {"sluice:rollup"});
  r.fake().ClearRequests();
  auto would = r.Approve({"--now", kInside, "--dry-run"});
  CHECK_THAT(would.out, Catch::Contains("rollup: would fold #" + std::to_string(tests) + " (tests) into sluice/rollup - dry run"));
  CHECK(Writes(r.fake().Requests()).empty());
  CHECK(r.State(tests) == "open");
  NoInvalidRequests(r.fake());
}

TEST_CASE("a commit sluice did not make on sluice/rollup stops the fold: exit 4, the branch untouched",
          "[approve][rollup]") {
  Rollup r;
  r.OpenPr("cases", "2", {"sluice:rollup"});
  REQUIRE(r.Approve({"--now", kOutside}).exit_code == 0);
  // A reviewer pushes a correction to the rollup branch.
  r.repo().Git({"fetch", "-q", r.fake().BarePath(kRepo).string(), "sluice/rollup:sluice/rollup"});
  r.repo().Git({"checkout", "-q", "sluice/rollup"});
  r.repo().Write("data/cases.csv", "county,n\nAlameda,20\n");
  std::string fixed = r.repo().Commit("fix a typo in cases");
  r.repo().Git({"push", "-q", r.fake().BarePath(kRepo).string(), "sluice/rollup"});
  r.repo().Git({"checkout", "-q", "main"});

  int deaths = r.OpenPr("deaths", "7", {"sluice:rollup"});
  auto run = r.Approve({"--now", kOutside});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 4);
  CHECK_THAT(run.out + run.err, Catch::Contains("holds a commit sluice did not make"));
  CHECK(r.fake().BareGit(kRepo, {"rev-parse", "sluice/rollup"}) == fixed);
  CHECK(r.State(deaths) == "open");
  NoInvalidRequests(r.fake());
}
