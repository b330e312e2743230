#include "publish/published_manifest.h"

#include <algorithm>

#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "json/json.h"
#include "schema/validator.h"

namespace sluice::publish {
namespace {

const schema::Validator& ManifestValidator() {
  static const schema::Validator validator = [] {
    auto document = json::Parse(PublishedManifestSchemaText(), "publish-manifest.schema.json");
    auto compiled = schema::Validator::Compile(document.value());
    return std::move(compiled).value();  // the schema is ours and tested: it compiles
  }();
  return validator;
}

std::optional<std::string> NullableString(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* value = json::Member(object, name);
  if (value == nullptr || !value->IsString()) return std::nullopt;
  return std::string(value->GetString(), value->GetStringLength());
}

template <typename Writer>
void WriteNullable(Writer& writer, const char* name, const std::optional<std::string>& value) {
  writer.Key(name);
  if (value) writer.String(*value);
  else writer.Null();
}

}  // namespace

const PublishedFile* PublishedManifest::Find(std::string_view path) const {
  auto it = std::lower_bound(files.begin(), files.end(), path,
                             [](const PublishedFile& file, std::string_view p) { return file.path < p; });
  return it != files.end() && it->path == path ? &*it : nullptr;
}

Result<PublishedManifest> ParsePublishedManifest(std::string_view text, const std::string& origin) {
  auto document = json::Parse(text, origin);
  if (!document.ok()) return document.status();
  std::vector<schema::ValidationError> errors;
  if (!ManifestValidator().Validate(*document, errors, 10)) {
    std::string message;
    for (const auto& error : errors) {
      message += fmt::format("{}{}: {}: {}", message.empty() ? "" : "; ", origin,
                             error.instance_pointer.empty() ? "/" : error.instance_pointer, error.message);
    }
    return InputError(message);
  }
  PublishedManifest manifest;
  manifest.pipeline = json::StringOr(*document, "pipeline");
  manifest.commit = NullableString(*document, "commit");
  manifest.published_at = json::StringOr(*document, "published_at");
  for (const auto& item : (*document)["files"].GetArray()) {
    manifest.files.push_back({json::StringOr(item, "path"), json::StringOr(item, "sha256"), item["size"].GetUint64(),
                              NullableString(item, "commit")});
  }
  std::sort(manifest.files.begin(), manifest.files.end(),
            [](const PublishedFile& a, const PublishedFile& b) { return a.path < b.path; });
  for (std::size_t i = 1; i < manifest.files.size(); ++i) {
    if (manifest.files[i].path == manifest.files[i - 1].path) {
      return InputError(fmt::format("{}: /files: '{}' is listed twice", origin, manifest.files[i].path));
    }
  }
  if (const rapidjson::Value* removed = json::Member(*document, "removed")) {
    for (const auto& item : removed->GetArray()) manifest.removed.emplace_back(item.GetString(), item.GetStringLength());
  }
  if (const rapidjson::Value* lock = json::Member(*document, "lock")) {
    manifest.lock = PublishLock{json::StringOr(*lock, "id"), NullableString(*lock, "commit"), json::StringOr(*lock, "run"),
                                json::StringOr(*lock, "started_at"), json::StringOr(*lock, "expires_at")};
  }
  return manifest;
}

std::string PublishedManifestJson(const PublishedManifest& manifest) {
  std::vector<const PublishedFile*> files;
  for (const auto& file : manifest.files) files.push_back(&file);
  std::sort(files.begin(), files.end(), [](const auto* a, const auto* b) { return a->path < b->path; });
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  writer.StartObject();
  writer.Key("format");
  writer.Int(1);
  writer.Key("pipeline");
  writer.String(manifest.pipeline);
  WriteNullable(writer, "commit", manifest.commit);
  writer.Key("published_at");
  writer.String(manifest.published_at);
  writer.Key("files");
  writer.StartArray();
  for (const PublishedFile* file : files) {
    writer.StartObject();
    writer.Key("path");
    writer.String(file->path);
    writer.Key("sha256");
    writer.String(file->sha256);
    writer.Key("size");
    writer.Uint64(file->size);
    WriteNullable(writer, "commit", file->commit);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("removed");
  writer.StartArray();
  for (const auto& path : manifest.removed) writer.String(path);
  writer.EndArray();
  if (manifest.lock) {
    writer.Key("lock");
    writer.StartObject();
    writer.Key("id");
    writer.String(manifest.lock->id);
    WriteNullable(writer, "commit", manifest.lock->commit);
    writer.Key("run");
    writer.String(manifest.lock->run);
    writer.Key("started_at");
    writer.String(manifest.lock->started_at);
    writer.Key("expires_at");
    writer.String(manifest.lock->expires_at);
    writer.EndObject();
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace sluice::publish
