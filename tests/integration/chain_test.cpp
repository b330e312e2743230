// The chain through the data repository's own workflow files (issue 28): the demo's callers in
// examples/demo/.github/workflows call sluice's reusable workflows and composite actions, run by
// tests/fixtures/actions-runner (GitHub's own parser and expression evaluator) against the GitHub
// fake, whose Actions rules decide which runs start and what each job's token may do. The sluice
// tools come from this build through actions/setup's cache, as a second run on GitHub finds them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "github/api.h"
#include "json/json.h"
#include "support/azurite.h"
#include "support/actions_runner.h"
#include "support/data_repo.h"
#include "support/github_fake.h"
#include "support/process.h"
#include "support/slack_fake.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const fs::path kSource = SLUICE_SOURCE_DIR;
const std::string kRepo = "acme/data";

// The names of the blobs azure-blob-check listed.
std::vector<std::string> BlobNames(const rapidjson::Document& listing) {
  std::vector<std::string> names;
  for (const auto& blob : listing.GetArray()) names.emplace_back(blob["name"].GetString());
  return names;
}
bool HasBlob(const rapidjson::Document& listing, const std::string& name) {
  const auto names = BlobNames(listing);
  return std::find(names.begin(), names.end(), name) != names.end();
}

class Chain {
 public:
  // `published`: the data files already on main, as if published (path, content). `storage`:
  // where the pipelines' targets go, "file://<this test's folder>/" unless given (e.g.
  // "az://devstoreaccount1/" for Azurite's containers staging and production).
  explicit Chain(const std::vector<std::pair<std::string, std::string>>& published = {}, std::string storage = "") {
    // The data repository: the demo, as a team would copy it (callers pointing at your-org/sluice).
    if (storage.empty()) storage = "file://" + targets_.path().string() + "/";
    const DataRepo& data = runner_.data();
    CopyTree(kSource / "examples/demo", data.path());
    for (const char* manifest : {"pipelines/cases.json", "pipelines/vaccines.json"}) {
      std::string text = ReadText(data.path() / manifest);
      for (const std::string from : {"file:///tmp/sluice-demo/", "az://devstoreaccount1/"}) {
        for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + storage.size())) {
          text.replace(at, from.size(), storage);
        }
      }
      data.Write(manifest, text);
    }
    for (const auto& [path, content] : published) data.Write(path, content);
    runner_.CreateRepos("the demo data repository");
    runner_.fake().Settings(kRepo, R"({"actions_can_approve_pull_requests": true})");
    runner_.SeedToolsCache();
  }

  GitHubFake& fake() { return runner_.fake(); }
  const fs::path& targets() const { return targets_.path(); }

  // A reviewer's correction, pushed with git to the data branch.
  std::string PushToBranch(const std::string& branch, const std::string& path, const std::string& content) {
    const DataRepo& data = runner_.data();
    const std::string bare = fake().BarePath(kRepo).string();
    data.Git({"fetch", "-q", bare, branch + ":" + branch});
    data.Git({"checkout", "-q", branch});
    data.Write(path, content);
    const std::string sha = data.Commit("correction by a reviewer");
    data.Git({"push", "-q", bare, branch});
    data.Git({"checkout", "-q", "main"});
    return sha;
  }

  // A person's commit on main, pushed with git (no workflow runs on it: nothing listens for it).
  void PushToMain(const std::string& path, const std::string& content, const std::string& message) {
    runner_.data().Write(path, content);
    runner_.PushMain(message);
  }

  // The runner: an event, then every run the fake starts because of it or of what the jobs did.
  ProcessResult Run(const std::vector<std::string>& event, const std::vector<std::string>& env = {},
                    const std::vector<std::string>& secrets = {}) {
    return runner_.Run(event, env, secrets);
  }

 private:
  TempDir targets_;  // before runner_: the manifests name it
  ActionsRunner runner_{kRepo};
};

}  // namespace

