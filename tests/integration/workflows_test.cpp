// The reusable workflows (.github/workflows/sluice-*.yml), the data repository's callers
// (examples/demo/.github/workflows) and the composite actions fit together: every input passed is
// declared, every required one is passed, every step output read exists, and no script splices an
// expression into shell (tests/fixtures/check_workflows.py). GitHub cannot run them here; this is
// what can be known without it. The check itself is shown to catch each kind of mistake.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "core/fs.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const std::string kSource = SLUICE_SOURCE_DIR;

ProcessResult Check(const fs::path& root) {
  return RunProcess({"python3", kSource + "/tests/fixtures/check_workflows.py", root.string()});
}

// The files the check reads, copied so that a test can break one.
struct Copy {
  TempDir dir;
  Copy() {
    for (const char* part : {"actions", ".github/workflows", "examples/demo/.github/workflows"}) {
      fs::create_directories((dir.path() / part).parent_path());
      fs::copy(fs::path(kSource) / part, dir.path() / part, fs::copy_options::recursive);
    }
  }
  void Replace(const std::string& file, const std::string& from, const std::string& to) const {
    const fs::path path = dir.path() / file;
    std::string text = ReadFile(path).value();
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    REQUIRE(WriteFileAtomically(path, text).ok());
  }
};

}  // namespace

TEST_CASE("workflows: the reusable workflows, their callers and the actions fit together", "[workflows]") {
  ProcessResult checked = Check(kSource);
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
  CHECK(checked.out.empty());
  // Every tool's action is used by a reusable workflow, and every reusable workflow by a caller.
  for (const char* action : {"setup", "fetch", "validate", "diff", "pr", "approve", "publish", "notify"}) {
    bool used = false;
    for (const auto& entry : fs::directory_iterator(kSource + "/.github/workflows")) {
      used = used || ReadFile(entry.path())->find(std::string("./.sluice/actions/") + action + "\n") != std::string::npos;
    }
    INFO(action);
    CHECK(used);
  }
  for (const char* workflow : {"sluice-pipeline.yml", "sluice-approve.yml", "sluice-publish.yml", "sluice-sla.yml"}) {
    bool called = false;
    for (const auto& entry : fs::directory_iterator(kSource + "/examples/demo/.github/workflows")) {
      called = called || ReadFile(entry.path())->find(std::string("/sluice/.github/workflows/") + workflow + "@") != std::string::npos;
    }
    INFO(workflow);
    CHECK(called);
  }
}

TEST_CASE("workflows: the check finds an unknown input, a missing required one, an expression in a script and an "
          "output nobody declares",
          "[workflows]") {
  Copy copy;
  REQUIRE(Check(copy.dir.path()).exit_code == 0);

  SECTION("an input the action does not have") {
    copy.Replace(".github/workflows/sluice-pipeline.yml", "state: .sluice-state/fetch.json", "statefile: x");
    ProcessResult checked = Check(copy.dir.path());
    CHECK(checked.exit_code == 1);
    CHECK_THAT(checked.out, Catch::Contains("sluice-pipeline.yml job run step fetch: action fetch has no input `statefile`"));
  }
  SECTION("a required input left out") {
    copy.Replace("examples/demo/.github/workflows/sla.yml", "      sluice-repository: your-org/sluice\n", "");
    ProcessResult checked = Check(copy.dir.path());
    CHECK(checked.exit_code == 1);
    CHECK_THAT(checked.out, Catch::Contains("sla.yml job watch: workflow sluice-sla.yml requires the input "
                                            "`sluice-repository`"));
  }
  SECTION("an expression spliced into a script") {
    copy.Replace("actions/publish/action.yml", "sluice-publish \"${args[@]}\"", "sluice-publish ${{ inputs.manifest }}");
    ProcessResult checked = Check(copy.dir.path());
    CHECK(checked.exit_code == 1);
    CHECK_THAT(checked.out, Catch::Contains("actions/publish/action.yml step 1: `run:` holds the expression "
                                            "${{inputs.manifest}}"));
  }
  SECTION("a step output the action does not declare, and a job output of a step that is not there") {
    copy.Replace(".github/workflows/sluice-pipeline.yml", "steps.validate.outputs.report", "steps.validate.outputs.json");
    copy.Replace(".github/workflows/sluice-approve.yml", "steps.approve.outputs.merged", "steps.gate.outputs.merged");
    ProcessResult checked = Check(copy.dir.path());
    CHECK(checked.exit_code == 1);
    CHECK_THAT(checked.out, Catch::Contains("reads steps.validate.outputs.json, which that action does not declare"));
    CHECK_THAT(checked.out, Catch::Contains("sluice-approve.yml job gate output merged: reads steps.gate, which is no "
                                            "earlier step of the job"));
  }
  SECTION("a caller naming a workflow that is not there") {
    copy.Replace("examples/demo/.github/workflows/sla.yml", "sluice-sla.yml@main", "sluice-watch.yml@main");
    ProcessResult checked = Check(copy.dir.path());
    CHECK(checked.exit_code == 1);
    CHECK_THAT(checked.out, Catch::Contains("calls sluice-watch.yml, which is not in .github/workflows"));
  }
}
