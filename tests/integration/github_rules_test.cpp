// The chain under GitHub Actions' rules (issue 27), against the GitHub fake's model of them
// (tests/fixtures/README.md, "GitHub Actions' rules"): tokens carry exactly the permissions the
// data repository's own workflow files give their job, GITHUB_TOKEN's events start no workflow,
// every workflow run leaves check runs on the head, "Allow GitHub Actions to create and approve
// pull requests" is off by default. The data repository is the demo's (examples/demo) with its
// caller workflows; they call sluice's reusable workflows, which the fake reads from the bare
// repository your-org/sluice holding this checkout's .github/workflows.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "github/api.h"
#include "json/json.h"
#include "support/data_repo.h"
#include "support/github_fake.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const std::string kBin = SLUICE_BIN_DIR;
const std::string kRepo = "acme/data";
constexpr const char* kInside = "2026-12-07T09:30:00-08:00";  // Mon 7 Dec, inside the 09:00 window
constexpr const char* kAppToken = "ghs_app_installation_token_01";  // a GitHub App's (not GITHUB_TOKEN)
constexpr const char* kApp = "sluice-app[bot]";
constexpr const char* kAliceToken = "alice-token-0123456789";
constexpr const char* kPassed =
    R"({"pipeline":"cases","status":"passed","errors":0,"warnings":0,"passed":3,"skipped":0,"allowed":[],"outputs":[]})";

std::string Manifest(const std::string& name) {
  return R"({"name": ")" + name + R"(", "review": "auto", "sources": [{"name": ")" + name +
         R"(", "url": "file:sources/x.csv", "format": "csv", "output": "data/)" + name + R"(.csv"}],
    "owners": {"primary": {"github": "alice"}},
    "publish": {"production": "file:///tmp/published", "window": {"time": "09:00", "timezone": "America/Los_Angeles",
      "open_minutes": 120}}})";
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A workflow a data repository keeps for its own CI: a required check named "ci" on its PRs and
// in its merge queue.
constexpr const char* kCiWorkflow = R"(name: ci
on:
  pull_request:
  merge_group:
permissions:
  contents: read
jobs:
  ci:
    runs-on: ubuntu-latest
    steps:
      - run: echo checked
)";

