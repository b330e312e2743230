// The composite actions in actions/ run as steps of a workflow, on the local Actions runner
// (tests/fixtures/actions-runner: GitHub's own parser and expression evaluator, the job's
// GITHUB_TOKEN registered at the GitHub fake with the workflow's permissions), in a clone of the
// demo data repository, with the built tools on PATH. What the steps do with their inputs, and
// what they leave in their outputs and in RUNNER_TEMP, is checked here; the whole chain through
// sluice's reusable workflows is chain_test.cpp.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/fs.h"
#include "json/json.h"
#include "support/actions_runner.h"
#include "support/data_repo.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const std::string kSource = SLUICE_SOURCE_DIR;

// A workflow run by hand whose one job checks out the data repository and sluice (into .sluice,
// as sluice's reusable workflows do) and then runs `steps` (YAML, indented by six spaces).
// `inputs`: the workflow_dispatch inputs (YAML, indented by six spaces), `permissions` the
// workflow's.
std::string Workflow(const std::string& steps, const std::string& inputs = "",
                     const std::string& permissions = "contents: read") {
  return "name: actions test\n"
         "on:\n"
         "  workflow_dispatch:\n" +
         (inputs.empty() ? "" : "    inputs:\n" + inputs) +
         "permissions:\n"
         "  " + permissions + "\n"
         "jobs:\n"
         "  steps:\n"
         "    runs-on: ubuntu-latest\n"
         "    steps:\n"
         "      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0\n"
         "      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0\n"
         "        with:\n"
         "          repository: your-org/sluice\n"
         "          path: .sluice\n" +
         steps;
}

// The demo data repository at the fake with `workflow` as .github/workflows/actions-test.yml.
struct ActionRun {
  ActionsRunner runner;
  explicit ActionRun(const std::string& workflow) {
    fs::copy(kSource + "/examples/demo", runner.data().path(), fs::copy_options::recursive);
    runner.data().Write(".github/workflows/actions-test.yml", workflow);
    runner.CreateRepos("pipelines, schemas, sources");
  }
  // Dispatches the workflow with `inputs` (name=value) and runs it; the tools of this build first
  // on PATH, `env` (NAME=VALUE) added.
  ProcessResult Run(const std::vector<std::string>& inputs = {}, std::vector<std::string> env = {}) {
    std::vector<std::string> event = {"--event", "workflow_dispatch", "--workflow", "actions-test.yml"};
    for (const auto& input : inputs) event.insert(event.end(), {"--input", input});
    const char* path = std::getenv("PATH");
    env.push_back(std::string("PATH=") + SLUICE_BIN_DIR + ":" + (path != nullptr ? path : "/usr/bin:/bin"));
    return runner.Run(event, env);
  }
};

const std::string kCommitAll =
    "        run: git add -A && git -c user.name=ci -c user.email=ci@example.invalid commit -qm \"$MESSAGE\"\n";

}  // namespace