TEST_CASE("the pipelines workflow, run by hand, opens one data PR per pipeline through sluice's reusable workflow",
          "[chain]") {
  Chain chain;
  auto run = chain.Run({"--event", "workflow_dispatch", "--workflow", "pipelines.yml"});
  INFO(Tail(run));
  CHECK(run.exit_code == 0);
  auto pulls = chain.fake().Api("/repos/" + kRepo + "/pulls");
  REQUIRE(pulls.Size() == 2);
  for (const auto& pull : pulls.GetArray()) {
    const std::string branch = pull["head"]["ref"].GetString();
    INFO(branch);
    CHECK((branch == "sluice/cases" || branch == "sluice/vaccines"));
    CHECK(pull["labels"].Size() == 1);
    CHECK(std::string(pull["user"]["login"].GetString()) == "github-actions[bot]");
    const std::string head = pull["head"]["sha"].GetString();
    // One commit on main, and the validation's verdict on its head.
    CHECK(chain.fake().BareGit(kRepo, {"rev-list", "--count", "main.." + head}) == "1");
    auto statuses = chain.fake().Api("/repos/" + kRepo + "/commits/" + head + "/statuses");
    REQUIRE(statuses.Size() >= 1);
    CHECK(std::string(statuses[0]["context"].GetString()) == "sluice/validate");
    // The body: the validation's verdict, the diff (with its trend chart where the manifest asks
    // for one: cases), and the staging copy.
    const std::string body = pull["body"].GetString();
    CHECK_THAT(body, Catch::Contains("### Validation") && Catch::Contains("**passed**") &&
                         Catch::Contains("## sluice-diff:") &&
                         Catch::Contains("**Staging:** `file://" + chain.targets().string() + "/staging/"));
    if (branch == "sluice/cases") CHECK_THAT(body, Catch::Contains("```mermaid\nxychart-beta"));
  }
  // Each PR's head was published to its staging target for the reviewers.
  CHECK_THAT(run.out, Catch::Contains("job run (pipelines/cases.json) / staging"));
  CHECK(fs::exists(chain.targets() / "staging/cases/data/cases.csv"));
  CHECK(fs::exists(chain.targets() / "staging/cases/_sluice/manifest.json"));
  CHECK(fs::exists(chain.targets() / "staging/vaccines/data/vaccines.json"));
  CHECK_FALSE(fs::exists(chain.targets() / "production"));
}

// The wrong answer issue 28 found: when the upstream goes back to the published data, the
// pipeline workflow skipped sluice-pr (the diff says unchanged), so the open PR with the older
// data stayed open and merged at the next window.
TEST_CASE("when the upstream goes back to the published data, the open PR is closed with a comment and nothing else is "
          "written",
          "[chain]") {
  const std::string published = ReadText(kSource / "examples/demo/sources/cases.csv");
  Chain chain({{"data/cases.csv", published}});
  std::string revised = published;
  revised.replace(revised.find(",1400,"), 6, ",1450,");
  chain.PushToMain("sources/cases.csv", revised, "upstream: Alameda revised");
  auto revised_run = chain.Run({"--event", "workflow_dispatch", "--workflow", "pipelines.yml"});
  INFO(Tail(revised_run));
  REQUIRE(revised_run.exit_code == 0);
  auto open = chain.fake().Api("/repos/" + kRepo + "/pulls?head=acme:sluice/cases");
  REQUIRE(open.Size() == 1);
  const int number = open[0]["number"].GetInt();

  const std::string cases_branch = chain.fake().BareGit(kRepo, {"rev-parse", "sluice/cases"});
  chain.PushToMain("sources/cases.csv", published, "upstream: back to the published numbers");
  chain.fake().ClearRequests();
  auto back = chain.Run({"--event", "workflow_dispatch", "--workflow", "pipelines.yml"});
  INFO(Tail(back));
  CHECK(back.exit_code == 0);
  auto pull = chain.fake().Api("/repos/" + kRepo + "/pulls/" + std::to_string(number));
  CHECK(std::string(pull["state"].GetString()) == "closed");
  CHECK_FALSE(pull["merged"].GetBool());
  auto comments = chain.fake().Api("/repos/" + kRepo + "/issues/" + std::to_string(number) + "/comments");
  REQUIRE(comments.Size() == 1);
  CHECK_THAT(comments[0]["body"].GetString(), Catch::Contains("the newest data of `cases` equals `main`"));
  // The comment and the closing are all it wrote for cases (vaccines' branch is rebuilt on the
  // moved main, as every run does).
  const std::vector<std::string> expected = {"POST /repos/acme/data/issues/" + std::to_string(number) + "/comments",
                                             "PATCH /repos/acme/data/pulls/" + std::to_string(number)};
  int cases_writes = 0;
  for (const auto& request : Writes(chain.fake().Requests())) {
    const std::string write = request.method + " " + request.path;
    // The PR's own endpoints, matched whole (a sha may start with the PR's number).
    const std::string pull_path = "/pulls/" + std::to_string(number), issue_path = "/issues/" + std::to_string(number);
    auto names = [&](const std::string& prefix) {
      const std::size_t at = request.path.find(prefix);
      return at != std::string::npos &&
             (at + prefix.size() == request.path.size() || request.path[at + prefix.size()] == '/');
    };
    const bool about_cases = request.path.find("sluice/cases") != std::string::npos || names(pull_path) || names(issue_path);
    if (!about_cases || write.find("/actions/") != std::string::npos) continue;
    INFO(write);
    CHECK(std::find(expected.begin(), expected.end(), write) != expected.end());
    ++cases_writes;
  }
  CHECK(cases_writes == 2);
  CHECK(chain.fake().BareGit(kRepo, {"rev-parse", "sluice/cases"}) == cases_branch);
}

