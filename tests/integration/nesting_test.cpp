// Hostile nesting (issue 30): JSON nested past the limit (json::kDefaultMaxDepth, 512) ends the
// read with exit 2 and its place, however deep it goes, and JSON at the limit goes through every
// walk the tools make of a value (schema evaluation and its messages, report writing, the diff's
// row hashing, comparing and rendering) on a small stack: the tools run under `ulimit -s`, so a
// walk that regresses to using much more stack per level crashes here.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "support/data_repo.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const std::string kValidate = std::string(SLUICE_BIN_DIR) + "/sluice-validate";
const std::string kDiff = std::string(SLUICE_BIN_DIR) + "/sluice-diff";

// The stack for the tools' threads (ulimit -s sets the main thread's, and the default of every
// thread they start): a quarter of Linux's usual 8 MiB, about 4 KiB per level at the limit. A
// schema that checks every level through a $ref needs about 1.5 KiB per level today. The
// sanitizers' frames are several times larger.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kStackKiB = 8192;
#else
constexpr int kStackKiB = 2048;
#endif

// A record `{"k":1,"v":[[...[x]...]]}` whose deepest container is at `depth` levels from the root.
std::string DeepRecord(int depth, const std::string& innermost) {
  return R"({"k":1,"v":)" + std::string(depth - 1, '[') + innermost + std::string(depth - 1, ']') + "}";
}

void WriteText(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// Runs `argv` with the small stack.
ProcessResult OnSmallStack(const std::vector<std::string>& argv) {
  std::string command = "ulimit -s " + std::to_string(kStackKiB) + " && exec";
  for (const auto& arg : argv) command += " '" + arg + "'";
  return RunProcess({"bash", "-c", command});
}

}  // namespace

TEST_CASE("nesting: at the limit every walk of validate and diff holds on a small stack, past it exit 2 names the place",
          "[nesting]") {
  TempDir dir;
  const fs::path schema = dir.path() / "schema.json";
  // Every level checked: an array of such arrays, down to strings (the innermost 1 fails).
  WriteText(schema, R"({"$defs": {"n": {"type": ["array", "string"], "items": {"$ref": "#/$defs/n"}}},
    "type": "object", "properties": {"v": {"$ref": "#/$defs/n"}}})");
  const fs::path at_limit = dir.path() / "at-limit.ndjson";
  const fs::path changed = dir.path() / "changed.ndjson";
  WriteText(at_limit, DeepRecord(512, "1") + "\n");
  WriteText(changed, DeepRecord(512, "2") + "\n");

  auto validated = OnSmallStack({kValidate, "--schema", schema.string(), at_limit.string(), "--json"});
  INFO(validated.err);
  CHECK(validated.exit_code == 1);  // the innermost 1 is not a string: a finding, not a crash
  CHECK_THAT(validated.out, Catch::Contains("type: expected array or string, got integer 1") &&
                                Catch::Contains("/0/v" + [] {
                                  std::string pointer;
                                  for (int i = 0; i < 511; ++i) pointer += "/0";
                                  return pointer;
                                }() + R"(")"));
  auto shown = OnSmallStack({kValidate, "--schema", schema.string(), at_limit.string()});
  CHECK(shown.exit_code == 1);

  const fs::path markdown = dir.path() / "diff.md";
  auto diffed = OnSmallStack({kDiff, "--key", "k", at_limit.string(), changed.string(), "--json", "--markdown",
                              markdown.string()});
  INFO(diffed.err);
  CHECK(diffed.exit_code == 0);
  CHECK_THAT(diffed.out, Catch::Contains(R"("modified": 1)") || Catch::Contains(R"("modified":1)"));
  std::ifstream written(markdown);
  std::string text((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Catch::Contains("1 changed"));
  auto same = OnSmallStack({kDiff, "--key", "k", at_limit.string(), at_limit.string(), "--exit-code"});
  CHECK(same.exit_code == 0);
  auto differs = OnSmallStack({kDiff, "--key", "k", at_limit.string(), changed.string(), "--exit-code"});
  CHECK(differs.exit_code == 1);

  // One level more, and a hundred thousand more (the readers are iterative: no crash either).
  for (int depth : {513, 100000}) {
    for (const std::string extension : {".ndjson", ".json"}) {
      const fs::path deep = dir.path() / ("deep-" + std::to_string(depth) + extension);
      const std::string record = DeepRecord(depth, "1");
      // As a JSON array the records sit one level deeper: one less inside to stay comparable.
      WriteText(deep, extension == ".json" ? "[" + DeepRecord(depth - 1, "1") + "]" : record + "\n");
      auto refused = OnSmallStack({kValidate, "--schema", schema.string(), deep.string()});
      INFO(deep.filename().string() << ": " << refused.err);
      CHECK(refused.exit_code == 2);
      // The 513th container opens at column 523 either way: {"k":1,"v": then the brackets.
      CHECK_THAT(refused.err, Catch::Contains(deep.string() + ":1:523: nesting deeper than 512 levels"));
      auto diff_refused = OnSmallStack({kDiff, "--key", "k", at_limit.string(), deep.string()});
      CHECK(diff_refused.exit_code == 2);
      CHECK_THAT(diff_refused.err, Catch::Contains("nesting deeper than 512 levels"));
    }
  }
}

TEST_CASE("nesting: a schema or a manifest nested past the limit is exit 2 with its place, not a crash", "[nesting]") {
  TempDir dir;
  const fs::path schema = dir.path() / "deep.schema.json";
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += R"({"items":)";
  deep += "{}" + std::string(100000, '}');
  WriteText(schema, deep);
  const fs::path data = dir.path() / "data.ndjson";
  WriteText(data, "[1]\n");
  auto refused = OnSmallStack({kValidate, "--schema", schema.string(), data.string()});
  INFO(refused.err);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains(schema.string() + ":1:4609: nesting deeper than 512 levels"));
}

