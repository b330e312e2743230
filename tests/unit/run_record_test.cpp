#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "core/fs.h"
#include "core/secrets.h"
#include "json/json.h"
#include "pipeline/run_record.h"
#include "pipeline/tool_run.h"
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

TEST_CASE("a new record of a run that did its job says success, with the exit code given", "[run_record]") {
  auto started = std::chrono::system_clock::time_point(std::chrono::milliseconds(1714579200123));
  auto before = std::chrono::system_clock::now();
  pipeline::RunRecord record = pipeline::NewRunRecord("sluice-validate", "cases", Status::Ok(), kExitNo, started);
  auto after = std::chrono::system_clock::now();
  CHECK(record.tool == "sluice-validate");
  CHECK(record.pipeline == "cases");
  CHECK(record.status == "success");
  CHECK(record.exit_code == kExitNo);  // "no" is the tool's answer, not a failure of the run
  CHECK(record.message.empty());
  CHECK(record.started_at == started);
  CHECK(record.finished_at >= before);
  CHECK(record.finished_at <= after);
  CHECK(record.counts.empty());
  CHECK(record.links.empty());
}

TEST_CASE("a new record of a failed run says failure with the failure's sentence", "[run_record]") {
  Status failed = ExternalError("GET https://example.org/cases.csv: 503 after 4 attempts");
  auto started = std::chrono::system_clock::now() - std::chrono::seconds(3);
  pipeline::RunRecord record = pipeline::NewRunRecord("sluice-fetch", "", failed, failed.exit_code(), started);
  CHECK(record.tool == "sluice-fetch");
  CHECK(record.pipeline.empty());
  CHECK(record.status == "failure");
  CHECK(record.exit_code == kExitExternal);
  CHECK(record.message == "GET https://example.org/cases.csv: 503 after 4 attempts");
  CHECK(record.started_at == started);
  CHECK(record.finished_at - record.started_at >= std::chrono::seconds(3));
  auto document = json::Parse(pipeline::RunRecordJson(record, ActionsEnv()), "record");
  REQUIRE(document.ok());
  CHECK(MatchesSchema(RunRecordSchema(), *document));
  CHECK((*document)["exit_code"].GetInt() == 3);
  CHECK((*document)["duration_ms"].GetInt64() >= 3000);
}

TEST_CASE("a tool's errors and warnings are named after it and masked", "[run_record]") {
  ClearSecretsForTesting();
  RegisterSecret("hunter2-hunter2");
  std::ostringstream err;
  pipeline::ToolRun tool("sluice-diff", err);
  CHECK(tool.name() == "sluice-diff");
  CHECK(tool.Error(Status::Ok()) == kExitOk);
  tool.Warning(Status::Ok());
  CHECK(err.str().empty());
  CHECK(tool.Error(UnsafeError("token hunter2-hunter2 refused")) == kExitUnsafe);
  tool.Warning(InputError("cannot write summary"));
  ClearSecretsForTesting();
  CHECK(err.str() == "sluice-diff: token *** refused\nsluice-diff: warning: cannot write summary\n");
}

TEST_CASE("finishing a run appends its record and returns its exit code", "[run_record]") {
  TempDir dir;
  fs::path log = dir.path() / "runs.ndjson";
  std::ostringstream err;
  pipeline::ToolRun tool("sluice-validate", err);
  CHECK(tool.started() <= std::chrono::system_clock::now());
  pipeline::RunRecord record = pipeline::NewRunRecord(tool.name(), "cases", Status::Ok(), kExitNo, tool.started());
  record.status = "no";
  CHECK(tool.Finish(record, Environment::FromMap({{"SLUICE_RUN_LOG", log.string()}})) == kExitNo);
  CHECK(err.str().empty());
  auto text = ReadFile(log);
  REQUIRE(text.ok());
  CHECK_THAT(*text, Contains(R"("tool":"sluice-validate")"));
  CHECK_THAT(*text, Contains(R"("status":"no","exit_code":1)"));
}

TEST_CASE("a run log that cannot be written is a warning, not a changed exit code", "[run_record]") {
  TempDir dir;
  fs::path log = dir.path() / "missing-dir" / "runs.ndjson";
  std::ostringstream err;
  pipeline::ToolRun tool("sluice-fetch", err);
  pipeline::RunRecord record = pipeline::NewRunRecord(tool.name(), "", Status::Ok(), kExitOk, tool.started());
  CHECK(tool.Finish(record, Environment::FromMap({{"SLUICE_RUN_LOG", log.string()}})) == kExitOk);
  CHECK_THAT(err.str(), Contains("sluice-fetch: warning: cannot open run log " + log.string()));
}