// The gate through its own workflow files: a person's label starts the approve workflow (a
// label GITHUB_TOKEN adds would not), the hold keeps the PR open inside the window, removing it
// merges at once, and the publish workflow sluice-approve dispatches (a merge with GITHUB_TOKEN
// starts no push workflow) lands the data and the manifest at the production target.
TEST_CASE("through the workflows: a hold keeps the PR through the window, removing it merges, the dispatched publish "
          "lands the data",
          "[chain]") {
  constexpr const char* kAliceToken = "alice-token-0123456789";
  const std::string inside = "SLUICE_NOW=2026-12-07T09:30:00-08:00";  // Mon, inside the 09:00 window
  Chain chain;
  chain.fake().Control("POST", "/_fake/tokens", std::string(R"({"token": ")") + kAliceToken + R"(", "login": "alice"})");
  REQUIRE(chain.Run({"--event", "workflow_dispatch", "--workflow", "pipelines.yml"}).exit_code == 0);
  auto cases = chain.fake().Api("/repos/" + kRepo + "/pulls?head=acme:sluice/cases");
  REQUIRE(cases.Size() == 1);
  const std::string number = std::to_string(cases[0]["number"].GetInt());
  github::Api alice = chain.fake().ClientAs(kRepo, kAliceToken);
  REQUIRE(alice.Call("POST", alice.RepoPath("/issues/" + number + "/labels"), R"({"labels": ["sluice:hold"]})").ok());

  auto held = chain.Run({}, {inside});  // the approve run the label started
  INFO(Tail(held));
  CHECK(held.exit_code == 0);
  CHECK_THAT(held.out, Catch::Contains("approve.yml") && Catch::Contains("held by label sluice:hold"));
  auto scheduled = chain.Run({"--event", "schedule", "--workflow", "approve.yml", "--cron", "*/15 * * * *"}, {inside});
  CHECK(scheduled.exit_code == 0);
  CHECK(std::string(chain.fake().Api("/repos/" + kRepo + "/pulls/" + number)["state"].GetString()) == "open");

  REQUIRE(alice.Call("DELETE", alice.RepoPath("/issues/" + number + "/labels/sluice:hold")).ok());
  auto resumed = chain.Run({}, {inside});  // the unlabeled event's approve run, then the publish it dispatched
  INFO(Tail(resumed));
  CHECK(resumed.exit_code == 0);
  auto pull = chain.fake().Api("/repos/" + kRepo + "/pulls/" + number);
  CHECK(pull["merged"].GetBool());
  CHECK_THAT(resumed.out, Catch::Contains("sluice-publish.yml (workflow_dispatch)"));
  const fs::path production = chain.targets() / "production/cases";
  CHECK(fs::exists(production / "data/cases.csv"));
  CHECK(fs::exists(production / "_sluice/manifest.json"));
  CHECK(fs::exists(production / "_sluice/status.json"));
  // The vaccines PR (manual review) still waits for a reviewer.
  auto vaccines = chain.fake().Api("/repos/" + kRepo + "/pulls?head=acme:sluice/vaccines");
  REQUIRE(vaccines.Size() == 1);
  CHECK(std::string(vaccines[0]["state"].GetString()) == "open");
}

// The pipeline's local schedule through the workflow: the caller's hourly UTC cron ticks, and only
// the tick at a slot of the manifest's schedule (07:05 Los Angeles, weekdays) fetches, once; a
// second run with new data updates the same PR, and an unchanged run writes nothing to GitHub.
TEST_CASE("through the workflows: a tick outside the local schedule is skipped and says so, the slot's tick opens the "
          "PR once, new data updates it, an unchanged run writes nothing",
          "[chain][schedule]") {
  Chain chain;
  const std::vector<std::string> tick = {"--event", "schedule", "--workflow", "pipelines.yml", "--cron", "5 * * * *"};
  auto early = chain.Run(tick, {"SLUICE_NOW=2026-12-07T06:05:00-08:00"});
  INFO(Tail(early));
  CHECK(early.exit_code == 0);
  CHECK_THAT(early.out, Catch::Contains("cases: not fetched: not due: no slot in the last 180 minutes; next Mon 7 Dec 07:05 America/Los_Angeles"));
  CHECK(chain.fake().Api("/repos/" + kRepo + "/pulls").Size() == 0);

  auto slot = chain.Run(tick, {"SLUICE_NOW=2026-12-07T07:05:00-08:00"});
  CHECK(slot.exit_code == 0);
  auto cases = chain.fake().Api("/repos/" + kRepo + "/pulls?head=acme:sluice/cases");
  REQUIRE(cases.Size() == 1);
  const std::string number = std::to_string(cases[0]["number"].GetInt());
  const std::string first_head = cases[0]["head"]["sha"].GetString();

  chain.fake().ClearRequests();
  auto again = chain.Run(tick, {"SLUICE_NOW=2026-12-07T07:20:00-08:00"});  // the same slot's next tick
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("has run already"));
  CHECK(Matching(chain.fake().Requests(), "POST", "/pulls").empty());

  // New upstream data, run by hand: the same PR, a new single commit on main.
  std::string revised = ReadText(kSource / "examples/demo/sources/cases.csv");
  revised.replace(revised.find(",1400,"), 6, ",1410,");
  chain.PushToMain("sources/cases.csv", revised, "upstream: Alameda revised");
  REQUIRE(chain.Run({"--event", "workflow_dispatch", "--workflow", "pipelines.yml"}).exit_code == 0);
  auto updated = chain.fake().Api("/repos/" + kRepo + "/pulls?head=acme:sluice/cases");
  REQUIRE(updated.Size() == 1);
  CHECK(std::to_string(updated[0]["number"].GetInt()) == number);
  const std::string second_head = updated[0]["head"]["sha"].GetString();
  CHECK(second_head != first_head);
  CHECK(chain.fake().BareGit(kRepo, {"rev-list", "--count", "main.." + second_head}) == "1");

  // Nothing new: the run reads, and writes nothing to GitHub or to the staging target.
  const fs::path staged = chain.targets() / "staging/cases/_sluice/manifest.json";
  REQUIRE(fs::exists(staged));
  const auto staged_at = fs::last_write_time(staged);
  const std::string staged_manifest = ReadText(staged);
  CHECK_THAT(staged_manifest, Catch::Contains(second_head));  // the staging copy followed the PR's new head
  chain.fake().ClearRequests();
  REQUIRE(chain.Run({"--event", "workflow_dispatch", "--workflow", "pipelines.yml"}).exit_code == 0);
  CHECK(fs::last_write_time(staged) == staged_at);
  for (const auto& write : Writes(chain.fake().Requests())) {
    INFO(write.method << " " << write.path);
    CHECK(write.path.find("/actions/") != std::string::npos);  // only the runner's own bookkeeping and dispatch
  }
}