class ActionsRepo {
 public:
  explicit ActionsRepo(std::vector<std::string> pipelines = {"cases"}) : pipelines_(std::move(pipelines)) {
    for (const std::string& name : pipelines_) {
      repo_.Write("pipelines/" + name + ".json", Manifest(name));
      repo_.Write("data/" + name + ".csv", "county,n\nAlameda,1\n");
    }
    repo_.WriteDemoWorkflows();
    repo_.Write(".github/workflows/ci.yml", kCiWorkflow);
    repo_.Commit("first data");
    fake_.CreateRepo(kRepo, repo_);
    // sluice itself, where the callers' `uses: your-org/sluice/.github/workflows/...@main` point.
    for (const auto& entry : fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / ".github/workflows")) {
      sluice_.Write(".github/workflows/" + entry.path().filename().string(), ReadText(entry.path()));
    }
    sluice_.Commit("sluice");
    fake_.CreateRepo("your-org/sluice", sluice_);
    fake_.Control("POST", "/_fake/tokens", std::string(R"({"token": ")") + kAppToken + R"(", "login": ")" + kApp +
                                               R"(", "type": "Bot"})");
    fake_.Control("POST", "/_fake/tokens", std::string(R"({"token": ")") + kAliceToken + R"(", "login": "alice"})");
  }

  GitHubFake& fake() { return fake_; }
  const DataRepo& repo() const { return repo_; }

  // GITHUB_TOKEN as GitHub gives it to `job` of the data repository's `workflow`: exactly the
  // permissions its permissions: blocks grant (the called workflow's job never more than the caller's).
  std::string ActionsToken(const std::string& workflow, const std::string& job, const std::string& called_job) {
    const std::string token = "ghs_actions_" + std::to_string(++tokens_);
    fake_.Control("POST", "/_fake/repos/" + kRepo + "/actions/tokens",
                  R"({"token": ")" + token + R"(", "workflow": ".github/workflows/)" + workflow + R"(", "job": ")" +
                      job + R"(", "called_job": ")" + called_job + R"("})");
    return token;
  }
  std::string PipelineToken() { return ActionsToken("pipelines.yml", "run", "run"); }
  std::string ApproveToken() { return ActionsToken("approve.yml", "gate", "gate"); }

  ProcessResult Tool(const std::string& tool, std::vector<std::string> args, const std::string& token,
                     EnvOverrides extra = {}) const {
    std::vector<std::string> argv = {kBin + "/sluice-" + tool};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--workspace", repo_.path().string()});
    EnvOverrides env = fake_.StepEnv(kRepo);
    env["GITHUB_TOKEN"] = token;
    for (auto& [name, value] : extra) env[name] = value;
    return RunProcess(argv, env);
  }
  // sluice-pr over new data for `pipeline`, as the pipeline workflow's step runs it.
  ProcessResult Pr(const std::string& token, const std::string& pipeline = "cases", const std::string& value = "2") const {
    repo_.Write("data/" + pipeline + ".csv", "county,n\nAlameda," + value + "\n");
    repo_.Write(".sluice-validate.json", kPassed);
    return Tool("pr", {"pipelines/" + pipeline + ".json", "--validation-report", (repo_.path() / ".sluice-validate.json").string()},
                token);
  }
  ProcessResult Approve(const std::string& token, const std::string& identity, std::vector<std::string> args = {},
                        EnvOverrides extra = {}) const {
    args.insert(args.begin(), {"--now", kInside, "--identity", identity});
    return Tool("approve", args, token, std::move(extra));
  }

  rapidjson::Document Get(const std::string& path) const { return fake_.Api(path); }
  // GitHub as a person or app would call it.
  github::Api As(const char* token) const { return fake_.ClientAs(kRepo, token); }
  rapidjson::Document Runs() const {
    auto parsed = json::Parse(fake_.Control("GET", "/_fake/repos/" + kRepo + "/actions/runs"), "runs");
    REQUIRE(parsed.ok());
    return std::move(parsed).value();
  }
  std::string MainSha() const { return fake_.BareGit(kRepo, {"rev-parse", "main"}); }

 private:
  std::vector<std::string> pipelines_;
  DataRepo repo_;
  DataRepo sluice_;
  GitHubFake fake_;
  int tokens_ = 0;
};

std::string CheckRuns(const ActionsRepo& r, const std::string& sha) {
  return json::Write(r.Get("/repos/" + kRepo + "/commits/" + sha + "/check-runs?filter=all"));
}

void NoInvalidRequests(const GitHubFake& fake) {
  for (const auto& request : fake.Requests()) {
    INFO(request.method << " " << request.path << ": " << request.invalid);
    CHECK(request.invalid.empty());
  }
}

}  // namespace

// docs.github.com, "Managing GitHub Actions settings for a repository": "Allow GitHub Actions to
// create and approve pull requests" is off by default, and GitHub answers 403.
TEST_CASE("GITHUB_TOKEN may not open PRs by default: sluice-pr names the setting, exit 2, no retry", "[github-rules][pr]") {
  ActionsRepo r;
  auto refused = r.Pr(r.PipelineToken());
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("\"Allow GitHub Actions to create and approve pull requests\" is off") &&
                              Catch::Contains("app-id"));
  CHECK(Matching(r.fake().Requests(), "POST", "/repos/" + kRepo + "/pulls").size() == 1);  // not repeated

  r.fake().Settings(kRepo, R"({"actions_can_approve_pull_requests": true})");
  auto opened = r.Pr(r.PipelineToken());
  INFO(opened.out << opened.err);
  CHECK(opened.exit_code == 0);
  NoInvalidRequests(r.fake());
}

