// Schema validation on worker threads: verdicts in record order, on deep copies, the same as
// validating each record in turn.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "checks/batched_validation.h"
#include "checks/schema_check.h"
#include "json/json.h"
#include "records/reader.h"
#include "schema/validator.h"

using namespace sluice;
using namespace sluice::checks;

namespace {

const char* kSchema = R"({
  "type": "object", "required": ["id", "name"],
  "properties": {"id": {"type": "integer"}, "name": {"type": "string", "pattern": "^n\\d+$"},
                 "tags": {"type": "array", "items": {"type": "string"}}}})";

// 20,000 NDJSON records over several batches: every 997th has a bad name, record 2500 repeats
// a key, and record 12345 is too large to copy (validated where it is, in its turn).
std::string Data(std::size_t records) {
  std::string out;
  for (std::size_t i = 0; i < records; ++i) {
    if (i == 2500) {
      out += R"({"id": 2500, "name": "n2500", "name": "n2500"})" "\n";
    } else if (i == 12345) {
      std::string tags;
      for (int t = 0; t < 6000; ++t) tags += fmt::format("{}\"tag-{}\"", t == 0 ? "" : ",", t);
      out += fmt::format(R"({{"id": {}, "name": "n{}", "tags": [{}]}})" "\n", i, i, tags);
    } else {
      out += fmt::format(R"({{"id": {}, "name": "{}{}"}})" "\n", i, i % 997 == 13 ? "bad" : "n", i);
    }
  }
  return out;
}

struct Seen {
  std::uint64_t index;
  std::uint64_t line;
  bool valid;
  bool duplicate;
};

std::vector<Seen> Run(std::size_t workers, const std::string& data) {
  auto schema = json::Parse(kSchema, "schema").value();
  auto validator = schema::Validator::Compile(schema).value();
  std::vector<Seen> seen;
  BatchedValidation batches(validator, workers, [&](const QueuedRecord& record) {
    if (record.duplicate_keys == 0) {
      // The copy is whole and deep: its strings are the record's own, not reused memory.
      const rapidjson::Value& name = (*record.value)["name"];
      std::string expected = fmt::format("{}{}", record.index % 997 == 13 ? "bad" : "n", record.index);
      REQUIRE(std::string(name.GetString(), name.GetStringLength()) == expected);
      REQUIRE((*record.value)["id"].GetUint64() == record.index);
    }
    seen.push_back({record.index, record.line, record.valid, record.duplicate_keys > 0});
  });
  records::ReadOptions options;
  options.buffer_bytes = 4096;  // the reader reuses small buffers: shallow copies would show
  Status read = records::ReadRecordsFromString(data, "data.ndjson", pipeline::DataFormat::kNdjson, options,
                                               [&](records::Record& record) {
                                                 batches.Add(record);
                                                 return Status::Ok();
                                               });
  REQUIRE(read.ok());
  batches.Finish();
  return seen;
}

}  // namespace

TEST_CASE("batched validation gives every verdict in record order, as validating in turn does", "[checks][threads]") {
  const std::size_t n = 20000;
  std::string data = Data(n);
  std::vector<Seen> inline_seen = Run(0, data);
  REQUIRE(inline_seen.size() == n);
  for (std::size_t workers : {1, 3}) {
    INFO("workers: " << workers);
    std::vector<Seen> seen = Run(workers, data);
    REQUIRE(seen.size() == n);
    std::size_t invalid = 0;
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE(seen[i].index == i);
      REQUIRE(seen[i].line == i + 1);
      REQUIRE(seen[i].valid == inline_seen[i].valid);
      REQUIRE(seen[i].duplicate == (i == 2500));
      bool bad_name = i % 997 == 13;
      REQUIRE(seen[i].valid == !bad_name);
      invalid += !seen[i].valid;
    }
    CHECK(invalid == 21);  // i = 13, 1010, ..., 19953
  }
}

TEST_CASE("the schema check's first examples are the first failing records, with threads or without", "[checks][threads]") {
  auto schema = json::Parse(kSchema, "schema").value();
  auto outcome_with = [&](const char* threads) {
    setenv("SLUICE_THREADS", threads, 1);
    CheckSpec spec{"out.schema", "schema", "out", Severity::kError, "", nullptr, {}, "", std::nullopt};
    auto check = MakeSchemaCheck(spec, schema, "schema.json").value();
    unsetenv("SLUICE_THREADS");
    std::string data = Data(20000);
    REQUIRE(records::ReadRecordsFromString(data, "data.ndjson", pipeline::DataFormat::kNdjson, {},
                                           [&](records::Record& record) {
                                             check->OnRecord(record);
                                             return Status::Ok();
                                           })
                .ok());
    return check->Finish();
  };
  CheckOutcome single = outcome_with("1");
  CheckOutcome several = outcome_with("3");
  for (const CheckOutcome* outcome : {&single, &several}) {
    CHECK_FALSE(outcome->passed);
    CHECK(outcome->failures == 22);  // 21 bad names and the repeated key
    REQUIRE(outcome->examples.size() == 5);
    CHECK(outcome->examples[0].pointer == "/13/name");
    CHECK(outcome->examples[0].line == 14);
    CHECK(outcome->examples[1].pointer == "/1010/name");
    CHECK(outcome->examples[3].pointer == "/2500/name");  // the repeated key, in its turn
    CHECK(outcome->examples[3].message.find("duplicated key") != std::string::npos);
    CHECK(outcome->summary == "22 of 20000 records invalid against schema.json");
  }
  for (std::size_t i = 0; i < 5; ++i) CHECK(single.examples[i].pointer == several.examples[i].pointer);
}
