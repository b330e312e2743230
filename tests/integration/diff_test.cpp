// sluice-diff driven as a user drives it: a pipeline's outputs in a real git repository against
// HEAD, and two files ad hoc.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "core/fs.h"
#include "json/json.h"
#include "support/data_repo.h"
#include "support/process.h"
#include "support/schema_match.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const std::string kDiff = std::string(SLUICE_BIN_DIR) + "/sluice-diff";

std::string Rows(int n, int bump = 0) {
  std::string csv = "date,county,cases,updated_at\n";
  for (int i = 0; i < n; ++i) {
    csv += fmt::format("2026-11-{:02d},Alameda,{},2026-12-0{}T00:00:00Z\n", i + 1, 100 + i + (i == 0 ? bump : 0), bump % 9);
  }
  return csv;
}

// One pipeline over data/cases.csv and a first committed version of the data.
struct CasesRepo : DataRepo {
  explicit CasesRepo(const std::string& committed = Rows(10)) {
    Write("pipelines/cases.json", R"({"name": "cases", "sources": [{"name": "cases", "url": "file:sources/c.csv",
      "format": "csv", "output": "data/cases.csv", "key": ["date", "county"], "volatile": ["updated_at"]}]})");
    Write("data/cases.csv", committed);
    Commit("data");
  }
  ProcessResult Diff(const std::vector<std::string>& args, EnvOverrides env = {}) const {
    return RunTool(kDiff, "pipelines/cases.json", args, std::move(env));
  }
};

}  // namespace

