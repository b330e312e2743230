// sluice-pr driven as a workflow step drives it, against tests/fixtures/github-fake: real bare
// repositories behind GitHub's REST API, every request checked against GitHub's OpenAPI
// description. Each test also checks that no request the tool sent was malformed.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "core/fs.h"
#include "support/data_repo.h"
#include "support/github_fake.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const std::string kPr = std::string(SLUICE_BIN_DIR) + "/sluice-pr";
const std::string kRepo = "health/dashboard-data";

std::string Rows(int n, int bump = 0) {
  std::string csv = "date,county,cases\n";
  for (int i = 0; i < n; ++i) csv += fmt::format("2026-11-{:02d},Alameda,{}\n", i + 1, 100 + i + bump);
  return csv;
}

// A data repository with one pipeline over data/cases.csv and data/deaths.csv, pushed to the fake.
struct PrFixture {
  GitHubFake fake;
  DataRepo repo;

  explicit PrFixture(const std::string& review = "manual") {
    repo.Write("pipelines/cases.json", fmt::format(R"({{"name": "cases", "description": "Daily cases by county.",
      "review": "{}", "owners": {{"primary": {{"github": "alice"}}, "secondary": {{"github": "bob"}}}},
      "sources": [{{"name": "cases", "url": "file:sources/c.csv", "format": "csv", "output": "data/cases.csv"}},
                  {{"name": "deaths", "url": "file:sources/d.csv", "format": "csv", "output": "data/deaths.csv"}}]}})", review));
    repo.Write("data/cases.csv", Rows(5));
    repo.Write("data/deaths.csv", Rows(3));
    repo.Write("README.md", "dashboard data\n");
    repo.Commit("data");
    fake.CreateRepo(kRepo, repo);
  }

  ProcessResult Pr(const std::vector<std::string>& args, EnvOverrides extra = {}) const {
    std::vector<std::string> argv = {kPr};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--workspace", repo.path().string()});
    EnvOverrides env = fake.StepEnv(kRepo);
    for (auto& [name, value] : extra) env[name] = value;
    return RunProcess(argv, env);
  }
  ProcessResult Manifest(std::vector<std::string> args = {}, EnvOverrides extra = {}) const {
    args.insert(args.begin(), "pipelines/cases.json");
    return Pr(args, std::move(extra));
  }
  std::string Branch(const std::string& ref = "refs/heads/sluice/cases") const {
    return fake.BareGit(kRepo, {"rev-parse", "--verify", "-q", ref});
  }
  std::string Show(const std::string& spec) const { return fake.BareGit(kRepo, {"show", spec}); }
};

void CheckAllValid(const std::vector<FakeRequest>& requests) {
  for (const auto& request : requests) {
    INFO(request.method << " " << request.path << " " << request.body.substr(0, 300));
    CHECK(request.invalid.empty());
  }
}

std::string Output(const fs::path& file, const std::string& name) {
  std::string text = ReadFile(file).value();
  const size_t at = text.find(name + "=");
  if (at == std::string::npos) return "<absent>";
  const size_t start = at + name.size() + 1;
  return text.substr(start, text.find('\n', start) - start);
}

}  // namespace