TEST_CASE("nesting: a source's max_depth and --max-depth set the limit for validate and diff", "[nesting]") {
  DataRepo repo;
  repo.Write("pipelines/p.json", R"({"name": "p", "description": "Nested records.", "sources": [{"name": "p",
    "url": "file:src/p.ndjson", "format": "ndjson", "output": "data/p.ndjson", "key": ["k"], "max_depth": 2}]})");
  repo.Write("data/p.ndjson", "{\"k\":1,\"v\":[0]}\n");
  repo.Commit("data at depth 2");
  repo.Write("data/p.ndjson", "{\"k\":1,\"v\":[[0]]}\n");  // depth 3

  auto validated = repo.RunTool(kValidate, "pipelines/p.json", {});
  INFO(validated.err);
  CHECK(validated.exit_code == 2);
  CHECK_THAT(validated.err, Catch::Contains("data/p.ndjson:1:13: nesting deeper than 2 levels"));
  auto diffed = repo.RunTool(kDiff, "pipelines/p.json", {});
  CHECK(diffed.exit_code == 2);
  CHECK_THAT(diffed.err, Catch::Contains("data/p.ndjson:1:13: nesting deeper than 2 levels"));
  // The command line overrides the manifest, for one run.
  auto raised = repo.RunTool(kValidate, "pipelines/p.json", {"--max-depth", "3"});
  INFO(raised.err);
  CHECK(raised.exit_code == 0);
  auto raised_diff = repo.RunTool(kDiff, "pipelines/p.json", {"--max-depth", "3", "--exit-code"});
  INFO(raised_diff.err);
  CHECK(raised_diff.exit_code == 1);  // changed, and read
  // Ad hoc, without a manifest: the default, or the flag.
  TempDir dir;
  const fs::path deep = dir.path() / "deep.ndjson";
  WriteText(deep, DeepRecord(600, "1") + "\n");
  const fs::path schema = dir.path() / "any.json";
  WriteText(schema, "{}");
  CHECK(RunProcess({kValidate, "--schema", schema.string(), deep.string()}).exit_code == 2);
  CHECK(RunProcess({kValidate, "--schema", schema.string(), deep.string(), "--max-depth", "600"}).exit_code == 0);
  CHECK(RunProcess({kDiff, "--key", "k", deep.string(), deep.string(), "--max-depth", "600"}).exit_code == 0);
  auto bad = RunProcess({kValidate, "--schema", schema.string(), deep.string(), "--max-depth", "0"});
  CHECK(bad.exit_code == 2);
}