TEST_CASE("changed data against HEAD: outputs, summary, Markdown file, run record, exit code", "[diff]") {
  CasesRepo repo;
  repo.Write("data/cases.csv", Rows(11, 50));
  fs::path output = repo.path() / "out.txt", summary = repo.path() / "summary.md",
           log = repo.path() / "runs.ndjson", body = repo.path() / "body.md";
  auto run = repo.Diff({"--exit-code", "--markdown", body.string()},
                       {{"GITHUB_OUTPUT", output.string()}, {"GITHUB_STEP_SUMMARY", summary.string()},
                        {"SLUICE_RUN_LOG", log.string()}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  std::string outputs = ReadFile(output).value();
  CHECK_THAT(outputs, Catch::Contains("changed=true") && Catch::Contains("added=1") && Catch::Contains("modified=1") &&
                          Catch::Contains("removed=0"));
  std::string markdown = ReadFile(body).value();
  CHECK_THAT(markdown, Catch::Contains("| data/cases.csv | 10 | 11 | 1 | 0 | 1 |") && Catch::Contains("+50.0%"));
  CHECK(ReadFile(summary).value() == markdown);
  CHECK_THAT(ReadFile(log).value(), Catch::Contains("\"tool\":\"sluice-diff\"") && Catch::Contains("\"status\":\"success\""));
  CHECK(repo.Diff({}).exit_code == 0);  // without --exit-code a difference is not a failure
}

TEST_CASE("a --markdown file that cannot be written exits 2 and the run record says failure", "[diff]") {
  CasesRepo repo;
  repo.Write("data/cases.csv", Rows(11, 50));
  repo.Write("not-a-dir", "a file where the Markdown's directory should be\n");
  fs::path log = repo.path() / "runs.ndjson";
  auto run = repo.Diff({"--markdown", (repo.path() / "not-a-dir" / "body.md").string()}, {{"SLUICE_RUN_LOG", log.string()}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("sluice-diff: ") && Catch::Contains("body.md"));
  std::string record = ReadFile(log).value();
  CHECK_THAT(record, Catch::Contains("\"status\":\"failure\"") && Catch::Contains("\"exit_code\":2"));
}

TEST_CASE("only volatile fields changed: changed=false and exit 0 with --exit-code", "[diff]") {
  CasesRepo repo;
  repo.Write("data/cases.csv", [] {  // every row's updated_at moves, nothing else
    std::string csv = Rows(10);
    for (auto pos = csv.find("2026-12-00"); pos != std::string::npos; pos = csv.find("2026-12-00", pos)) csv.replace(pos, 10, "2026-12-05");
    return csv;
  }());
  fs::path output = repo.path() / "out.txt";
  auto run = repo.Diff({"--exit-code"}, {{"GITHUB_OUTPUT", output.string()}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(ReadFile(output).value(), Catch::Contains("changed=false"));
  CHECK_THAT(run.out, Catch::Contains("no change"));
}

TEST_CASE("the JSON report matches schemas/diff-report.schema.json", "[diff]") {
  CasesRepo repo;
  repo.Write("data/cases.csv", Rows(9, 7) + "2026-11-30,Butte,1,x\n2026-11-30,Butte,2,x\n");
  auto run = repo.Diff({"--json", "--trend", "cases", "--trend-history", "5"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto report = json::Parse(run.out, "report").value();
  auto schema = CompileSchemaFile(std::string(SLUICE_SOURCE_DIR) + "/schemas/diff-report.schema.json");
  CHECK(MatchesSchema(schema, report));
  const auto& file = report["files"][0];
  CHECK(file["removed"].GetUint() == 1);
  CHECK(file["collision_count"].GetUint() == 1);
  CHECK(file["trend"]["points"].Size() == 2);  // one committed version and the new data
}

TEST_CASE("a trend over the git history is drawn as a Mermaid chart", "[diff]") {
  CasesRepo repo;
  for (int v = 1; v <= 3; ++v) repo.CommitFile("data/cases.csv", Rows(10, v * 10), "v" + std::to_string(v));
  repo.Write("data/cases.csv", Rows(10, 100));
  fs::path body = repo.path() / "body.md";
  auto run = repo.Diff({"--trend", "cases", "--trend-history", "3", "--markdown", body.string()});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::string markdown = ReadFile(body).value();
  CHECK_THAT(markdown, Catch::Contains("```mermaid\nxychart-beta"));
  CHECK_THAT(markdown, Catch::Contains("line [1055, 1065, 1075, 1145]"));
}

TEST_CASE("an output new at HEAD shows as a new file, a missing output is exit 2", "[diff]") {
  CasesRepo repo;
  repo.Git({"rm", "-q", "data/cases.csv"});
  repo.Commit("drop");
  SECTION("new file") {
    repo.Write("data/cases.csv", Rows(3));
    auto run = repo.Diff({"--json"});
    REQUIRE(run.exit_code == 0);
    auto report = json::Parse(run.out, "report").value();
    CHECK_FALSE(report["files"][0]["old_exists"].GetBool());
    CHECK(report["files"][0]["added"].GetUint() == 3);
  }
  SECTION("missing output") {
    auto run = repo.Diff({});
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains("data/cases.csv") && Catch::Contains("sluice-fetch"));
  }
}

TEST_CASE("ad hoc: two files, a key given on the command line, missing key field exits 2", "[diff]") {
  TempDir dir;
  auto old_file = dir.Write("old.ndjson", "{\"id\":1,\"v\":1}\n{\"id\":2,\"v\":2}\n");
  auto new_file = dir.Write("new.ndjson", "{\"id\":2,\"v\":2}\n{\"id\":1,\"v\":1}\n");
  auto order_only = RunProcess({kDiff, "--key", "id", "--exit-code", old_file.string(), new_file.string()});
  CHECK(order_only.exit_code == 0);
  CHECK_THAT(order_only.out, Catch::Contains("order-only"));
  auto broken = dir.Write("broken.ndjson", "{\"id\":2,\"v\":2}\n{\"v\":1}\n");
  auto run = RunProcess({kDiff, "--key", "id", old_file.string(), broken.string()});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("broken.ndjson:2"));
  auto identical = RunProcess({kDiff, "--exit-code", old_file.string(), old_file.string()});
  CHECK(identical.exit_code == 0);
  CHECK(RunProcess({kDiff, "a", "b", "c"}).exit_code == 2);
}

TEST_CASE("rows sharing a key: a change inside the group exits 1 with --exit-code and is in the report", "[diff][groups]") {
  TempDir dir;
  auto old_file = dir.Write("old.csv", "k,v\na,5\na,6\n");
  auto new_file = dir.Write("new.csv", "k,v\na,5\na,7\n");
  fs::path output = dir.path() / "out.txt";
  auto run = RunProcess({kDiff, "--key", "k", "--exit-code", old_file.string(), new_file.string()},
                        {{"GITHUB_OUTPUT", output.string()}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK_THAT(ReadFile(output).value(), Catch::Contains("changed=true") && Catch::Contains("modified=1") &&
                                           Catch::Contains("collisions=2"));
  auto json_run = RunProcess({kDiff, "--key", "k", "--json", old_file.string(), new_file.string()});
  REQUIRE(json_run.exit_code == 0);
  auto report = json::Parse(json_run.out, "report").value();
  auto schema = CompileSchemaFile(std::string(SLUICE_SOURCE_DIR) + "/schemas/diff-report.schema.json");
  CHECK(MatchesSchema(schema, report));
  const auto& group = report["files"][0]["changed_groups"][0];
  CHECK(group["new_rows"][1]["row"]["v"] == "7");
  CHECK_FALSE(group["new_rows"][1]["paired"].GetBool());
  auto swapped = dir.Write("swapped.csv", "k,v\na,6\na,5\n");
  CHECK(RunProcess({kDiff, "--key", "k", "--exit-code", old_file.string(), swapped.string()}).exit_code == 0);
}

TEST_CASE("a file of NUL bytes exits 2 naming line and column", "[diff][binary]") {
  TempDir dir;
  for (auto [ext, good_text] : std::vector<std::pair<std::string, std::string>>{
           {"csv", "k,v\na,1\n"}, {"ndjson", "{\"k\":\"a\"}\n"}, {"json", "[{\"k\":\"a\"}]"}}) {
    auto good = dir.Write("old." + ext, good_text);
    auto nul = dir.Write("nul." + ext, std::string(100, '\0'));
    auto run = RunProcess({kDiff, "--key", "k", "--exit-code", good.string(), nul.string()});
    INFO(ext << ": " << run.err);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains("nul." + ext + ":1:1: NUL byte (binary data?)"));
  }
}

TEST_CASE("sluice-diff: a record over the source's max_record_bytes exits 2 with its location", "[diff][limit]") {
  DataRepo repo;
  repo.Write("pipelines/cases.json", R"({"name": "cases", "sources": [{"name": "cases", "url": "file:sources/c.ndjson",
    "format": "ndjson", "output": "data/cases.ndjson", "key": ["id"], "max_record_bytes": 1024}]})");
  repo.Write("data/cases.ndjson", "{\"id\": 1}\n");
  repo.Commit("data");
  repo.Write("data/cases.ndjson", "{\"id\": 1}\n{\"id\": 2, \"s\": \"" + std::string(1 << 20, 'x'));  // no line break
  auto run = repo.RunTool(kDiff, "pipelines/cases.json", {});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("data/cases.ndjson:2:1: record larger than max_record_bytes (1 KiB)"));
}

TEST_CASE("sluice-diff: a data file over the source's max_bytes exits 2 naming the file, its size and the limit",
          "[diff][max_bytes]") {
  DataRepo repo;
  repo.Write("pipelines/cases.json", R"({"name": "cases", "sources": [{"name": "cases", "url": "file:sources/c.csv",
    "format": "csv", "output": "data/cases.csv", "key": ["date"], "max_bytes": 200}]})");
  repo.Write("data/cases.csv", Rows(3));
  repo.Commit("data");
  std::string data = Rows(10);
  repo.Write("data/cases.csv", data);
  auto run = repo.RunTool(kDiff, "pipelines/cases.json", {"--exit-code"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains(fmt::format("data/cases.csv: {} bytes, more than the source's max_bytes of 200", data.size())) &&
                          Catch::Contains("pipelines/cases.json: /sources/0/max_bytes"));
}

