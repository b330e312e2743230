// A JSON Schema as sluice-validate compiles it (schema::Validator::Compile: $id and anchor
// indexing, $ref resolution, every keyword family, ECMA-262 patterns translated for PCRE2),
// then used: the schema validates itself and a few fixed values, and its "/items" subschema is
// compiled as a record schema, as the validator does for an array of records.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_input.h"
#include "json/json.h"
#include "schema/validator.h"

namespace {

const std::vector<rapidjson::Document>& FixedInstances() {
  static const std::vector<rapidjson::Document> instances = [] {
    std::vector<rapidjson::Document> parsed;
    for (const char* text : {R"({"date":"2026-11-01","county":"Alameda","fips":"06001","cases":12,"deaths":0})",
                             R"([1,"two",3.5,null,true,{"a":[]}])", R"("06001")", "-0.5", "null"}) {
      auto value = sluice::json::Parse(text, "instance");
      if (!value.ok()) sluice::fuzz::Broken("schema_compile", value.status().message());
      parsed.push_back(std::move(*value));
    }
    return parsed;
  }();
  return instances;
}

void Use(const sluice::schema::Validator& validator, const rapidjson::Value& schema) {
  std::vector<sluice::schema::ValidationError> errors;
  validator.Validate(schema, errors, 10);
  for (const auto& instance : FixedInstances()) {
    errors.clear();
    const bool valid = validator.Validate(instance, errors, 10);
    if (valid != validator.IsValid(instance)) {
      sluice::fuzz::Broken("schema_compile", "Validate and IsValid disagree on " + sluice::json::Write(instance));
    }
    if (valid != errors.empty()) sluice::fuzz::Broken("schema_compile", "a verdict and its error list disagree");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  auto schema = sluice::json::Parse(text, "fuzz.schema.json");
  if (!schema.ok()) return 0;

  sluice::schema::CompileOptions options;
  options.format_assertion = size % 2 == 1;  // both readings of "format", chosen by the input
  auto validator = sluice::schema::Validator::Compile(*schema, options);
  if (validator.ok()) Use(*validator, *schema);
  if (schema->IsObject() && schema->HasMember("items")) {
    auto records = sluice::schema::Validator::CompileAt(*schema, "/items", options);
    if (records.ok()) Use(*records, *schema);
  }
  return 0;
}