// A new repository has none of sluice's labels; creating one takes `issues: write`
// (docs.github.com, "Permissions required for GitHub Apps", Labels).
TEST_CASE("labels: sluice-pr creates them with colour and description under the pipeline workflow's permissions, a "
          "run that could not label is set right by the next, and an unchanged rerun writes nothing",
          "[github-rules][pr]") {
  ActionsRepo r;
  r.fake().Settings(kRepo, R"({"actions_can_approve_pull_requests": true})");
  // The pipeline workflow's grant before this issue: contents, pull-requests and statuses.
  r.fake().Control("POST", "/_fake/repos/" + kRepo + "/actions/tokens",
                   R"({"token": "ghs_old_grant", "permissions": {"contents": "write", "pull_requests": "write",
                       "statuses": "write"}})");
  auto unlabelled = r.Pr("ghs_old_grant");
  INFO(unlabelled.out << unlabelled.err);
  CHECK(unlabelled.exit_code == 2);
  CHECK_THAT(unlabelled.err, Catch::Contains("grant `issues: write`"));
  auto pull = r.Get("/repos/" + kRepo + "/pulls/1");
  CHECK(pull["labels"].Size() == 0);  // opened, but neither label nor status: the gate would never merge it
  const std::string head = pull["head"]["sha"].GetString();
  CHECK(r.Get("/repos/" + kRepo + "/commits/" + head + "/statuses").Size() == 0);

  // The next scheduled run, same data, under today's workflow (issues: write): label and status set.
  auto repaired = r.Pr(r.PipelineToken());
  INFO(repaired.out << repaired.err);
  CHECK(repaired.exit_code == 0);
  CHECK_THAT(repaired.out + repaired.err, Catch::Contains("set again on the open PR: label sluice:auto-approve") &&
                                              Catch::Contains("status sluice/validate"));
  pull = r.Get("/repos/" + kRepo + "/pulls/1");
  REQUIRE(pull["labels"].Size() == 1);
  CHECK(std::string(pull["labels"][0]["name"].GetString()) == "sluice:auto-approve");
  auto label = r.Get("/repos/" + kRepo + "/labels/sluice:auto-approve");
  CHECK(std::string(label["color"].GetString()) == "0e8a16");
  CHECK_THAT(label["description"].GetString(), Catch::Contains("publish window"));
  auto hold = r.Get("/repos/" + kRepo + "/labels/sluice:hold");  // there for the responder to find
  CHECK_THAT(hold["description"].GetString(), Catch::Contains("never merged automatically"));
  auto statuses = r.Get("/repos/" + kRepo + "/commits/" + head + "/statuses");
  REQUIRE(statuses.Size() == 1);
  CHECK(std::string(statuses[0]["state"].GetString()) == "success");

  r.fake().ClearRequests();
  auto unchanged = r.Pr(r.PipelineToken());
  CHECK(unchanged.exit_code == 0);
  CHECK(Writes(r.fake().Requests()).empty());
  NoInvalidRequests(r.fake());
}

