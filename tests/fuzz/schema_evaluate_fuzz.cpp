// A data record checked against a fixed schema, as sluice-validate checks each record: the
// input read as NDJSON records (so one input holds many instances), each validated with every
// error collected; and each line parsed by simdjson and asked PassesFast, the fast lane's
// verdict, which the validator promises is true only where IsValid is true.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <simdjson.h>

#include "fuzz_input.h"
#include "json/json.h"
#include "records/reader.h"
#include "schema/validator.h"

namespace {

using sluice::Status;

// examples/demo/schemas/cases.schema.json, as the demo pipeline validates data/cases.csv.
constexpr const char* kCasesSchema = R"schema({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://example.org/sluice-demo/cases.schema.json",
  "title": "Daily COVID-19 cases and deaths by county (one record)",
  "description": "A row of data/cases.csv. CSV cells may arrive as text, so counts accept an integer or a string of digits.",
  "type": "object",
  "required": ["date", "county", "fips", "cases", "deaths"],
  "additionalProperties": false,
  "properties": {
    "date": {
      "description": "Reporting date, YYYY-MM-DD.",
      "type": "string",
      "pattern": "^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$"
    },
    "county": {
      "description": "County name as the state reports it.",
      "type": "string",
      "minLength": 1
    },
    "fips": {
      "description": "Five-digit county FIPS code, leading zero kept.",
      "type": "string",
      "pattern": "^\\d{5}$"
    },
    "cases": {
      "description": "Cumulative confirmed cases.",
      "type": ["integer", "string"],
      "minimum": 0,
      "pattern": "^\\d+$"
    },
    "deaths": {
      "description": "Cumulative deaths.",
      "type": ["integer", "string"],
      "minimum": 0,
      "pattern": "^\\d+$"
    }
  }
})schema";

// The same record shape in draft 2020-12, with the keywords the demo's schema leaves out:
// $defs and $ref, anchors, oneOf, if/then, contains, uniqueItems, dependentRequired,
// patternProperties, unevaluatedProperties, propertyNames, const, enum, formats.
constexpr const char* kRichSchema = R"schema({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://example.org/fuzz/rich.schema.json",
  "$defs": {
    "count": {"$anchor": "count", "type": "integer", "minimum": 0, "multipleOf": 1},
    "day": {"type": "string", "format": "date", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"}
  },
  "type": "object",
  "required": ["date"],
  "properties": {
    "date": {"$ref": "#/$defs/day"},
    "county": {"type": "string", "minLength": 1, "maxLength": 64, "not": {"const": "Unknown"}},
    "fips": {"oneOf": [{"type": "string", "pattern": "^\\d{5}$"}, {"type": "null"}]},
    "cases": {"$ref": "#count"},
    "deaths": {"anyOf": [{"$ref": "#count"}, {"type": "string", "pattern": "^\\d+$"}]},
    "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "uniqueItems": true, "contains": {"const": "a"},
             "maxContains": 2, "maxItems": 5},
    "rate": {"type": "number", "exclusiveMaximum": 100},
    "updated_at": {"type": "string", "format": "date-time"}
  },
  "patternProperties": {"^x-[a-z]+$": {"type": ["string", "number"]}},
  "propertyNames": {"maxLength": 20},
  "dependentRequired": {"deaths": ["cases"]},
  "if": {"properties": {"cases": {"minimum": 1000}}, "required": ["cases"]},
  "then": {"required": ["fips"]},
  "unevaluatedProperties": false
})schema";

struct Compiled {
  rapidjson::Document document;
  sluice::schema::Validator validator;
};

const std::vector<Compiled>& Schemas() {
  static const std::vector<Compiled> schemas = [] {
    std::vector<Compiled> compiled;
    for (const char* text : {kCasesSchema, kRichSchema}) {
      auto document = sluice::json::Parse(text, "fixed schema");
      if (!document.ok()) sluice::fuzz::Broken("schema_evaluate", document.status().message());
      sluice::schema::CompileOptions options;
      options.format_assertion = true;
      auto validator = sluice::schema::Validator::Compile(*document, options);
      if (!validator.ok()) sluice::fuzz::Broken("schema_evaluate", validator.status().message());
      compiled.push_back({std::move(*document), std::move(*validator)});
    }
    return compiled;
  }();
  return schemas;
}

void CheckFastVerdicts(std::string_view text) {
  simdjson::dom::parser parser;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    start = end + 1;
    simdjson::dom::element element;
    if (parser.parse(line).get(element) != simdjson::SUCCESS) continue;
    for (const auto& schema : Schemas()) {
      if (!schema.validator.PassesFast(element)) continue;
      auto value = sluice::json::Parse(line, "line");
      if (!value.ok() || !schema.validator.IsValid(*value)) {
        sluice::fuzz::Broken("schema_evaluate", "PassesFast says yes where IsValid says no: " + line);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  std::vector<sluice::schema::ValidationError> errors;
  Status read = sluice::records::ReadRecordsFromString(
      std::string(text), "fuzz.ndjson", sluice::pipeline::DataFormat::kNdjson, {},
      [&](sluice::records::Record& record) {
        for (const auto& schema : Schemas()) {
          errors.clear();
          const bool valid = schema.validator.Validate(record.value, errors);
          if (valid != schema.validator.IsValid(record.value)) {
            sluice::fuzz::Broken("schema_evaluate", "Validate and IsValid disagree on record " +
                                                        std::to_string(record.index));
          }
          if (valid != errors.empty()) sluice::fuzz::Broken("schema_evaluate", "a verdict and its errors disagree");
        }
        return Status::Ok();
      });
  (void)read;  // malformed lines end the read: what came before was validated
  CheckFastVerdicts(text);
  return 0;
}
