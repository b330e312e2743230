// _sluice/manifest.json: what a publish target holds (schemas/publish-manifest.schema.json).
// sluice-publish reads it to know what changed and writes it last, so that a reader who
// follows it never sees a half-updated set. While a publish runs it carries that run's lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice::publish {

inline constexpr std::string_view kManifestKey = "_sluice/manifest.json";
inline constexpr std::string_view kStatusKey = "_sluice/status.json";

struct PublishedFile {
  std::string path;
  std::string sha256;
  std::uint64_t size = 0;
  std::optional<std::string> commit;  // the commit whose publish uploaded these bytes
};

struct PublishLock {
  std::string id;
  std::optional<std::string> commit;
  std::string run;         // the Actions run page, "" outside Actions
  std::string started_at;  // ISO 8601 UTC, as FormatUtc writes it (so strings compare as times)
  std::string expires_at;
};

struct PublishedManifest {
  std::string pipeline;
  std::optional<std::string> commit;  // nullopt: published from a directory
  std::string published_at;
  std::vector<PublishedFile> files;  // sorted by path
  std::vector<std::string> removed;  // left the set, may still be in storage
  std::optional<PublishLock> lock;

  const PublishedFile* Find(std::string_view path) const;
};

// Parses and validates against the schema. Errors are InputErrors
// "<origin>: <JSON pointer>: <problem>" (or line:column for malformed JSON).
Result<PublishedManifest> ParsePublishedManifest(std::string_view text, const std::string& origin);
// Pretty JSON, files sorted by path; always valid against the schema.
std::string PublishedManifestJson(const PublishedManifest& manifest);

// schemas/publish-manifest.schema.json, compiled in.
const char* PublishedManifestSchemaText();

}  // namespace sluice::publish