TEST_CASE("a new PR: one commit on sluice/<pipeline>, labels, reviewers, status, outputs, run record", "[pr]") {
  PrFixture f;
  f.repo.Write("data/cases.csv", Rows(6, 10));
  f.repo.Write("validate.json", R"({"pipeline":"cases","status":"passed","errors":0,"warnings":0,"passed":3,"skipped":0,"allowed":[],"outputs":[]})");
  f.repo.Write("diff.md", "| file | added |\n|---|---|\n| data/cases.csv | 1 |\n");
  const fs::path outputs = f.repo.path() / "out.txt", log = f.repo.path() / "runs.ndjson", summary = f.repo.path() / "summary.md";
  auto run = f.Manifest({"--validation-report", (f.repo.path() / "validate.json").string(), "--diff-markdown",
                         (f.repo.path() / "diff.md").string()},
                        {{"GITHUB_OUTPUT", outputs.string()}, {"SLUICE_RUN_LOG", log.string()},
                         {"GITHUB_STEP_SUMMARY", summary.string()}, {"GITHUB_SERVER_URL", "https://github.com"},
                         {"GITHUB_RUN_ID", "77"}});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto requests = f.fake.Requests();
  CheckAllValid(requests);

  const std::string head = f.Branch();
  CHECK(Output(outputs, "commit-sha") == head);
  CHECK(Output(outputs, "changed") == "true");
  CHECK(Output(outputs, "pr-number") == "1");
  CHECK_THAT(Output(outputs, "pr-url"), Catch::EndsWith("/pull/1"));
  // One commit on the base's head, made by the token's identity, with sluice's trailers.
  CHECK(f.fake.BareGit(kRepo, {"rev-parse", head + "^"}) == f.Branch("refs/heads/main"));
  const std::string message = f.fake.BareGit(kRepo, {"log", "-1", "--format=%B", head});
  CHECK_THAT(message, Catch::Contains("Sluice-Pipeline: cases") &&
                          Catch::Contains("Sluice-Run: https://github.com/" + kRepo + "/actions/runs/77"));
  CHECK(f.fake.BareGit(kRepo, {"log", "-1", "--format=%an", head}) == GitHubFake::kLogin);
  CHECK(f.Show(head + ":data/cases.csv") + "\n" == Rows(6, 10));
  CHECK(f.fake.BareGit(kRepo, {"diff", "--name-only", "main", head}) == "data/cases.csv");
  // A new PR of small text files: six requests for the commit, twelve in all, and in a repository
  // that lacks sluice's labels, one listing of its labels and a POST for each one created.
  CHECK(Matching(requests, "POST", "/git/commits").size() == 1);
  CHECK(Matching(requests, "POST", "/git/blobs").empty());
  CHECK(Matching(requests, "GET", "/repos/" + kRepo + "/labels").size() == 1);
  CHECK(Matching(requests, "POST", "/repos/" + kRepo + "/labels").size() == 2);
  CHECK(requests.size() <= 12 + 3);

  auto pull = f.fake.Api("/repos/" + kRepo + "/pulls/1");
  CHECK(std::string(pull["head"]["ref"].GetString()) == "sluice/cases");
  CHECK(std::string(pull["base"]["ref"].GetString()) == "main");
  const std::string body = pull["body"].GetString();
  CHECK_THAT(body, Catch::Contains("Daily cases by county.") && Catch::Contains("| data/cases.csv | 1 |") &&
                       Catch::Contains("`data/cases.csv` | modified"));
  REQUIRE(pull["labels"].Size() == 1);
  CHECK(std::string(pull["labels"][0]["name"].GetString()) == "sluice:needs-review");  // review: manual
  CHECK(pull["requested_reviewers"].Size() == 2);
  auto status = f.fake.Api("/repos/" + kRepo + "/commits/" + head + "/status");
  CHECK(std::string(status["state"].GetString()) == "success");
  CHECK(std::string(status["statuses"][0]["context"].GetString()) == "sluice/validate");

  CHECK_THAT(ReadFile(log).value(), Catch::Contains("\"tool\":\"sluice-pr\"") && Catch::Contains("\"pr\":\"http"));
  CHECK_THAT(ReadFile(summary).value(), Catch::Contains("sluice-pr: cases"));
  for (const std::string& text : {run.out, run.err, ReadFile(log).value(), ReadFile(summary).value()}) {
    CHECK_THAT(text, !Catch::Contains(GitHubFake::kToken));
  }
}

