#include "support/schema_match.h"

#include <vector>

#include <catch2/catch.hpp>

#include "json/json.h"

namespace sluice {

schema::Validator CompileSchemaFile(const std::filesystem::path& path) {
  auto document = json::ParseFile(path);
  INFO(document.status().message());
  REQUIRE(document.ok());
  auto validator = schema::Validator::Compile(*document);
  INFO(path.string() << ": " << validator.status().message());
  REQUIRE(validator.ok());
  return std::move(validator).value();
}

bool MatchesSchema(const schema::Validator& validator, const rapidjson::Value& value) {
  std::vector<schema::ValidationError> errors;
  bool valid = validator.Validate(value, errors);
  for (const auto& error : errors) {
    UNSCOPED_INFO((error.instance_pointer.empty() ? "/" : error.instance_pointer) << ": " << error.keyword << ": "
                                                                                   << error.message);
  }
  return valid;
}

}  // namespace sluice
