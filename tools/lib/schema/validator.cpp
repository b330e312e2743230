#include "schema/validator.h"

#include "schema/compiler.h"

namespace sluice::schema {

class CompiledSchema {
 public:
  std::vector<std::unique_ptr<detail::SchemaNode>> nodes;
  std::vector<std::unique_ptr<detail::Resource>> resources;
  const detail::SchemaNode* root = nullptr;
};

namespace {

std::unique_ptr<CompiledSchema> CompileAll(const rapidjson::Value& schema, const CompileOptions& options,
                                           const std::string& root_pointer = "") {
  detail::Compiler compiler(options);
  // The further documents first: a custom metaschema named by the root's "$schema" is among them.
  for (const NamedSchema& named : options.named_schemas) {
    compiler.IndexDocument(*named.schema, named.uri, options.default_draft, named.uri + "#");
  }
  for (std::size_t i = 0; i < options.extra_schemas.size(); ++i) {
    // Reachable through their own $id; the URN only keeps documents without one apart.
    std::string uri = "urn:sluice:extra-schema:" + std::to_string(i);
    compiler.IndexDocument(*options.extra_schemas[i], uri, options.default_draft, uri + "#");
  }
  compiler.IndexDocument(schema, "", options.default_draft, "#");
  auto compiled = std::make_unique<CompiledSchema>();
  compiled->root = compiler.CompileDocument(schema);
  if (!root_pointer.empty()) {
    // Resolved like a "$ref": "#<pointer>" in the document itself, so its own $refs still
    // resolve against the whole document.
    compiler.ResolveLater(&compiled->root, "#" + root_pointer, "#" + root_pointer);
  }
  compiler.ResolvePending();
  compiled->nodes = compiler.TakeNodes();
  std::string at;
  std::string cycle = detail::FindEndlessReference(compiled->nodes, &at);
  if (!cycle.empty()) {
    detail::FailAt(at, "a $ref cycle that never resolves: " + cycle +
                           " (each applies the next to the same value, so validation would never end); a recursive "
                           "schema must descend into the value, e.g. through properties or items");
  }
  compiled->resources = compiler.TakeResources();
  return compiled;
}

}  // namespace

Result<Validator> Validator::Compile(const rapidjson::Value& schema, const CompileOptions& options) {
  try {
    return Validator(CompileAll(schema, options));
  } catch (const detail::CompileFailure& failure) {
    return ConfigError(std::string("schema ") + failure.what());
  }
}

Result<Validator> Validator::CompileAt(const rapidjson::Value& schema, const std::string& root_pointer,
                                      const CompileOptions& options) {
  try {
    return Validator(CompileAll(schema, options, root_pointer));
  } catch (const detail::CompileFailure& failure) {
    return ConfigError(std::string("schema ") + failure.what());
  }
}

Validator::Validator(std::unique_ptr<CompiledSchema> compiled)
    : compiled_(std::move(compiled)), has_fast_path_(compiled_->root->HasFastPath()) {}
Validator::Validator(Validator&&) noexcept = default;
Validator& Validator::operator=(Validator&&) noexcept = default;
Validator::~Validator() = default;

namespace {

// The instance path and dynamic scope stacks are kept per thread between calls, so validating
// a record allocates nothing unless it has errors to report.
bool EvaluateWithThreadBuffers(const detail::SchemaNode& root, const rapidjson::Value& instance,
                               detail::EvalContext& ctx) {
  thread_local std::vector<detail::PathToken> path;
  thread_local std::vector<const detail::Resource*> dynamic_scope;
  ctx.path = std::move(path);
  ctx.dynamic_scope = std::move(dynamic_scope);
  bool ok = root.Evaluate(instance, ctx, nullptr);
  path = std::move(ctx.path);
  dynamic_scope = std::move(ctx.dynamic_scope);
  path.clear();
  dynamic_scope.clear();
  return ok;
}

}  // namespace

bool Validator::IsValid(const rapidjson::Value& instance) const {
  detail::EvalContext ctx(nullptr, 0);
  return EvaluateWithThreadBuffers(*compiled_->root, instance, ctx);
}

bool Validator::Validate(const rapidjson::Value& instance, std::vector<ValidationError>& errors,
                         std::size_t max_errors) const {
  detail::EvalContext ctx(&errors, errors.size() + max_errors);
  return EvaluateWithThreadBuffers(*compiled_->root, instance, ctx);
}

bool Validator::PassesFast(const simdjson::dom::element& instance) const { return compiled_->root->PassesFast(instance); }

}  // namespace sluice::schema
