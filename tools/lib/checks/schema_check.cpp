#include "checks/schema_check.h"

#include <fmt/format.h>

#include "checks/batched_validation.h"
#include "json/json.h"
#include "schema/validator.h"

namespace sluice::checks {
namespace {

class SchemaCheck : public Check {
 public:
  SchemaCheck(CheckSpec spec, schema::Validator validator, std::string schema_path)
      : Check(std::move(spec)),
        validator_(std::move(validator)),
        schema_path_(std::move(schema_path)),
        batches_(validator_, BatchedValidation::DefaultWorkers(), [this](const QueuedRecord& r) { OnVerdict(r); }) {
    outcome_ = NewOutcome();
  }

  bool prepares_records() const override { return true; }
  void PrepareRecord(records::Record& record) const override {
    // A record that repeats a key fails as ambiguous, without validating it (OnVerdict).
    record.verdict = record.duplicate_keys > 0 || validator_.IsValid(record.value);
  }
  records::FastVerdict fast_verdict() const override {
    if (!validator_.has_fast_path()) return {};
    return [this](const simdjson::dom::element& record) { return validator_.PassesFast(record); };
  }
  bool reads_values() const override { return false; }  // only those of failing records

  void OnRecord(const records::Record& record) override {
    if (!record.verdict) {
      batches_.Add(record);
      return;
    }
    batches_.Finish();  // any record queued before this one is reported first
    OnVerdict(QueuedRecord::Of(record, *record.verdict));
  }
  void OnPassedRecords(std::uint64_t, std::uint64_t count) override {
    batches_.Finish();
    records_ += count;  // valid, and no repeated keys: nothing to report
  }

  CheckOutcome Finish() override {
    batches_.Finish();
    outcome_.summary = outcome_.passed
                           ? fmt::format("{} records valid against {}", records_, schema_path_)
                           : fmt::format("{} of {} records invalid against {}", outcome_.failures, records_, schema_path_);
    return std::move(outcome_);
  }

 private:
  // In record order, whichever thread validated it.
  void OnVerdict(const QueuedRecord& record) {
    ++records_;
    if (record.duplicate_keys > 0) {
      // JSON with a repeated key means different things to different readers (JSON.parse keeps
      // the last, others the first): the data is ambiguous, so it cannot pass.
      Fail(outcome_, Finding{fmt::format("duplicated key {} (the last value is used; {} repeat(s) in this record)",
                                         record.first_duplicate_key, record.duplicate_keys),
                             record.line, record.column, fmt::format("/{}{}", record.index, record.first_duplicate_key)});
      return;
    }
    if (record.valid) return;
    outcome_.passed = false;
    ++outcome_.failures;
    if (outcome_.examples.size() >= kMaxExamples) return;  // the rest are counted
    // Spelled out for the first few failing records only: validating again to list every
    // error costs nothing next to the records that pass.
    errors_.clear();
    validator_.Validate(*record.value, errors_, 10);
    for (const auto& error : errors_) {
      if (outcome_.examples.size() >= kMaxExamples) break;
      outcome_.examples.push_back(Finding{fmt::format("{}: {}", error.keyword, error.message), record.line,
                                          record.column, fmt::format("/{}{}", record.index, error.instance_pointer)});
    }
  }

  schema::Validator validator_;
  std::string schema_path_;
  std::vector<schema::ValidationError> errors_;
  CheckOutcome outcome_;
  std::uint64_t records_ = 0;
  BatchedValidation batches_;  // last: it delivers to the members above
};

}  // namespace

std::string RecordSchemaPointer(const rapidjson::Value& schema) {
  if (!schema.IsObject()) return "";
  const rapidjson::Value* items = json::Member(schema, "items");
  const rapidjson::Value* type = json::Member(schema, "type");
  bool is_array = type != nullptr && type->IsString() && std::string(type->GetString()) == "array";
  if (items != nullptr && (items->IsObject() || items->IsBool()) && (is_array || type == nullptr)) return "/items";
  return "";
}

Result<std::unique_ptr<Check>> MakeSchemaCheck(const CheckSpec& spec, const rapidjson::Document& schema_document,
                                               const std::string& schema_path) {
  auto validator = schema::Validator::CompileAt(schema_document, RecordSchemaPointer(schema_document));
  if (!validator.ok()) return ConfigError(fmt::format("{}: {}", schema_path, validator.status().message()));
  return std::unique_ptr<Check>(std::make_unique<SchemaCheck>(spec, std::move(validator).value(), schema_path));
}

}  // namespace sluice::checks