TEST_CASE("every tool reads the manifest against its schema: a limit as a string and a repeated key exit 2 alike",
          "[diff][loader]") {
  // Issue 29: sluice-fetch and sluice-diff accepted "min": "one", which sluice-validate refused.
  DataRepo repo;
  repo.Write("data/cases.csv", Rows(3));
  repo.Commit("data");
  const std::string source = R"("sources": [{"name": "cases", "url": "file:data/cases.csv", "format": "csv",
    "output": "data/cases.csv", "key": ["date"]}])";
  repo.Write("pipelines/limit.json", R"({"name": "cases", )" + source + R"(, "checks": [{"type": "row_count", "min": "one"}]})");
  repo.Write("pipelines/twice.json", R"({"name": "cases", "review": "auto", "review": "manual", )" + source + "}");
  for (const std::string tool : {"sluice-fetch", "sluice-validate", "sluice-diff"}) {
    auto limit = repo.RunTool(std::string(SLUICE_BIN_DIR) + "/" + tool, "pipelines/limit.json", {});
    INFO(tool << ": " << limit.err);
    CHECK(limit.exit_code == 2);
    CHECK_THAT(limit.err, Catch::Contains("pipelines/limit.json: /checks/0/min: min must be a number, not \"one\""));
    auto twice = repo.RunTool(std::string(SLUICE_BIN_DIR) + "/" + tool, "pipelines/twice.json", {});
    INFO(twice.err);
    CHECK(twice.exit_code == 2);
    CHECK_THAT(twice.err, Catch::Contains("pipelines/twice.json: /review: the key \"review\" is given twice"));
  }
}
