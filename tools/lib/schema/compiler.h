// Turns schema documents into SchemaNodes: indexes every $id / anchor first (so a $ref may
// point anywhere, forwards or into another document), then compiles from the root and resolves
// each $ref to a node, compiling what it reaches on demand.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "schema/node.h"
#include "schema/regex.h"

namespace sluice::schema::detail {

// Where a subschema sits: its base URI, draft, resource and schema pointer.
struct Scope {
  std::string base;
  Draft draft = Draft::kDraft7;
  Resource* resource = nullptr;
  std::string location;
  // False under a custom metaschema whose $vocabulary leaves the validation vocabulary out:
  // then type, enum, minimum, required, ... are annotations (2019-09 and later).
  bool validation_vocabulary = true;
};

// Thrown inside the compiler only; Validator::Compile turns it into a ConfigError.
class CompileFailure : public std::exception {
 public:
  explicit CompileFailure(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

[[noreturn]] void FailAt(const std::string& location, const std::string& message);
bool DraftAtLeast(const Scope& scope, Draft draft);
std::string ChildLocation(const std::string& location, std::string_view token);
// The value of a count keyword (minLength, maxItems, maxContains...): a non-negative integer,
// or FailAt. One too large for size_t counts as SIZE_MAX.
std::size_t CountKeyword(const Value& v, const std::string& location);

class Compiler {
 public:
  explicit Compiler(const CompileOptions& options) : options_(options) {}

  void IndexDocument(const Value& document, const std::string& retrieval_uri, Draft fallback, std::string location);
  const SchemaNode* CompileDocument(const Value& document);  // the one IndexDocument saw with this value
  void ResolvePending();

  // For the keyword families.
  const SchemaNode* Sub(const Value& value, const Scope& parent, std::string_view token);
  const SchemaNode* Sub(const Value& value, const Scope& parent, std::string_view token, std::string_view token2);
  std::shared_ptr<const Regex> Pattern(std::string_view source, const std::string& location);
  // The node `uri` names, filled in once every document is indexed (it may not exist yet).
  void ResolveLater(const SchemaNode** slot, std::string uri, std::string location);
  const CompileOptions& options() const { return options_; }

  std::vector<std::unique_ptr<SchemaNode>> TakeNodes() { return std::move(nodes_); }
  std::vector<std::unique_ptr<Resource>> TakeResources();

 private:
  struct Located {
    const Value* value;
    Scope scope;
  };
  struct PendingRef {
    const SchemaNode** slot;
    std::string uri;
    std::string location;
  };

  Scope Enter(const Scope& parent, const Value& value, std::string location, bool document_root = false);
  Resource* ResourceAt(const std::string& uri, const Value& root, const Scope& scope);
  void Walk(const Value& value, const Scope& scope);
  const SchemaNode* CompileNode(const Value& value, const Scope& scope);
  Located Locate(const std::string& uri, const std::string& location);
  void CompileDynamicAnchors();
  bool LoadEmbeddedMetaschema(const std::string& uri);
  void ApplyMetaschema(const Value& schema, Scope& scope);

  const CompileOptions& options_;
  std::vector<std::unique_ptr<SchemaNode>> nodes_;
  std::vector<std::unique_ptr<Resource>> resources_;
  std::unordered_map<std::string, Located> resource_roots_;
  std::unordered_map<std::string, Located> anchors_;
  std::unordered_map<const Value*, Scope> scopes_;
  std::unordered_map<const Value*, const SchemaNode*> compiled_;
  std::unordered_map<std::string, std::shared_ptr<const Regex>> patterns_;
  std::vector<PendingRef> pending_;
  std::vector<Resource*> touched_;
  std::vector<std::unique_ptr<rapidjson::Document>> metaschemas_;  // parsed on first $ref only
};

// Keyword families, one file each; each appends the checks for its keywords to `node`.
void CompileReferenceKeywords(Compiler& c, const Value& schema, const Scope& scope, SchemaNode& node);
void CompileValueKeywords(Compiler& c, const Value& schema, const Scope& scope, SchemaNode& node);
void CompileLogicKeywords(Compiler& c, const Value& schema, const Scope& scope, SchemaNode& node);
void CompileArrayKeywords(Compiler& c, const Value& schema, const Scope& scope, SchemaNode& node);
void CompileObjectKeywords(Compiler& c, const Value& schema, const Scope& scope, SchemaNode& node);
void CompileUnevaluatedKeywords(Compiler& c, const Value& schema, const Scope& scope, SchemaNode& node);
// minItems/maxItems, or minProperties/maxProperties when `objects`.
void AddCountChecks(const Value& schema, const Scope& scope, SchemaNode& node, bool objects);

}  // namespace sluice::schema::detail
