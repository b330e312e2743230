// A JSON Schema validator of our own: each schema compiled once into a tree of checks,
// patterns through PCRE2 with JIT, every error reported (not just the first) with the
// instance pointer, the keyword and the schema location. Drafts 4, 6, 7, 2019-09 and
// 2020-12, chosen by "$schema" (draft-07 when it names none, as ajv does).
//
// Why not RapidJSON's validator: it silently skips patterns and $refs it cannot handle and
// knows draft-04 only (DESIGN.md, "Traps").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/status.h"

namespace simdjson::dom {
class element;
}

namespace sluice::schema {

enum class Draft { kDraft4, kDraft6, kDraft7, kDraft2019_09, kDraft2020_12 };

struct ValidationError {
  std::string instance_pointer;  // JSON pointer into the validated value ("" = root)
  std::string keyword;           // "pattern", "required", "type", ...
  std::string schema_pointer;    // where the failing keyword sits in the schema ("#/properties/fips/pattern")
  std::string message;           // a sentence for people: 'value "6001" does not match ^\d{5}$'
};

// A schema document known under the URI it would be fetched from, whether or not it has an $id.
struct NamedSchema {
  std::string uri;                   // "http://localhost:1234/tree.json"
  const rapidjson::Value* schema;    // not owned; needed during Compile only
};

struct CompileOptions {
  Draft default_draft = Draft::kDraft7;  // when the schema has no (known) "$schema"
  // Further schemas that $ref may reach by their $id / id (e.g. the suite's remotes).
  std::vector<const rapidjson::Value*> extra_schemas;
  // Further schemas that $ref may reach by a retrieval URI (and by any $id inside them).
  std::vector<NamedSchema> named_schemas;
  bool format_assertion = false;  // "format" is an annotation unless asked (as the drafts say)
};

class CompiledSchema;

// A schema compiled once, validating any number of values (thread-safe for concurrent
// Validate calls, so records can be checked on several cores).
class Validator {
 public:
  // Fails with ConfigError naming the schema pointer of anything it cannot compile (an
  // invalid pattern, an unresolvable $ref): it never silently skips a keyword.
  static Result<Validator> Compile(const rapidjson::Value& schema, const CompileOptions& options = {});
  // Validates against the subschema at JSON pointer `root_pointer` of `schema` (e.g. "/items",
  // the record schema of an array of records), its $refs resolved against the whole document.
  static Result<Validator> CompileAt(const rapidjson::Value& schema, const std::string& root_pointer,
                                     const CompileOptions& options = {});

  Validator(Validator&&) noexcept;
  Validator& operator=(Validator&&) noexcept;
  ~Validator();

  bool IsValid(const rapidjson::Value& instance) const;
  // Appends every error (up to `max_errors`) and returns whether the value is valid.
  bool Validate(const rapidjson::Value& instance, std::vector<ValidationError>& errors,
                std::size_t max_errors = 100) const;

  // The fast verdict, on simdjson's parse of a value: true only when IsValid would say true of
  // the same JSON parsed by RapidJSON and no object in the value repeats a key (simdjson keeps
  // repeats, which the record reader reports); false when either fails, or when a keyword met
  // on the way cannot tell without RapidJSON's value (the caller then asks IsValid). No
  // messages, no allocation. Thread-safe.
  bool PassesFast(const simdjson::dom::element& instance) const;
  // False when the schema holds a keyword with no fast verdict (oneOf, not, if, contains,
  // uniqueItems, propertyNames, dependentSchemas, unevaluated*, $dynamicRef, $recursiveRef):
  // PassesFast would then never say true where it matters, so there is no point asking it.
  bool has_fast_path() const { return has_fast_path_; }

 private:
  explicit Validator(std::unique_ptr<CompiledSchema> compiled);
  std::unique_ptr<CompiledSchema> compiled_;
  bool has_fast_path_ = false;
};

}  // namespace sluice::schema
