#include "schema/compiler.h"

#include <algorithm>
#include <optional>

#include "json/json.h"
#include "schema/metaschemas.h"
#include "schema/uri.h"

namespace sluice::schema::detail {
namespace {

std::optional<Draft> DraftFromMetaschemaUri(std::string_view uri) {
  if (uri.find("draft-04/schema") != std::string_view::npos) return Draft::kDraft4;
  if (uri.find("draft-06/schema") != std::string_view::npos) return Draft::kDraft6;
  if (uri.find("draft-07/schema") != std::string_view::npos) return Draft::kDraft7;
  if (uri.find("draft/2019-09/schema") != std::string_view::npos) return Draft::kDraft2019_09;
  if (uri.find("draft/2020-12/schema") != std::string_view::npos) return Draft::kDraft2020_12;
  return std::nullopt;
}

std::optional<Draft> DeclaredDraft(const Value& schema) {
  if (!schema.IsObject()) return std::nullopt;
  auto it = schema.FindMember("$schema");
  if (it == schema.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return DraftFromMetaschemaUri(std::string_view(it->value.GetString(), it->value.GetStringLength()));
}

std::string_view StringView(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

const Value* StringMember(const Value& object, const char* name) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? &it->value : nullptr;
}

// Keywords whose values are subschemas, in any draft: the index walks them all so that an $id
// or anchor anywhere is known before the first $ref is resolved. Values of other keywords
// (enum, const, unknown ones) are data: an "$id" inside them identifies nothing.
constexpr const char* kSingleSchemaKeywords[] = {
    "additionalItems", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else",
    "unevaluatedItems", "unevaluatedProperties", "items"};
constexpr const char* kSchemaArrayKeywords[] = {"allOf", "anyOf", "oneOf", "items", "prefixItems"};
constexpr const char* kSchemaMapKeywords[] = {"properties", "patternProperties", "definitions", "$defs",
                                               "dependentSchemas", "dependencies"};

}  // namespace

void FailAt(const std::string& location, const std::string& message) {
  throw CompileFailure(location + ": " + message);
}

bool DraftAtLeast(const Scope& scope, Draft draft) { return static_cast<int>(scope.draft) >= static_cast<int>(draft); }

std::string ChildLocation(const std::string& location, std::string_view token) {
  return location + "/" + json::EscapePointerToken(token);
}

// "$schema" names a draft, or a custom metaschema we were given (the suite's vocabulary tests):
// then its own "$schema" names the draft and its "$vocabulary" which keywords validate.
void Compiler::ApplyMetaschema(const Value& schema, Scope& scope) {
  if (auto declared = DeclaredDraft(schema)) {
    scope.draft = *declared;
    return;
  }
  const Value* uri = schema.IsObject() ? StringMember(schema, "$schema") : nullptr;
  if (uri == nullptr) return;
  std::string_view without_fragment, fragment;
  SplitFragment(StringView(*uri), without_fragment, fragment);
  auto meta = resource_roots_.find(std::string(without_fragment));
  if (meta == resource_roots_.end() || !meta->second.value->IsObject()) return;
  const Value& metaschema = *meta->second.value;
  if (auto declared = DeclaredDraft(metaschema)) scope.draft = *declared;
  auto vocabulary = metaschema.FindMember("$vocabulary");
  if (vocabulary == metaschema.MemberEnd() || !vocabulary->value.IsObject()) return;
  scope.validation_vocabulary = false;
  for (const auto& entry : vocabulary->value.GetObject()) {
    if (StringView(entry.name).find("/vocab/validation") != std::string_view::npos) scope.validation_vocabulary = true;
  }
}

Resource* Compiler::ResourceAt(const std::string& uri, const Value& root, const Scope& scope) {
  if (auto it = resource_roots_.find(uri); it != resource_roots_.end()) return it->second.scope.resource;
  resources_.push_back(std::make_unique<Resource>());
  Resource* resource = resources_.back().get();
  resource->uri = uri;
  Scope at = scope;
  at.base = uri;
  at.resource = resource;
  resource_roots_.emplace(uri, Located{&root, at});
  return resource;
}

Scope Compiler::Enter(const Scope& parent, const Value& value, std::string location, bool document_root) {
  Scope s = parent;
  s.location = std::move(location);
  if (!value.IsObject()) return s;
  // Up to draft-07 a $ref hides its siblings, $id included.
  bool ref_hides_id = !DraftAtLeast(parent, Draft::kDraft2019_09) && value.HasMember("$ref");
  const Value* id = StringMember(value, parent.draft == Draft::kDraft4 ? "id" : "$id");
  if (id != nullptr && !ref_hides_id) {
    ApplyMetaschema(value, s);
    std::string resolved = ResolveUri(parent.base, StringView(*id));
    std::string_view without_fragment, fragment;
    SplitFragment(resolved, without_fragment, fragment);
    bool anchor_only = !DraftAtLeast(parent, Draft::kDraft2019_09) && StringView(*id).substr(0, 1) == "#";
    if (!anchor_only) {
      s.base = std::string(without_fragment);
      s.resource = ResourceAt(s.base, value, s);
    }
    if (!fragment.empty() && !DraftAtLeast(s, Draft::kDraft2019_09)) {
      anchors_.emplace(s.base + "#" + std::string(fragment), Located{&value, s});
    }
    document_root = document_root || !anchor_only;
  }
  if (!DraftAtLeast(s, Draft::kDraft2019_09)) return s;
  if (const Value* anchor = StringMember(value, "$anchor")) {
    anchors_.emplace(s.base + "#" + std::string(StringView(*anchor)), Located{&value, s});
  }
  const Value* dynamic = StringMember(value, "$dynamicAnchor");
  if (dynamic != nullptr && s.draft == Draft::kDraft2020_12) {
    std::string name(StringView(*dynamic));
    anchors_.emplace(s.base + "#" + name, Located{&value, s});
    s.resource->dynamic_anchor_values.emplace(name, &value);
  }
  auto recursive = value.FindMember("$recursiveAnchor");
  if (document_root && recursive != value.MemberEnd() && recursive->value.IsBool() && recursive->value.GetBool()) {
    s.resource->recursive_anchor = true;
  }
  return s;
}

void Compiler::Walk(const Value& value, const Scope& scope) {
  scopes_.emplace(&value, scope);
  if (!value.IsObject()) return;
  auto visit = [&](const Value& child, std::string location) { Walk(child, Enter(scope, child, std::move(location))); };
  for (const char* keyword : kSingleSchemaKeywords) {
    auto it = value.FindMember(keyword);
    if (it != value.MemberEnd() && (it->value.IsObject() || it->value.IsBool())) {
      visit(it->value, ChildLocation(scope.location, keyword));
    }
  }
  for (const char* keyword : kSchemaArrayKeywords) {
    auto it = value.FindMember(keyword);
    if (it == value.MemberEnd() || !it->value.IsArray()) continue;
    std::string base = ChildLocation(scope.location, keyword);
    for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) visit(it->value[i], base + "/" + std::to_string(i));
  }
  for (const char* keyword : kSchemaMapKeywords) {
    auto it = value.FindMember(keyword);
    if (it == value.MemberEnd() || !it->value.IsObject()) continue;
    std::string base = ChildLocation(scope.location, keyword);
    for (const auto& member : it->value.GetObject()) {
      if (member.value.IsObject() || member.value.IsBool()) visit(member.value, ChildLocation(base, StringView(member.name)));
    }
  }
}

void Compiler::IndexDocument(const Value& document, const std::string& retrieval_uri, Draft fallback,
                             std::string location) {
  Scope root;
  root.base = retrieval_uri;
  root.draft = fallback;
  ApplyMetaschema(document, root);
  root.location = location;
  root.resource = ResourceAt(retrieval_uri, document, root);
  Scope entered = Enter(root, document, std::move(location), true);
  resource_roots_.insert_or_assign(retrieval_uri, Located{&document, entered});
  if (document.IsObject() && document.HasMember("$recursiveAnchor") && document["$recursiveAnchor"].IsBool() &&
      document["$recursiveAnchor"].GetBool()) {
    entered.resource->recursive_anchor = true;
  }
  Walk(document, entered);
}

const SchemaNode* Compiler::CompileDocument(const Value& document) { return CompileNode(document, scopes_.at(&document)); }

const SchemaNode* Compiler::Sub(const Value& value, const Scope& parent, std::string_view token) {
  std::string location = ChildLocation(parent.location, token);
  auto it = scopes_.find(&value);
  return CompileNode(value, it != scopes_.end() ? it->second : Enter(parent, value, std::move(location)));
}

const SchemaNode* Compiler::Sub(const Value& value, const Scope& parent, std::string_view token,
                                std::string_view token2) {
  Scope middle = parent;
  middle.location = ChildLocation(parent.location, token);
  return Sub(value, middle, token2);
}

const SchemaNode* Compiler::CompileNode(const Value& value, const Scope& scope) {
  if (auto it = compiled_.find(&value); it != compiled_.end()) return it->second;
  nodes_.push_back(std::make_unique<SchemaNode>());
  SchemaNode& node = *nodes_.back();
  compiled_.emplace(&value, &node);  // before the keywords: a schema may refer to itself
  node.location = scope.location;
  node.resource = scope.resource;
  if (std::find(touched_.begin(), touched_.end(), scope.resource) == touched_.end()) touched_.push_back(scope.resource);
  if (value.IsBool()) {
    node.boolean = value.GetBool() ? 1 : 0;
    return &node;
  }
  if (!value.IsObject()) FailAt(scope.location, "a schema must be an object or a boolean");
  CompileReferenceKeywords(*this, value, scope, node);
  if (!DraftAtLeast(scope, Draft::kDraft2019_09) && value.HasMember("$ref")) return &node;
  CompileValueKeywords(*this, value, scope, node);
  CompileLogicKeywords(*this, value, scope, node);
  CompileArrayKeywords(*this, value, scope, node);
  CompileObjectKeywords(*this, value, scope, node);
  CompileUnevaluatedKeywords(*this, value, scope, node);
  return &node;
}

std::shared_ptr<const Regex> Compiler::Pattern(std::string_view source, const std::string& location) {
  std::string key(source);
  if (auto it = patterns_.find(key); it != patterns_.end()) return it->second;
  auto compiled = Regex::Compile(source);
  if (!compiled.ok()) FailAt(location, compiled.status().message());
  auto shared = std::make_shared<const Regex>(std::move(compiled).value());
  patterns_.emplace(std::move(key), shared);
  return shared;
}

void Compiler::ResolveLater(const SchemaNode** slot, std::string uri, std::string location) {
  pending_.push_back({slot, std::move(uri), std::move(location)});
}

Compiler::Located Compiler::Locate(const std::string& uri, const std::string& location) {
  std::string_view without_fragment, raw_fragment;
  SplitFragment(uri, without_fragment, raw_fragment);
  std::string fragment = PercentDecode(raw_fragment);
  std::string resource_uri(without_fragment);
  if (!fragment.empty() && fragment[0] != '/') {
    auto anchor = anchors_.find(resource_uri + "#" + fragment);
    if (anchor == anchors_.end()) FailAt(location, "cannot resolve $ref " + uri + ": no schema declares that anchor");
    return anchor->second;
  }
  auto root = resource_roots_.find(resource_uri);
  if (root == resource_roots_.end() && LoadEmbeddedMetaschema(resource_uri)) root = resource_roots_.find(resource_uri);
  if (root == resource_roots_.end()) {
    FailAt(location, "cannot resolve $ref " + uri + ": no schema has the URI " + Quote(resource_uri) +
                         " (pass it in CompileOptions::extra_schemas)");
  }
  Located at = root->second;
  std::size_t start = 1;
  while (start <= fragment.size() && !fragment.empty()) {
    std::size_t end = fragment.find('/', start);
    std::string token = fragment.substr(start, end == std::string::npos ? std::string::npos : end - start);
    for (std::size_t p; (p = token.find("~1")) != std::string::npos;) token.replace(p, 2, "/");
    for (std::size_t p; (p = token.find("~0")) != std::string::npos;) token.replace(p, 2, "~");
    const Value* next = nullptr;
    if (at.value->IsObject()) {
      auto member = at.value->FindMember(rapidjson::StringRef(token.data(), token.size()));
      if (member != at.value->MemberEnd()) next = &member->value;
    } else if (at.value->IsArray() && !token.empty() && token.find_first_not_of("0123456789") == std::string::npos) {
      std::size_t index = std::stoul(token);
      if (index < at.value->Size()) next = &(*at.value)[static_cast<rapidjson::SizeType>(index)];
    }
    if (next == nullptr) FailAt(location, "cannot resolve $ref " + uri + ": nothing at that JSON pointer");
    auto indexed = scopes_.find(next);
    at.scope = indexed != scopes_.end() ? indexed->second : Enter(at.scope, *next, ChildLocation(at.scope.location, token));
    at.value = next;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return at;
}

bool Compiler::LoadEmbeddedMetaschema(const std::string& uri) {
  std::string_view text = EmbeddedMetaschema(uri);
  if (text.empty()) return false;
  auto document = std::make_unique<rapidjson::Document>();
  document->Parse(text.data(), text.size());
  if (document->HasParseError()) throw CompileFailure("embedded metaschema " + uri + " does not parse");
  IndexDocument(*document, uri, Draft::kDraft7, uri + "#");  // each declares its own $schema
  metaschemas_.push_back(std::move(document));
  return true;
}

std::vector<std::unique_ptr<Resource>> Compiler::TakeResources() {
  // The schema documents may go away after compiling; only the compiled anchors stay.
  for (auto& resource : resources_) resource->dynamic_anchor_values.clear();
  return std::move(resources_);
}

void Compiler::CompileDynamicAnchors() {
  for (std::size_t i = 0; i < touched_.size(); ++i) {
    Resource* resource = touched_[i];
    if (resource->recursive_anchor && resource->root == nullptr) {
      const Located& root = resource_roots_.at(resource->uri);
      resource->root = CompileNode(*root.value, root.scope);
    }
    for (const auto& [name, value] : resource->dynamic_anchor_values) {
      (void)value;
      if (resource->dynamic_anchors.count(name) == 0) {
        resource->dynamic_anchors.emplace(name, nullptr);
        const Located& at = anchors_.at(resource->uri + "#" + name);
        resource->dynamic_anchors[name] = CompileNode(*at.value, at.scope);
      }
    }
  }
}

void Compiler::ResolvePending() {
  std::size_t anchored = 0;
  while (!pending_.empty() || anchored != touched_.size()) {
    while (!pending_.empty()) {
      PendingRef ref = std::move(pending_.back());
      pending_.pop_back();
      Located at = Locate(ref.uri, ref.location);
      *ref.slot = CompileNode(*at.value, at.scope);
    }
    anchored = touched_.size();
    CompileDynamicAnchors();
  }
}

}  // namespace sluice::schema::detail
