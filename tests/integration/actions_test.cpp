// The composite actions in actions/ run for real: their bash steps, with the built tools on
// PATH, in a copy of the demo data repository, through tests/fixtures/run_action.py (the
// runner's bash, the inputs' expressions filled in). GitHub itself is not here; what the steps
// do with their inputs, and what they leave in $GITHUB_OUTPUT and $RUNNER_TEMP, is.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "core/fs.h"
#include "json/json.h"
#include "support/data_repo.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const std::string kSource = SLUICE_SOURCE_DIR;

// The demo repository with its pipelines, schemas and sources committed, and a runner's
// directories beside it.
struct ActionRun {
  DataRepo repo;
  TempDir runner;
  ActionRun() {
    fs::copy(kSource + "/examples/demo", repo.path(), fs::copy_options::recursive);
    repo.Commit("pipelines, schemas, sources");
  }
  fs::path temp() const { return runner.path(); }
  fs::path outputs() const { return runner.path() / "github_output"; }

  // Runs actions/<name> with `inputs` ("name=value"), as a step of a job in the repository.
  ProcessResult Run(const std::string& name, std::vector<std::string> inputs) const {
    fs::remove(outputs());
    std::vector<std::string> argv = {"python3", kSource + "/tests/fixtures/run_action.py", kSource + "/actions/" + name};
    argv.insert(argv.end(), inputs.begin(), inputs.end());
    const char* path = std::getenv("PATH");
    return RunProcess(argv, {{"GITHUB_ACTIONS", "true"},
                             {"GITHUB_WORKSPACE", repo.path().string()},
                             {"RUNNER_TEMP", temp().string()},
                             {"GITHUB_OUTPUT", outputs().string()},
                             {"GITHUB_STEP_SUMMARY", (runner.path() / "summary.md").string()},
                             {"SLUICE_RUN_LOG", std::nullopt},
                             {"PATH", std::string(SLUICE_BIN_DIR) + ":" + (path != nullptr ? path : "/usr/bin:/bin")}});
  }
  std::string Outputs() const {
    auto text = ReadFile(outputs());
    return text.ok() ? *text : "";
  }
};

}  // namespace

TEST_CASE("actions: fetch, validate and diff run as workflow steps on the demo pipeline", "[actions]") {
  ActionRun run;

  auto fetched = run.Run("fetch", {"manifest=pipelines/cases.json"});
  INFO(fetched.out << fetched.err);
  REQUIRE(fetched.exit_code == 0);
  CHECK_THAT(run.Outputs(), Catch::Contains("changed=true"));
  REQUIRE(fs::exists(run.repo.path() / "data/cases.csv"));

  auto validated = run.Run("validate", {"manifest=pipelines/cases.json"});
  INFO(validated.out << validated.err);
  CHECK(validated.exit_code == 0);
  CHECK_THAT(run.Outputs(), Catch::Contains("errors=0"));
  run.repo.Commit("data as published");

  // The next day's extract: one more row.
  std::string source = ReadFile(run.repo.path() / "sources/cases.csv").value();
  std::string last = source.substr(source.rfind('\n', source.size() - 2) + 1);
  run.repo.Write("sources/cases.csv", source + last.replace(0, 4, "2027"));
  REQUIRE(run.Run("fetch", {"manifest=pipelines/cases.json"}).exit_code == 0);

  // Defaults: the Markdown and the JSON report go to $RUNNER_TEMP.
  auto diffed = run.Run("diff", {"manifest=pipelines/cases.json"});
  INFO(diffed.out << diffed.err);
  CHECK(diffed.exit_code == 0);
  std::string outputs = run.Outputs();
  CHECK_THAT(outputs, Catch::Contains("changed=true") && Catch::Contains("added=1"));
  CHECK_THAT(outputs, Catch::Contains("markdown_file=" + (run.temp() / "sluice-diff.md").string()));
  auto markdown = ReadFile(run.temp() / "sluice-diff.md");
  REQUIRE(markdown.ok());
  CHECK_THAT(*markdown, Catch::Contains("data/cases.csv"));
  auto report = json::ParseFile(run.temp() / "sluice-diff.json");
  REQUIRE(report.ok());
  CHECK(report->IsObject());

  // Given paths, and no JSON report.
  fs::remove(run.temp() / "sluice-diff.json");
  auto named = run.Run("diff", {"manifest=pipelines/cases.json", "markdown-file=" + (run.temp() / "body.md").string(),
                                "json-file=none"});
  CHECK(named.exit_code == 0);
  CHECK(fs::exists(run.temp() / "body.md"));
  CHECK_FALSE(fs::exists(run.temp() / "sluice-diff.json"));
  CHECK_FALSE(fs::exists(run.repo.path() / "none"));
}

TEST_CASE("actions: an input the action does not declare, or a missing required one, stops the stand-in", "[actions]") {
  ActionRun run;
  CHECK(run.Run("diff", {"manifest=pipelines/cases.json", "no-such-input=1"}).exit_code == 90);
  CHECK(run.Run("validate", {}).exit_code == 90);
}

TEST_CASE("actions: publish sends the merged data to the manifest's target, once, and a dry run writes nothing",
          "[actions][publish]") {
  ActionRun run;
  TempDir storage;
  std::string manifest = ReadFile(run.repo.path() / "pipelines/cases.json").value();
  for (const char* target : {"staging", "production"}) {
    std::string from = std::string("file:///tmp/sluice-demo/") + target + "/cases";
    REQUIRE(manifest.find(from) != std::string::npos);
    manifest.replace(manifest.find(from), from.size(), "file://" + (storage.path() / target).string());
  }
  run.repo.Write("pipelines/cases.json", manifest);
  REQUIRE(run.Run("fetch", {"manifest=pipelines/cases.json"}).exit_code == 0);
  run.repo.Commit("data as merged");

  auto dry = run.Run("publish", {"manifest=pipelines/cases.json", "dry-run=true"});
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK_FALSE(fs::exists(storage.path() / "production/_sluice/manifest.json"));

  auto published = run.Run("publish", {"manifest=pipelines/cases.json", "parallel=2"});
  INFO(published.out << published.err);
  REQUIRE(published.exit_code == 0);
  CHECK_THAT(run.Outputs(), Catch::Contains("uploaded=1"));
  CHECK(ReadFile(storage.path() / "production/data/cases.csv").value() ==
        ReadFile(run.repo.path() / "data/cases.csv").value());
  CHECK(fs::exists(storage.path() / "production/_sluice/manifest.json"));

  auto again = run.Run("publish", {"manifest=pipelines/cases.json"});
  CHECK(again.exit_code == 0);
  CHECK_THAT(run.Outputs(), Catch::Contains("uploaded=0"));
  CHECK(run.Run("publish", {"manifest=pipelines/cases.json", "target=staging"}).exit_code == 0);
  CHECK(fs::exists(storage.path() / "staging/data/cases.csv"));
}

TEST_CASE("actions: notify announces a failed job from its status alone, a dry run sends nothing", "[actions]") {
  ActionRun run;
  auto notified = run.Run("notify", {"manifest=pipelines/cases.json", "job-status=failure", "dry-run=true"});
  INFO(notified.out << notified.err);
  CHECK(notified.exit_code == 0);
  CHECK_THAT(run.Outputs(), Catch::Contains("event=failure") && Catch::Contains("failure-class=incident-response"));
  CHECK_THAT(notified.out, Catch::Contains("no route"));  // the demo's manifest names no Slack route
  CHECK_FALSE(fs::exists(run.repo.path() / ".sluice/notify-state.json"));
}