// A failure through the workflows: the upstream breaks a FIPS code, validation stops the job
// before any PR, and Slack hears it with the owner mentioned and the runbook linked.
TEST_CASE("through the workflows: a failing validation tells Slack with the owner and the runbook, and opens no PR",
          "[chain][notify]") {
  SlackFake slack({"C0INCIDENTS"});
  Chain chain;
  const std::string manifest = ReadText(kSource / "examples/demo/pipelines/cases.json");
  std::string routed = manifest;
  routed.replace(routed.find("\"review\""), 0, R"("notify": {"routes": {"failure": {"channel": "C0INCIDENTS"}}}, )");
  chain.PushToMain("pipelines/cases.json", routed, "cases: failures go to #incidents");
  std::string broken = ReadText(kSource / "examples/demo/sources/cases.csv");
  broken.replace(broken.find("Kern,06029,"), 11, "Kern,6029,");
  chain.PushToMain("sources/cases.csv", broken, "upstream: Kern's FIPS lost its leading zero");
  auto run = chain.Run({"--event", "workflow_dispatch", "--workflow", "pipelines.yml"},
                       {"SLACK_API_URL=" + slack.api_url()}, {std::string("SLACK_BOT_TOKEN=") + SlackFake::kToken});
  INFO(Tail(run));
  CHECK(run.exit_code == 1);  // the run failed, as on GitHub
  CHECK(chain.fake().Api("/repos/" + kRepo + "/pulls?head=acme:sluice/cases").Size() == 0);
  auto messages = slack.Messages();
  REQUIRE_FALSE(messages.empty());
  std::string posted;
  for (const auto& message : messages) posted += message.body;
  CHECK_THAT(posted, Catch::Contains("C0INCIDENTS") && Catch::Contains("<@U012AB3CD>") &&
                         Catch::Contains("validation-failed.md"));
}