TEST_CASE("actions: fetch, validate and diff run as workflow steps on the demo pipeline", "[actions]") {
  ActionRun run(Workflow(R"(      - id: fetch
        uses: ./.sluice/actions/fetch
        with:
          manifest: pipelines/cases.json
      - id: validate
        uses: ./.sluice/actions/validate
        with:
          manifest: pipelines/cases.json
      - env:
          MESSAGE: data as published
)" + kCommitAll + R"(      - name: The next day's extract, one more row
        run: tail -n 1 sources/cases.csv | sed 's/^..../2027/' >>sources/cases.csv
      - id: refetch
        uses: ./.sluice/actions/fetch
        with:
          manifest: pipelines/cases.json
      - id: diff
        uses: ./.sluice/actions/diff
        with:
          manifest: pipelines/cases.json
      - run: rm "$RUNNER_TEMP/sluice-diff.json"
      - id: named
        uses: ./.sluice/actions/diff
        with:
          manifest: pipelines/cases.json
          markdown-file: ${{ runner.temp }}/body.md
          json-file: none
      - name: json-file none writes no file named none
        run: test ! -e none && test ! -e "$RUNNER_TEMP/sluice-diff.json"
)"));
  auto result = run.Run();
  INFO(Tail(result));
  REQUIRE(result.exit_code == 0);
  const ActionsRunner& r = run.runner;
  CHECK_THAT(r.StepOutputs("fetch"), Catch::Contains("changed=true"));
  CHECK_THAT(r.StepOutputs("validate"), Catch::Contains("errors=0\n"));
  CHECK_THAT(r.StepOutputs("refetch"), Catch::Contains("changed=true"));
  // Defaults: the Markdown and the JSON report go to RUNNER_TEMP.
  const std::string outputs = r.StepOutputs("diff");
  CHECK_THAT(outputs, Catch::Contains("changed=true") && Catch::Contains("added=1\n"));
  CHECK_THAT(outputs, Catch::Contains("markdown_file=" + (r.temp() / "sluice-diff.md").string()));
  auto markdown = ReadFile(r.temp() / "sluice-diff.md");
  REQUIRE(markdown.ok());
  CHECK_THAT(*markdown, Catch::Contains("data/cases.csv"));
  // Given paths, and no JSON report.
  CHECK_THAT(r.StepOutputs("named"), Catch::Contains("markdown_file=" + (r.temp() / "body.md").string()));
  CHECK(fs::exists(r.temp() / "body.md"));
}

// As GitHub does: an input the action does not declare is a warning naming the valid ones, and a
// required input not given is a warning too; the action's own step then refuses the empty value.
TEST_CASE("actions: an undeclared input is warned about as GitHub does, a missing manifest fails the step", "[actions]") {
  ActionRun run(Workflow(R"(      - id: missing
        uses: ./.sluice/actions/validate
        continue-on-error: true
      - id: undeclared
        uses: ./.sluice/actions/fetch
        with:
          manifest: pipelines/cases.json
          no-such-input: "1"
)"));
  auto result = run.Run();
  INFO(Tail(result));
  CHECK(result.exit_code == 0);  // continue-on-error
  CHECK(run.runner.StepOutcome("missing") == "failure");
  CHECK_THAT(result.out, Catch::Contains("Input required and not supplied: manifest"));
  CHECK(run.runner.StepOutcome("undeclared") == "success");
  CHECK_THAT(result.out, Catch::Contains("Unexpected input(s) 'no-such-input', valid inputs are ["));
}

TEST_CASE("actions: publish sends the merged data to the manifest's target, once, and a dry run writes nothing",
          "[actions][publish]") {
  TempDir storage;
  const std::string workflow = Workflow(R"(      - id: publish
        uses: ./.sluice/actions/publish
        with:
          manifest: pipelines/cases.json
          target: ${{ inputs.target }}
          dry-run: ${{ inputs.dry-run }}
          parallel: ${{ inputs.parallel }}
)",
                                        R"(      target: {type: string, default: production}
      dry-run: {type: string, default: "false"}
      parallel: {type: string, default: "8"}
)");
  ActionRun run(workflow);
  // The data as merged: the demo's manifest pointed at this test's folders, its data fetched.
  DataRepo& data = run.runner.data();
  std::string manifest = ReadFile(data.path() / "pipelines/cases.json").value();
  for (const char* target : {"staging", "production"}) {
    std::string from = std::string("file:///tmp/sluice-demo/") + target + "/cases";
    REQUIRE(manifest.find(from) != std::string::npos);
    manifest.replace(manifest.find(from), from.size(), "file://" + (storage.path() / target).string());
  }
  data.Write("pipelines/cases.json", manifest);
  REQUIRE(data.RunTool(std::string(SLUICE_BIN_DIR) + "/sluice-fetch", "pipelines/cases.json", {}).exit_code == 0);
  run.runner.PushMain("data as merged");

  auto dry = run.Run({"dry-run=true"});
  INFO(Tail(dry));
  CHECK(dry.exit_code == 0);
  CHECK_FALSE(fs::exists(storage.path() / "production/_sluice/manifest.json"));

  auto published = run.Run({"parallel=2"});
  INFO(Tail(published));
  REQUIRE(published.exit_code == 0);
  CHECK_THAT(run.runner.StepOutputs("publish"), Catch::Contains("uploaded=1\n"));
  CHECK(ReadFile(storage.path() / "production/data/cases.csv").value() ==
        ReadFile(data.path() / "data/cases.csv").value());
  CHECK(fs::exists(storage.path() / "production/_sluice/manifest.json"));

  REQUIRE(run.Run().exit_code == 0);
  CHECK_THAT(run.runner.StepOutputs("publish"), Catch::Contains("uploaded=0\n"));
  REQUIRE(run.Run({"target=staging"}).exit_code == 0);
  CHECK(fs::exists(storage.path() / "staging/data/cases.csv"));
}

TEST_CASE("actions: notify announces a failed job from its status alone, a dry run sends nothing", "[actions]") {
  ActionRun run(Workflow(R"(      - id: notify
        uses: ./.sluice/actions/notify
        with:
          manifest: pipelines/cases.json
          job-status: failure
          dry-run: "true"
)"));
  auto notified = run.Run();
  INFO(Tail(notified));
  CHECK(notified.exit_code == 0);
  CHECK_THAT(run.runner.StepOutputs("notify"),
             Catch::Contains("event=failure") && Catch::Contains("failure-class=incident-response"));
  CHECK_THAT(notified.out, Catch::Contains("no route"));  // the demo's manifest names no Slack route
  for (const auto& entry : fs::recursive_directory_iterator(run.runner.work())) {
    CHECK(entry.path().filename() != "notify-state.json");  // a dry run keeps no state
  }
}

// The data PR through its action with the job's GITHUB_TOKEN (the workflow's permissions): the
// validation report given as an input becomes the sluice/validate status on the PR's head. The
// step passes no token: the action's default is github.token, since GitHub puts the token in
// the secrets and github contexts, not in an environment variable ("Use GITHUB_TOKEN for
// authentication in workflows", docs.github.com: "pass the token as an input to an action, or use
// it to make an authenticated GitHub REST API request").
TEST_CASE("actions: pr opens the data PR with the job's token, the validation report becomes the status",
          "[actions][pr]") {
  ActionRun run(Workflow(R"(      - run: mkdir -p data && head -n 6 sources/cases.csv >data/cases.csv
      - id: pr
        uses: ./.sluice/actions/pr
        with:
          manifest: pipelines/cases.json
          validation-report: '{"pipeline":"cases","status":"passed","errors":0,"warnings":0,"passed":1,"skipped":0,"allowed":[],"outputs":[]}'
)",
                         "", "contents: write\n  pull-requests: write\n  issues: write\n  statuses: write"));
  // The setting GITHUB_TOKEN needs to open a PR (runbooks/github-settings.md).
  run.runner.fake().Settings(run.runner.repo(), R"({"actions_can_approve_pull_requests": true})");
  auto result = run.Run();
  INFO(Tail(result));
  REQUIRE(result.exit_code == 0);
  const std::string outputs = run.runner.StepOutputs("pr");
  CHECK_THAT(outputs, Catch::Contains("pr-number=1\n") && Catch::Contains("changed=true\n"));
  GitHubFake& fake = run.runner.fake();
  const std::string repo = run.runner.repo();
  for (const auto& request : fake.Requests()) {
    INFO(request.method << " " << request.path << " " << request.body.substr(0, 300));
    CHECK(request.invalid.empty());  // every request as GitHub's OpenAPI description has it
  }
  auto pull = fake.Api("/repos/" + repo + "/pulls/1");
  CHECK(std::string(pull["labels"][0]["name"].GetString()) == "sluice:auto-approve");
  CHECK(std::string(pull["user"]["login"].GetString()) == "github-actions[bot]");
  CHECK(std::string(fake.Api("/repos/" + repo + "/commits/sluice/cases/status")["state"].GetString()) == "success");
}