// docs.github.com, "Using workflow run logs"/checks: every workflow run leaves check runs on the
// head, the gate's own included; a run its concurrency group replaced is left cancelled.
TEST_CASE("the gate merges at once when labelled although its own workflow run is in progress on the head, and a "
          "cancelled run of it does not block",
          "[github-rules][approve]") {
  ActionsRepo r;
  REQUIRE(r.Pr(kAppToken).exit_code == 0);  // the App's PR: its events start workflows
  auto pull = r.Get("/repos/" + kRepo + "/pulls/1");
  const std::string head = pull["head"]["sha"].GetString();
  // Adding the label started the approve workflow (pull_request labeled); cancel it as its
  // concurrency group would, then a person's label starts another one.
  auto runs = r.Runs();
  std::string gate_run;
  for (const auto& run : runs.GetArray()) {
    if (std::string(run["workflow"].GetString()) == ".github/workflows/approve.yml") gate_run = std::to_string(run["id"].GetInt());
  }
  REQUIRE_FALSE(gate_run.empty());
  r.fake().Control("POST", "/_fake/repos/" + kRepo + "/actions/runs/" + gate_run, R"({"conclusion": "cancelled"})");
  r.fake().Control("POST", "/_fake/repos/" + kRepo + "/events",
                   R"({"event": "pull_request", "action": "labeled", "pull_number": 1, "actor": "alice"})");
  const std::string checks = CheckRuns(r, head);
  CHECK_THAT(checks, Catch::Contains(R"("name":"gate / gate")") && Catch::Contains(R"("conclusion":"cancelled")") &&
                         Catch::Contains(R"("status":"queued")"));

  const std::string before = r.MainSha();
  auto run = r.Approve(r.ApproveToken(), kApp);
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("#1 cases: merged as"));
  CHECK(r.MainSha() != before);
  // GITHUB_TOKEN may not approve (the setting is off): the review is a comment saying so, and
  // the merge goes on, as no approving review is required.
  CHECK_THAT(run.out, Catch::Contains("GitHub Actions may not approve PRs in this repository"));
  auto reviews = r.Get("/repos/" + kRepo + "/pulls/1/reviews");
  REQUIRE(reviews.Size() == 1);
  CHECK(std::string(reviews[0]["state"].GetString()) == "COMMENTED");
  CHECK_THAT(reviews[0]["body"].GetString(), Catch::Contains("Allow GitHub Actions to create and approve pull requests"));
  // The dispatch, allowed to GITHUB_TOKEN, started the publish workflow.
  CHECK_THAT(json::Write(r.Runs()), Catch::Contains(R"("event":"workflow_dispatch")") &&
                                        Catch::Contains(".github/workflows/sluice-publish.yml"));
  NoInvalidRequests(r.fake());
}

// docs.github.com, "Triggering a workflow from a workflow": events made with GITHUB_TOKEN start
// no workflow, except workflow_dispatch and repository_dispatch.
TEST_CASE("a required check from a workflow never runs on a PR pushed with GITHUB_TOKEN: the gate says why, an App's "
          "PR gets its check",
          "[github-rules][approve]") {
  ActionsRepo r;
  r.fake().Settings(kRepo, R"({"actions_can_approve_pull_requests": true, "required_checks": ["ci"]})");
  REQUIRE(r.Pr(r.PipelineToken()).exit_code == 0);
  const std::string head = r.Get("/repos/" + kRepo + "/pulls/1")["head"]["sha"].GetString();
  CHECK(CheckRuns(r, head).find(R"("name":"ci")") == std::string::npos);
  auto waiting = r.Approve(r.ApproveToken(), "github-actions[bot]");
  INFO(waiting.out << waiting.err);
  CHECK(waiting.exit_code == 0);
  CHECK_THAT(waiting.out, Catch::Contains("required check ci never ran on head " + head.substr(0, 7) +
                                          ": runs on PRs pushed with GITHUB_TOKEN do not start; use a GitHub App token"));

  // The same pipeline's PR opened by a GitHub App: its ci run starts, and the gate waits for it.
  ActionsRepo app;
  app.fake().Settings(kRepo, R"({"required_checks": ["ci"]})");
  REQUIRE(app.Pr(kAppToken).exit_code == 0);
  const std::string app_head = app.Get("/repos/" + kRepo + "/pulls/1")["head"]["sha"].GetString();
  CHECK_THAT(CheckRuns(app, app_head), Catch::Contains(R"("name":"ci")"));
  auto running = app.Approve(app.ApproveToken(), kApp);
  CHECK_THAT(running.out, Catch::Contains("required check ci is still running"));
  auto app_runs = app.Runs();
  for (const auto& run : app_runs.GetArray()) {
    if (std::string(run["workflow"].GetString()) != ".github/workflows/ci.yml") continue;
    app.fake().Control("POST", "/_fake/repos/" + kRepo + "/actions/runs/" + std::to_string(run["id"].GetInt()),
                       R"({"conclusion": "success"})");
  }
  auto merged = app.Approve(app.ApproveToken(), kApp);
  INFO(merged.out << merged.err);
  CHECK_THAT(merged.out, Catch::Contains("#1 cases: merged as"));
  NoInvalidRequests(app.fake());
}