// A reviewer's correction on the data branch is never overwritten: the next run stops (sluice-pr
// exit 4), says so on the PR and in Slack, and leaves the commit.
TEST_CASE("through the workflows: a reviewer's commit on the data branch stops the next run, which tells the PR and "
          "Slack and leaves the commit",
          "[chain][notify]") {
  SlackFake slack({"C0INCIDENTS"});
  Chain chain;
  std::string routed = ReadText(kSource / "examples/demo/pipelines/cases.json");
  routed.replace(routed.find("\"review\""), 0, R"("notify": {"routes": {"failure": {"channel": "C0INCIDENTS"}}}, )");
  chain.PushToMain("pipelines/cases.json", routed, "cases: failures go to #incidents");
  const std::vector<std::string> env = {"SLACK_API_URL=" + slack.api_url()};
  const std::vector<std::string> secrets = {std::string("SLACK_BOT_TOKEN=") + SlackFake::kToken};
  REQUIRE(chain.Run({"--event", "workflow_dispatch", "--workflow", "pipelines.yml"}, env, secrets).exit_code == 0);
  auto pulls = chain.fake().Api("/repos/" + kRepo + "/pulls?head=acme:sluice/cases");
  REQUIRE(pulls.Size() == 1);
  const std::string number = std::to_string(pulls[0]["number"].GetInt());
  std::string corrected = ReadText(kSource / "examples/demo/sources/cases.csv");
  corrected.replace(corrected.find(",1400,"), 6, ",1401,");
  const std::string correction = chain.PushToBranch("sluice/cases", "data/cases.csv", corrected);

  auto stopped = chain.Run({"--event", "workflow_dispatch", "--workflow", "pipelines.yml"}, env, secrets);
  INFO(Tail(stopped));
  CHECK(stopped.exit_code == 1);
  CHECK(chain.fake().BareGit(kRepo, {"rev-parse", "sluice/cases"}) == correction);
  auto comments = chain.fake().Api("/repos/" + kRepo + "/issues/" + number + "/comments");
  REQUIRE(comments.Size() == 1);
  CHECK_THAT(comments[0]["body"].GetString(), Catch::Contains("sluice-pr did not update this PR"));
  std::string posted;
  for (const auto& message : slack.Messages()) posted += message.body;
  CHECK_THAT(posted, Catch::Contains("C0INCIDENTS") && Catch::Contains("sluice did not make"));
}

