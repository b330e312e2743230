// tests/fixtures/actions-runner driven from a test: a data repository at the GitHub fake, sluice's
// reusable workflows and composite actions at your-org/sluice (as a data repository's callers
// name them), and the runner's work and cache folders. Each Run reports one event (or none) and
// executes every run the fake starts, on GitHub's own parser and expression evaluator.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "support/data_repo.h"
#include "support/github_fake.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace sluice {

class ActionsRunner {
 public:
  static constexpr const char* kSluiceRepo = "your-org/sluice";

  // `repo`: the data repository's name at the fake (owner/name). Nothing is pushed yet: write the
  // data repository, then CreateRepos().
  explicit ActionsRunner(std::string repo = "acme/data");

  DataRepo& data() { return data_; }
  GitHubFake& fake() { return fake_; }
  const std::string& repo() const { return repo_; }
  const std::filesystem::path& work() const { return work_.path(); }
  // RUNNER_TEMP of the last job run (one folder, emptied when a job starts, as on GitHub).
  std::filesystem::path temp() const { return work_.path() / "_temp"; }

  // Commits the data repository's working tree and creates both repositories at the fake: the
  // data repository from data(), sluice from this checkout's .github/workflows, actions and
  // CMakeLists.txt.
  void CreateRepos(const std::string& message = "the data repository");
  // Commits the working tree of data() on main and pushes it (no workflow runs on the push
  // unless a workflow listens and the event is reported).
  std::string PushMain(const std::string& message);
  // actions/setup caches the built tools by the sluice commit: the cache gets this build's tools
  // under the key setup computes, so the workflows run the binaries under test.
  void SeedToolsCache();

  // The runner: `event` (e.g. {"--event", "workflow_dispatch", "--workflow", "t.yml"}, or none
  // to drain what is queued), then every run it, and what the jobs did, started. `env` and
  // `secrets` are NAME=VALUE.
  ProcessResult Run(const std::vector<std::string>& event, const std::vector<std::string>& env = {},
                    const std::vector<std::string>& secrets = {});
  // --json of the last Run: {deliveries, runs: [{workflow, conclusion, jobs: [{name, steps}]}]}.
  rapidjson::Document Runs() const;
  // The outputs of step `step_id` in the last Run's job whose name contains `job` ("" for any):
  // name=value lines, sorted. Fails the test when no such step ran.
  std::string StepOutputs(const std::string& step_id, const std::string& job = "") const;
  // The step's outcome ("success", "failure", "skipped").
  std::string StepOutcome(const std::string& step_id, const std::string& job = "") const;

 private:
  const rapidjson::Value& Step(const rapidjson::Document& runs, const std::string& step_id, const std::string& job) const;

  std::string repo_;
  DataRepo data_;
  DataRepo sluice_;
  GitHubFake fake_;
  TempDir work_;
  TempDir cache_;
};

// A file's bytes ("" when it cannot be read).
std::string ReadText(const std::filesystem::path& path);
// Copies `from` (a folder of this checkout) into `to`, files only.
void CopyTree(const std::filesystem::path& from, const std::filesystem::path& to);

// The last `keep` characters of a runner's output, for a test's INFO.
std::string Tail(const ProcessResult& run, std::size_t keep = 20000);

}  // namespace sluice