// The rollup writes its sluice/validate status with the approve workflow's token: the workflow
// must grant statuses: write (it granted statuses: read before).
TEST_CASE("the rollup folds and merges under the approve workflow's permissions", "[github-rules][approve][rollup]") {
  ActionsRepo r({"cases", "deaths"});
  r.fake().Settings(kRepo, R"({"actions_can_approve_pull_requests": true})");  // the rollup PR is opened with it
  REQUIRE(r.Pr(r.PipelineToken(), "cases").exit_code == 0);
  REQUIRE(r.Pr(r.PipelineToken(), "deaths").exit_code == 0);
  github::Api alice = r.As(kAliceToken);
  for (int pr : {1, 2}) {
    REQUIRE(alice.Call("POST", alice.RepoPath("/issues/" + std::to_string(pr) + "/labels"), R"({"labels": ["sluice:rollup"]})").ok());
  }
  auto run = r.Approve(r.ApproveToken(), "github-actions[bot]");
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("rollup: folded #1 (cases), #2 (deaths)") && Catch::Contains("merged as"));
  CHECK(r.fake().BareGit(kRepo, {"show", "main:data/deaths.csv"}) == "county,n\nAlameda,2");
  NoInvalidRequests(r.fake());
}

// docs.github.com, "Triggering a workflow from a workflow": a merge-queue entry made with
// GITHUB_TOKEN starts no merge_group workflow; an App's entry does.
TEST_CASE("the merge queue: an entry queued with GITHUB_TOKEN starts no merge_group run and the report says so, the "
          "App's entry starts the queue's checks",
          "[github-rules][approve][queue]") {
  ActionsRepo r;
  r.fake().Settings(kRepo, R"({"merge_queue": true})");
  REQUIRE(r.Pr(kAppToken).exit_code == 0);
  auto queued = r.Approve(r.ApproveToken(), kApp);
  INFO(queued.out << queued.err);
  CHECK(queued.exit_code == 0);
  CHECK_THAT(queued.out, Catch::Contains("queued (label sluice:auto-approve)") &&
                             Catch::Contains("queued with GITHUB_TOKEN, whose queue entries start no merge_group workflow"));
  CHECK(json::Write(r.Runs()).find(R"("event":"merge_group")") == std::string::npos);

  ActionsRepo app;
  app.fake().Settings(kRepo, R"({"merge_queue": true})");
  REQUIRE(app.Pr(kAppToken).exit_code == 0);
  auto by_app = app.Approve(kAppToken, kApp);
  INFO(by_app.out << by_app.err);
  CHECK_THAT(by_app.out, Catch::Contains("queued (label sluice:auto-approve)") && !Catch::Contains("queued with GITHUB_TOKEN"));
  CHECK_THAT(json::Write(app.Runs()), Catch::Contains(R"("event":"merge_group")"));
  NoInvalidRequests(app.fake());
}

// "Base branch was modified. Review and try the merge again." (405) while another merge lands.
TEST_CASE("405 Base branch was modified is tried again within the pass", "[github-rules][approve]") {
  ActionsRepo r;
  REQUIRE(r.Pr(kAppToken).exit_code == 0);
  r.fake().AddFault(R"({"method": "PUT", "path": "/pulls/1/merge$", "status": 405,
                        "message": "Base branch was modified. Review and try the merge again."})");
  auto run = r.Approve(kAppToken, kApp);
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("#1 cases: merged as"));
  CHECK(Matching(r.fake().Requests(), "PUT", "/pulls/1/merge").size() == 2);
  NoInvalidRequests(r.fake());
}