TEST_CASE("a second run with new data updates the same PR in place, one commit on the base", "[pr]") {
  PrFixture f("auto");
  f.repo.Write("validate.json", R"({"pipeline":"cases","status":"warnings","errors":0,"warnings":1,"passed":3,"skipped":0,"allowed":[],"outputs":[]})");
  f.repo.Write("data/cases.csv", Rows(6));
  const std::string report = (f.repo.path() / "validate.json").string();
  REQUIRE(f.Manifest({"--validation-report", report}).exit_code == 0);
  auto first = f.fake.Api("/repos/" + kRepo + "/pulls/1");
  CHECK(std::string(first["labels"][0]["name"].GetString()) == "sluice:needs-review");  // a warning withholds auto

  f.repo.Write("validate.json", R"({"pipeline":"cases","status":"passed","errors":0,"warnings":0,"passed":3,"skipped":0,"allowed":[],"outputs":[]})");
  f.repo.Write("data/cases.csv", Rows(7));
  f.fake.ClearRequests();
  auto run = f.Manifest({"--validation-report", report, "--json"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CheckAllValid(f.fake.Requests());
  CHECK_THAT(run.out, Catch::Contains("\"pr_number\": 1") && Catch::Contains("\"pr_created\": false") &&
                          Catch::Contains("\"outcome\": \"rebuilt\""));
  CHECK(f.fake.Api("/repos/" + kRepo + "/pulls?state=all").Size() == 1);
  CHECK(f.fake.BareGit(kRepo, {"rev-list", "--count", "main..sluice/cases"}) == "1");
  CHECK(f.Show("sluice/cases:data/cases.csv") + "\n" == Rows(7));
  auto pull = f.fake.Api("/repos/" + kRepo + "/pulls/1");
  REQUIRE(pull["labels"].Size() == 1);
  CHECK(std::string(pull["labels"][0]["name"].GetString()) == "sluice:auto-approve");
  CHECK_THAT(std::string(pull["title"].GetString()), Catch::Contains("cases"));
}

TEST_CASE("unchanged rerun makes no write request", "[pr]") {
  PrFixture f;
  f.repo.Write("data/cases.csv", Rows(6));
  REQUIRE(f.Manifest().exit_code == 0);
  const std::string head = f.Branch();
  f.fake.ClearRequests();
  const fs::path outputs = f.repo.path() / "out.txt";
  auto run = f.Manifest({}, {{"GITHUB_OUTPUT", outputs.string()}});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto requests = f.fake.Requests();
  CheckAllValid(requests);
  CHECK(Writes(requests).empty());
  CHECK(f.Branch() == head);
  CHECK(Output(outputs, "changed") == "false");
  CHECK(Output(outputs, "pr-number") == "1");

  SECTION("data back to the base closes the open PR, whose older data must not merge; then nothing is written") {
    f.repo.Write("data/cases.csv", Rows(5));
    f.fake.ClearRequests();
    auto same = f.Manifest({}, {{"GITHUB_OUTPUT", outputs.string()}});
    INFO(same.out << same.err);
    REQUIRE(same.exit_code == 0);
    CHECK_THAT(same.out, Catch::Contains("no change against main") && Catch::Contains("PR #1 (older data) closed"));
    CheckAllValid(f.fake.Requests());
    auto writes = Writes(f.fake.Requests());
    REQUIRE(writes.size() == 2);  // the comment that says why, and the close
    auto pull = f.fake.Api("/repos/" + std::string(kRepo) + "/pulls/1");
    CHECK(std::string(pull["state"].GetString()) == "closed");
    CHECK(f.Branch() == head);  // the branch is left as it was
    f.fake.ClearRequests();
    auto again = f.Manifest({}, {{"GITHUB_OUTPUT", outputs.string()}});
    REQUIRE(again.exit_code == 0);
    CHECK(Writes(f.fake.Requests()).empty());
    CHECK(Output(outputs, "changed") == "false");
  }
}

TEST_CASE("a declared output missing from the workspace is deleted in the commit", "[pr]") {
  PrFixture f;
  fs::remove(f.repo.path() / "data/deaths.csv");
  auto run = f.Manifest();
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CheckAllValid(f.fake.Requests());
  CHECK(f.fake.BareGit(kRepo, {"diff", "--name-status", "main", "sluice/cases"}) == "D\tdata/deaths.csv");
  CHECK(f.fake.BareGit(kRepo, {"ls-tree", "--name-only", "sluice/cases", "data/"}) == "data/cases.csv");
}

TEST_CASE("1,000 files in one commit, in chained tree requests, cloned back byte for byte", "[pr]") {
  PrFixture f;
  // A tree body over 310 kB is refused as GitHub refuses large ones: the files must be chained.
  f.fake.Settings(kRepo, R"({"tree_body_limit": 310000})");
  for (int i = 0; i < 1000; ++i) {
    f.repo.Write(fmt::format("data/counties/{:04d}.csv", i), Rows(12, i));  // ~400 bytes each
  }
  auto run = f.Pr({"--pipeline", "counties", "--base", "main", "data/counties"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto requests = f.fake.Requests();
  CheckAllValid(requests);
  CHECK(Matching(requests, "POST", "/git/commits").size() == 1);
  CHECK(Matching(requests, "POST", "/git/trees").size() >= 2);
  CHECK(Matching(requests, "POST", "/git/blobs").empty());
  CHECK(f.fake.BareGit(kRepo, {"rev-list", "--count", "main..sluice/counties"}) == "1");

  TempDir clone;
  REQUIRE(RunProcess({"git", "clone", "-q", "-b", "sluice/counties", f.fake.BarePath(kRepo).string(),
                      (clone.path() / "c").string()}).exit_code == 0);
  int same = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string name = fmt::format("data/counties/{:04d}.csv", i);
    same += ReadFile(clone.path() / "c" / name).value() == ReadFile(f.repo.path() / name).value() ? 1 : 0;
  }
  CHECK(same == 1000);
  CHECK(ReadFile(clone.path() / "c/data/cases.csv").value() == Rows(5));  // the rest of the base is kept
}

TEST_CASE("binary files travel as blobs, identical content as one blob, byte for byte", "[pr]") {
  PrFixture f;
  std::string binary;
  for (int i = 0; i < 70'000; ++i) binary.push_back(static_cast<char>((i * 7919) % 256));
  f.repo.Write("data/tiles/a.bin", binary);
  f.repo.Write("data/tiles/b.bin", binary);  // the same bytes again
  f.repo.Write("data/tiles/a.txt", "same text\n");
  f.repo.Write("data/tiles/b.txt", "same text\n");
  auto run = f.Pr({"--pipeline", "tiles", "--base", "main", "data/tiles"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto requests = f.fake.Requests();
  CheckAllValid(requests);
  CHECK(Matching(requests, "POST", "/git/blobs").size() == 1);
  const std::string listing = f.fake.BareGit(kRepo, {"ls-tree", "-r", "sluice/tiles", "data/tiles/"});
  const std::string a = f.fake.BareGit(kRepo, {"rev-parse", "sluice/tiles:data/tiles/a.bin"});
  CHECK(f.fake.BareGit(kRepo, {"rev-parse", "sluice/tiles:data/tiles/b.bin"}) == a);
  CHECK(f.fake.BareGit(kRepo, {"rev-parse", "sluice/tiles:data/tiles/a.txt"}) ==
        f.fake.BareGit(kRepo, {"rev-parse", "sluice/tiles:data/tiles/b.txt"}));
  ProcessResult blob = RunProcess({"git", "-C", f.fake.BarePath(kRepo).string(), "cat-file", "blob", a});
  CHECK(blob.out == binary);
}

TEST_CASE("rate-limited (primary and secondary) then recovered", "[pr]") {
  PrFixture f;
  f.fake.AddFault(R"({"method": "POST", "path": "/git/trees$", "kind": "primary-rate-limit", "retry_after": 1})");
  f.fake.AddFault(R"({"method": "POST", "path": "/pulls$", "kind": "secondary-rate-limit", "status": 403, "retry_after": 1})");
  f.repo.Write("data/cases.csv", Rows(6));
  auto run = f.Manifest();
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto requests = f.fake.Requests();
  CheckAllValid(requests);
  CHECK(Matching(requests, "POST", "/git/trees").size() == 2);
  CHECK(Matching(requests, "POST", "/pulls").size() == 2);
  CHECK(f.fake.Api("/repos/" + kRepo + "/pulls").Size() == 1);

  SECTION("a wait beyond --rate-limit-wait fails with exit 3 and says when to come back") {
    f.repo.Write("data/cases.csv", Rows(7));
    f.fake.AddFault(R"({"method": "POST", "path": "/git/trees$", "kind": "primary-rate-limit", "retry_after": 600})");
    auto limited = f.Manifest({"--rate-limit-wait", "5"});
    CHECK(limited.exit_code == 3);
    CHECK_THAT(limited.err, Catch::Contains("rate limit") && Catch::Contains("resets at"));
  }
}

TEST_CASE("a 5xx is retried where a repeat is harmless and the run recovers", "[pr]") {
  PrFixture f;
  f.fake.AddFault(R"({"method": "POST", "path": "/git/commits$", "status": 502})");
  f.fake.AddFault(R"({"method": "GET", "path": "/git/trees/", "status": 503})");
  f.fake.AddFault(R"({"method": "POST", "path": "/issues/[0-9]+/labels$", "status": 502})");
  f.repo.Write("data/cases.csv", Rows(6));
  auto run = f.Manifest();
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto requests = f.fake.Requests();
  CheckAllValid(requests);
  CHECK(Matching(requests, "POST", "/git/commits").size() == 2);
  CHECK(Matching(requests, "POST", "/issues/1/labels").size() == 2);
  CHECK(f.fake.BareGit(kRepo, {"rev-list", "--count", "main..sluice/cases"}) == "1");
}

TEST_CASE("a 5xx on opening the PR is not repeated (GitHub may have opened it): exit 3, the rerun finishes",
          "[pr]") {
  PrFixture f;
  f.fake.AddFault(R"({"method": "POST", "path": "/pulls$", "status": 502})");
  f.repo.Write("data/cases.csv", Rows(6));
  auto cut = f.Manifest();
  CHECK(cut.exit_code == 3);
  CHECK(Matching(f.fake.Requests(), "POST", "/pulls").size() == 1);
  auto rerun = f.Manifest();
  INFO(rerun.out << rerun.err);
  REQUIRE(rerun.exit_code == 0);
  CHECK(f.fake.Api("/repos/" + kRepo + "/pulls").Size() == 1);
  CheckAllValid(f.fake.Requests());
}

TEST_CASE("a reviewer's commit on the branch stops the run: exit 4, branch untouched, the PR told once", "[pr]") {
  PrFixture f;
  f.repo.Write("data/cases.csv", Rows(6));
  REQUIRE(f.Manifest().exit_code == 0);
  // A reviewer fixes a number on the data branch with plain git, in a clone of their own.
  TempDir reviewer;
  const std::string clone = (reviewer.path() / "r").string();
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", clone, "-c", "user.name=Reviewer", "-c", "user.email=r@example.com"});
    REQUIRE(RunProcess(args).exit_code == 0);
  };
  REQUIRE(RunProcess({"git", "clone", "-q", "-b", "sluice/cases", f.fake.BarePath(kRepo).string(), clone}).exit_code == 0);
  reviewer.Write("r/data/cases.csv", Rows(6, 1));
  git({"commit", "-q", "-am", "Fix Alameda"});
  git({"push", "-q", "origin", "sluice/cases"});
  const std::string corrected = f.Branch();

  f.repo.Write("data/cases.csv", Rows(8));
  const fs::path summary = f.repo.path() / "summary.md";
  auto run = f.Manifest({}, {{"GITHUB_STEP_SUMMARY", summary.string()}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 4);
  CHECK_THAT(run.err, Catch::Contains("sluice did not make") && Catch::Contains("Fix Alameda"));
  CHECK_THAT(ReadFile(summary).value(), Catch::Contains("refused"));
  CHECK(f.Branch() == corrected);
  auto requests = f.fake.Requests();
  CheckAllValid(requests);
  CHECK(Matching(requests, "POST", "/git/commits").size() == 1);  // the first run's only
  auto comments = f.fake.Api("/repos/" + kRepo + "/issues/1/comments");
  REQUIRE(comments.Size() == 1);
  CHECK_THAT(std::string(comments[0]["body"].GetString()), Catch::Contains("did not update this PR"));

  CHECK(f.Manifest().exit_code == 4);  // the next scheduled run says nothing new on the PR
  CHECK(f.fake.Api("/repos/" + kRepo + "/issues/1/comments").Size() == 1);
}

TEST_CASE("paths outside the declared outputs, the workspace or through symlinks are refused with exit 4", "[pr]") {
  PrFixture f;
  f.repo.Write("secrets.env", "TOKEN=x\n");
  auto undeclared = f.Manifest({"data/cases.csv", "secrets.env"});
  CHECK(undeclared.exit_code == 4);
  CHECK_THAT(undeclared.err, Catch::Contains("secrets.env is not one of the pipeline's declared outputs"));
  CHECK(f.Pr({"--pipeline", "x", "../outside.csv"}).exit_code == 4);
  CHECK(f.Pr({"--pipeline", "x", ".git/config"}).exit_code == 4);
  fs::create_directory_symlink("/etc", f.repo.path() / "data/etc");
  CHECK(f.Pr({"--pipeline", "x", "data"}).exit_code == 4);
  fs::remove(f.repo.path() / "data/cases.csv");
  fs::create_symlink("/etc/hostname", f.repo.path() / "data/cases.csv");
  auto link = f.Manifest();
  CHECK(link.exit_code == 4);
  CHECK_THAT(link.err, Catch::Contains("symlink"));
  CHECK(f.fake.Requests().empty());  // refused before asking GitHub anything
}

TEST_CASE("a missing token exits 2 with a clear message and sends nothing, a refused one exits 2 too", "[pr]") {
  PrFixture f;
  f.repo.Write("data/cases.csv", Rows(6));
  auto run = f.Manifest({}, {{"GITHUB_TOKEN", std::nullopt}});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("no GitHub token") && Catch::Contains("GITHUB_TOKEN") && Catch::Contains("--local"));
  CHECK(f.fake.Requests().empty());
  auto refused = f.Manifest({}, {{"GITHUB_TOKEN", "ghs_revoked_token_42"}});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("Bad credentials") && !Catch::Contains("ghs_revoked_token_42"));
  // A token in a variable of another name, on GitHub Enterprise Server's API path.
  auto named = f.Manifest({"--token-env", "DATA_BOT_TOKEN"}, {{"DATA_BOT_TOKEN", std::string(GitHubFake::kToken)},
                                                              {"GITHUB_API_URL", f.fake.url() + "/api/v3"}});
  INFO(named.err);
  CHECK(named.exit_code == 0);
  CHECK_THAT(named.out, Catch::Contains("/pull/1"));
  CheckAllValid(f.fake.Requests());
}

TEST_CASE("a truncated base tree is read directory by directory", "[pr]") {
  PrFixture f;
  for (int i = 0; i < 30; ++i) f.repo.Write(fmt::format("archive/{:02d}/x.csv", i), Rows(1, i));
  f.repo.Commit("archive");
  f.repo.Git({"push", "-q", f.fake.BarePath(kRepo).string(), "main"});
  f.fake.Settings(kRepo, R"({"tree_truncate_limit": 10})");
  f.repo.Write("data/cases.csv", Rows(6));
  auto run = f.Manifest();
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CheckAllValid(f.fake.Requests());
  CHECK(f.fake.BareGit(kRepo, {"diff", "--name-only", "main", "sluice/cases"}) == "data/cases.csv");
}

TEST_CASE("a PR body over GitHub's limit is trimmed with a note, never refused", "[pr]") {
  PrFixture f;
  std::string markdown = "```\n";
  for (int i = 0; i < 4000; ++i) markdown += fmt::format("| row {} | a change worth showing |\n", i);
  f.repo.Write("diff.md", markdown + "```\n");
  f.repo.Write("data/cases.csv", Rows(6));
  auto run = f.Manifest({"--diff-markdown", (f.repo.path() / "diff.md").string()});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CheckAllValid(f.fake.Requests());
  const std::string body = f.fake.Api("/repos/" + kRepo + "/pulls/1")["body"].GetString();
  CHECK(body.size() <= 65'536);
  CHECK_THAT(body, Catch::Contains("Trimmed") && Catch::Contains("Opened by sluice-pr"));
}

TEST_CASE("local mode (--local) writes the same commit onto the local branch and prints the PR", "[pr]") {
  DataRepo repo;
  repo.Write("pipelines/cases.json", R"({"name": "cases", "sources": [{"name": "cases", "url": "file:s.csv",
    "format": "csv", "output": "data/cases.csv"}]})");
  repo.Write("data/cases.csv", Rows(5));
  const std::string base = repo.Commit("data");
  repo.Write("data/cases.csv", Rows(6));
  auto run = RunProcess({kPr, "pipelines/cases.json", "--local", "--workspace", repo.path().string()},
                        {{"GITHUB_TOKEN", std::nullopt}, {"GITHUB_OUTPUT", std::nullopt}});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("sluice/cases created") && Catch::Contains("# Data update: cases"));
  CHECK(repo.Git({"rev-parse", "sluice/cases^"}) == base + "\n");
  CHECK(repo.Git({"show", "sluice/cases:data/cases.csv"}) == Rows(6));
  CHECK_THAT(repo.Git({"log", "-1", "--format=%B", "sluice/cases"}), Catch::Contains("Sluice-Pipeline: cases"));
  CHECK(repo.Git({"status", "--porcelain"}) == " M data/cases.csv\n");  // the working tree is left alone
  auto again = RunProcess({kPr, "pipelines/cases.json", "--local", "--workspace", repo.path().string(), "--json"});
  CHECK_THAT(again.out, Catch::Contains("\"outcome\": \"already-there\""));
}