// The SLA watch through its workflow: the hourly tick finds production older than the manifest's
// sla.max_age_hours (here never published) and tells the sla route's channel.
TEST_CASE("through the workflows: the hourly SLA watch tells Slack when production is late", "[chain][notify]") {
  SlackFake slack({"C0FRESHNESS"});
  Chain chain;
  std::string watched = ReadText(kSource / "examples/demo/pipelines/cases.json");
  watched.replace(watched.find("\"review\""), 0,
                  R"("sla": {"max_age_hours": 26}, "notify": {"routes": {"sla": {"channel": "C0FRESHNESS"}}}, )");
  chain.PushToMain("pipelines/cases.json", watched, "cases: an SLA of 26 hours");
  auto run = chain.Run({"--event", "schedule", "--workflow", "sla.yml", "--cron", "7 * * * *"},
                       {"SLACK_API_URL=" + slack.api_url()}, {std::string("SLACK_BOT_TOKEN=") + SlackFake::kToken});
  INFO(Tail(run));
  CHECK(run.out.find("sluice-sla.yml") != std::string::npos);
  std::string posted;
  for (const auto& message : slack.Messages()) posted += message.body;
  CHECK_THAT(posted, Catch::Contains("C0FRESHNESS") && Catch::Contains("cases"));
}