// Label names are case-insensitive on GitHub: an existing "Sluice:Hold" is the hold label.
TEST_CASE("a hold label in another case holds", "[github-rules][approve]") {
  ActionsRepo r;
  github::Api alice = r.As(kAliceToken);
  // The team made its own hold label before sluice came: sluice-pr finds it, in any case.
  REQUIRE(alice.Call("POST", alice.RepoPath("/labels"), R"({"name": "Sluice:Hold", "color": "b60205"})").ok());
  REQUIRE(r.Pr(kAppToken).exit_code == 0);
  CHECK(r.Get("/repos/" + kRepo + "/labels").Size() == 2);  // Sluice:Hold and sluice:auto-approve
  REQUIRE(alice.Call("POST", alice.RepoPath("/issues/1/labels"), R"({"labels": ["Sluice:Hold"]})").ok());
  const std::string before = r.MainSha();
  auto run = r.Approve(kAppToken, kApp);
  INFO(run.out << run.err);
  CHECK_THAT(run.out, Catch::Contains("held by label sluice:hold"));
  CHECK(r.MainSha() == before);
}

// An approver that GitHub refuses for a reason a comment cannot stand in for: a second identity
// given on purpose (--approve-token-env) that is GITHUB_TOKEN with the setting off.
TEST_CASE("an approval refused because GitHub Actions may not approve names the setting when the approver was given",
          "[github-rules][approve]") {
  ActionsRepo r;
  REQUIRE(r.Pr(kAppToken).exit_code == 0);
  auto run = r.Approve(kAppToken, kApp, {"--approve-token-env", "APPROVER"}, {{"APPROVER", r.ApproveToken()}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.out + run.err, Catch::Contains("\"Allow GitHub Actions to create and approve pull requests\" is off") &&
                                    !Catch::Contains("approve your own"));
}

// The README's permissions table is what the workflow files grant: the fake computes each
// caller job's GITHUB_TOKEN from the files (the called workflow capped by its caller).
TEST_CASE("the README's permissions per workflow are what the workflow files grant", "[github-rules][docs]") {
  ActionsRepo r;
  const std::string readme = ReadText(fs::path(SLUICE_SOURCE_DIR) / "README.md");
  const std::size_t table = readme.find("**Permissions per workflow**");
  REQUIRE(table != std::string::npos);
  const std::map<std::string, std::pair<std::string, std::string>> jobs = {
      {"pipelines.yml", {"run", "run"}}, {"approve.yml", {"gate", "gate"}},
      {"sluice-publish.yml", {"publish", "publish"}}, {"sla.yml", {"watch", "watch"}}};
  int rows = 0;
  std::istringstream lines(readme.substr(table, readme.find("\n\n", readme.find("|---", table)) - table));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const std::string file = line.substr(3, line.find('`', 3) - 3);
    REQUIRE(jobs.count(file) == 1);
    const std::size_t cell = line.find('|', 1) + 1;
    std::string listed = line.substr(cell, line.find('|', cell) - cell);
    std::map<std::string, std::string> documented;
    std::istringstream items(listed);
    for (std::string item; std::getline(items, item, ',');) {
      const std::size_t colon = item.find(':');
      std::string scope = item.substr(item.find_first_not_of(' '), colon - item.find_first_not_of(' '));
      for (char& c : scope) c = c == '-' ? '_' : c;
      documented[scope] = item.substr(colon + 2, item.find_last_not_of(' ') - colon - 1);
    }
    const auto& [job, called] = jobs.at(file);
    const std::string token = "ghs_table_" + file;
    auto answer = json::Parse(r.fake().Control("POST", "/_fake/repos/" + kRepo + "/actions/tokens",
                                               R"({"token": ")" + token + R"(", "workflow": ".github/workflows/)" + file +
                                                   R"(", "job": ")" + job + R"(", "called_job": ")" + called + R"("})"),
                              "token");
    REQUIRE(answer.ok());
    std::map<std::string, std::string> granted;
    for (const auto& [scope, level] : (*answer)["permissions"].GetObject()) {
      if (std::string(scope.GetString()) != "metadata") granted[scope.GetString()] = level.GetString();
    }
    INFO(file << ": README says " << listed);
    CHECK(granted == documented);
    ++rows;
  }
  CHECK(rows == 4);
}
