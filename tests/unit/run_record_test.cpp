#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "core/fs.h"
#include "core/secrets.h"
#include "json/json.h"
#include "pipeline/run_record.h"
#include "schema/validator.h"
#include "support/schema_match.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;
using Catch::Matchers::Contains;

namespace {

pipeline::RunRecord SampleRecord() {
  pipeline::RunRecord record;
  record.tool = "sluice-fetch";
  record.pipeline = "cases";
  record.status = "success";
  record.exit_code = 0;
  record.started_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1714579200123));
  record.finished_at = record.started_at + std::chrono::milliseconds(4567);
  record.message = "fetched 1 source";
  record.counts = {{"sources", 1}, {"bytes", 2048}};
  record.links = {{"summary", "https://example.org/summary"}};
  return record;
}

Environment ActionsEnv(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> vars = {{"GITHUB_SERVER_URL", "https://github.com"},
                                             {"GITHUB_REPOSITORY", "acme/data"},
                                             {"GITHUB_RUN_ID", "987654"},
                                             {"RUNNER_NAME", "runner-7"}};
  vars.merge(extra);
  return Environment::FromMap(vars);
}

schema::Validator RunRecordSchema() {
  return CompileSchemaFile(fs::path(SLUICE_SOURCE_DIR) / "schemas/run-record.schema.json");
}

}  // namespace

TEST_CASE("the run record line validates against its schema", "[run_record]") {
  std::string line = pipeline::RunRecordJson(SampleRecord(), ActionsEnv());
  CHECK(line.find('\n') == std::string::npos);
  auto document = json::Parse(line, "record");
  REQUIRE(document.ok());
  CHECK(MatchesSchema(RunRecordSchema(), *document));
  CHECK(json::StringOr(*document, "started_at") == "2024-05-01T16:00:00.123Z");
  CHECK(json::StringOr(*document, "finished_at") == "2024-05-01T16:00:04.690Z");
  CHECK((*document)["duration_ms"].GetInt64() == 4567);
  CHECK(json::StringOr(*document, "version") == SLUICE_VERSION);
  CHECK(json::StringOr(*document, "host") == "runner-7");
  CHECK((*document)["counts"]["bytes"].GetInt64() == 2048);
}

TEST_CASE("the schema rejects a record the writer never produces", "[run_record]") {
  auto document = json::Parse(pipeline::RunRecordJson(SampleRecord(), ActionsEnv()), "record");
  REQUIRE(document.ok());
  (*document)["status"].SetString("great");
  CHECK_FALSE(MatchesSchema(RunRecordSchema(), *document));
}

TEST_CASE("the run link is built from the GITHUB_* variables", "[run_record]") {
  auto links = [](const Environment& env) {
    auto document = json::Parse(pipeline::RunRecordJson(SampleRecord(), env), "record");
    REQUIRE(document.ok());
    return json::StringOr((*document)["links"], "run", "(none)");
  };
  CHECK(links(ActionsEnv()) == "https://github.com/acme/data/actions/runs/987654");
  CHECK(links(ActionsEnv({{"GITHUB_RUN_ATTEMPT", "2"}})) ==
        "https://github.com/acme/data/actions/runs/987654/attempts/2");
  CHECK(links(Environment::FromMap({})) == "(none)");
}

TEST_CASE("registered secrets are masked in the written line", "[run_record]") {
  ClearSecretsForTesting();
  RegisterSecret("s3cr\"et-token");  // a quote: escaped in JSON, so masking the line would miss it
  RegisterSecret("hunter2-hunter2");
  pipeline::RunRecord record = SampleRecord();
  record.message = "401 with s3cr\"et-token and hunter2-hunter2";
  record.links["staging"] = "https://acct.blob.core.windows.net/c?sv=1&sig=abcdef";
  std::string line = pipeline::RunRecordJson(record, ActionsEnv());
  ClearSecretsForTesting();
  CHECK_FALSE(line.find("et-token") != std::string::npos);
  CHECK_FALSE(line.find("hunter2") != std::string::npos);
  CHECK_FALSE(line.find("abcdef") != std::string::npos);
  CHECK_THAT(line, Contains(R"("message":"401 with *** and ***")"));
  CHECK(json::Parse(line, "record").ok());
}

TEST_CASE("appending twice gives two lines", "[run_record]") {
  TempDir dir;
  fs::path log = dir.path() / "runs.ndjson";
  auto env = ActionsEnv({{"SLUICE_RUN_LOG", log.string()}});
  REQUIRE(pipeline::AppendRunRecord(SampleRecord(), env).ok());
  pipeline::RunRecord second = SampleRecord();
  second.tool = "sluice-validate";
  second.status = "no";
  second.exit_code = 1;
  REQUIRE(pipeline::AppendRunRecord(second, env).ok());
  auto text = ReadFile(log);
  REQUIRE(text.ok());
  std::istringstream lines(*text);
  std::vector<std::string> records;
  for (std::string line; std::getline(lines, line);) records.push_back(line);
  REQUIRE(records.size() == 2);
  CHECK(text->back() == '\n');
  CHECK_THAT(records[0], Contains(R"("tool":"sluice-fetch")"));
  CHECK_THAT(records[1], Contains(R"("tool":"sluice-validate")"));
}

TEST_CASE("without SLUICE_RUN_LOG nothing is written", "[run_record]") {
  CHECK(pipeline::AppendRunRecord(SampleRecord(), Environment::FromMap({})).ok());
}

TEST_CASE("an unwritable run log is an error naming the path", "[run_record]") {
  TempDir dir;
  fs::path log = dir.path() / "missing-dir" / "runs.ndjson";
  Status status = pipeline::AppendRunRecord(SampleRecord(), Environment::FromMap({{"SLUICE_RUN_LOG", log.string()}}));
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.message(), Contains(log.string()));
}