// Scenario 5 with the storage a team uses: inside the window the gate's scheduled pass merges the
// auto-approved PR and dispatches publish (its merge with GITHUB_TOKEN starts no push workflow),
// which lands the data in Azure Blob storage (Azurite) with _sluice/manifest.json written last
// and _sluice/status.json, and Slack hears it. The PR's head went to the staging container first.
TEST_CASE("through the workflows: inside the window the gate merges and the dispatched publish lands the data in Azurite "
          "with its manifest and status, Slack hears it",
          "[chain][azure]") {
  Azurite azurite("staging");
  azurite.Check({"create-container", "production"});
  SlackFake slack({"C0DATA"});
  Chain chain({}, "az://devstoreaccount1/");
  std::string routed = ReadText(kSource / "examples/demo/pipelines/cases.json");
  routed.replace(routed.find("\"review\""), 0, R"("notify": {"default": {"channel": "C0DATA"}}, )");
  routed.replace(routed.find("file:///tmp/sluice-demo/"), 24, "az://devstoreaccount1/");
  routed.replace(routed.find("file:///tmp/sluice-demo/"), 24, "az://devstoreaccount1/");
  chain.PushToMain("pipelines/cases.json", routed, "cases: to Azure, Slack hears it");
  const std::vector<std::string> env = {"SLACK_API_URL=" + slack.api_url(),
                                        "AZURE_STORAGE_BLOB_ENDPOINT=" + azurite.endpoint()};
  const std::vector<std::string> secrets = {std::string("SLACK_BOT_TOKEN=") + SlackFake::kToken,
                                            std::string("AZURE_STORAGE_KEY=") + Azurite::kKey};
  auto opened = chain.Run({"--event", "workflow_dispatch", "--workflow", "pipelines.yml"}, env, secrets);
  INFO(Tail(opened));
  REQUIRE(opened.exit_code == 0);
  auto cases = chain.fake().Api("/repos/" + kRepo + "/pulls?head=acme:sluice/cases");
  REQUIRE(cases.Size() == 1);
  const std::string number = std::to_string(cases[0]["number"].GetInt());
  const std::string head = cases[0]["head"]["sha"].GetString();
  auto staged = azurite.List("staging", "cases/");
  CHECK(HasBlob(staged, "cases/data/cases.csv"));
  CHECK(HasBlob(staged, "cases/_sluice/manifest.json"));
  CHECK_FALSE(HasBlob(azurite.List("production", "cases/"), "cases/data/cases.csv"));  // nothing live before the gate

  auto window = chain.Run({"--event", "schedule", "--workflow", "approve.yml", "--cron", "*/15 * * * *"},
                          [&] { auto with_now = env; with_now.push_back("SLUICE_NOW=2026-12-07T09:30:00-08:00"); return with_now; }(),
                          secrets);
  INFO(Tail(window));
  CHECK(window.exit_code == 0);
  auto pull = chain.fake().Api("/repos/" + kRepo + "/pulls/" + number);
  REQUIRE(pull["merged"].GetBool());
  CHECK_THAT(window.out, Catch::Contains("sluice-publish.yml (workflow_dispatch)"));
  auto live = azurite.List("production", "cases/");
  CHECK(HasBlob(live, "cases/data/cases.csv"));
  CHECK(HasBlob(live, "cases/_sluice/manifest.json"));
  CHECK(HasBlob(live, "cases/_sluice/status.json"));
  // The live data is the PR's data, byte for byte, and the manifest names the merged commit.
  CHECK(azurite.Check({"get", "production", "cases/data/cases.csv"}) ==
        chain.fake().BareGit(kRepo, {"show", head + ":data/cases.csv"}) + "\n");
  const std::string merged = pull["merge_commit_sha"].GetString();
  CHECK_THAT(azurite.Check({"get", "production", "cases/_sluice/manifest.json"}), Catch::Contains(merged));
  std::string posted;
  for (const auto& message : slack.Messages()) posted += message.body;
  CHECK_THAT(posted, Catch::Contains("C0DATA") && Catch::Contains("cases: published"));
  // The key never reached a log.
  CHECK(window.out.find(Azurite::kKey) == std::string::npos);
  CHECK(opened.out.find(Azurite::kKey) == std::string::npos);
}

// The reusable workflows' `image` input: the jobs run in the sluice image (the runner runs a
// job's container on the host; PATH stands for the image's /usr/local/bin), actions/setup builds
// and restores nothing, and the chain opens the PR as before.
TEST_CASE("through the workflows: with an image the jobs run in it, build nothing and open the PR as before",
          "[chain][image]") {
  Chain chain;
  std::string caller = ReadText(kSource / "examples/demo/.github/workflows/pipelines.yml");
  const std::string with = "      sluice-repository: your-org/sluice\n";
  REQUIRE(caller.find(with) != std::string::npos);
  caller.replace(caller.find(with), 0, "      image: ghcr.io/acme/sluice:1.4\n");
  chain.PushToMain(".github/workflows/pipelines.yml", caller, "pipelines: on the sluice image");
  const char* path = std::getenv("PATH");
  auto run = chain.Run({"--event", "workflow_dispatch", "--workflow", "pipelines.yml"},
                       {std::string("PATH=") + SLUICE_BIN_DIR + ":" + (path != nullptr ? path : "/usr/bin:/bin")});
  INFO(Tail(run));
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("container: ghcr.io/acme/sluice:1.4 is not started"));
  CHECK(run.out.find("container: debian:12") == std::string::npos);
  CHECK_THAT(run.out, Catch::Contains("Run ./.sluice/actions/setup: skipped"));
  CHECK(run.out.find("cache restored from key: sluice-debian") == std::string::npos);  // no tools from setup's cache
  CHECK_THAT(run.out, Catch::Contains("The image's sluice tools"));
  CHECK(chain.fake().Api("/repos/" + kRepo + "/pulls?head=acme:sluice/cases").Size() == 1);
  CHECK(fs::exists(chain.targets() / "staging/cases/_sluice/manifest.json"));  // the staging job ran in it too
}
