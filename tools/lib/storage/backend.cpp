#include "storage/backend.h"

#include <cstdlib>

#include <fmt/format.h>

#include "core/hash.h"

#include "storage/azure_backend.h"
#include "storage/file_backend.h"
#include "storage/s3_backend.h"

namespace sluice::storage {

Result<std::vector<std::string>> Backend::List() {
  return ConfigError(fmt::format("{}: listing is not supported by this storage backend", Describe()));
}

std::vector<Status> Backend::PutAll(const std::vector<PutItem>& items, int parallel, const PutProgress& progress) {
  (void)parallel;
  std::vector<Status> statuses;
  statuses.reserve(items.size());
  for (const PutItem& item : items) {
    statuses.push_back(Put(item.key, item.bytes, item.Properties()));
    if (progress) progress(statuses.size(), items.size());
  }
  return statuses;
}

ObjectProperties PutItem::Properties() const {
  ObjectProperties all = properties;
  if (late_metadata) {
    for (auto& [name, value] : late_metadata()) all.metadata[name] = std::move(value);
  }
  return all;
}

std::string ItemSha256(const PutItem& item) {
  const ObjectProperties properties = item.Properties();
  auto claimed = properties.metadata.find("sluice-sha256");
  return claimed != properties.metadata.end() ? claimed->second : Sha256Hex(item.bytes);
}

Status CompareReadBack(const std::string& where, const ConfirmItem& item, const std::optional<std::string>& stored) {
  if (!stored) return ExternalError(fmt::format("{}: read back nothing where {} was uploaded", where, item.sha256.substr(0, 12)));
  const std::string found = Sha256Hex(*stored);
  if (found == item.sha256) return Status::Ok();
  return ExternalError(fmt::format("{}: read back sha256 {} ({} bytes) where {} ({} bytes) was uploaded", where,
                                   found.substr(0, 12), stored->size(), item.sha256.substr(0, 12), item.size));
}

std::vector<Confirmation> Backend::ConfirmAll(const std::vector<ConfirmItem>& items, int parallel,
                                             Verification verification) {
  (void)parallel;
  (void)verification;
  std::vector<Confirmation> confirmations;
  confirmations.reserve(items.size());
  for (const ConfirmItem& item : items) {
    auto object = Get(item.key);
    if (!object.ok()) {
      confirmations.push_back({object.status().WithContext("reading back"), ConfirmedBy::kReadBack});
      continue;
    }
    std::optional<std::string> stored;
    if (object->has_value()) stored = std::move((*object)->bytes);
    confirmations.push_back({CompareReadBack(Describe() + "/" + item.key, item, stored), ConfirmedBy::kReadBack});
  }
  return confirmations;
}

Status CheckKey(std::string_view key) {
  if (key.empty()) return UnsafeError("an empty object name");
  if (key.front() == '/') return UnsafeError(fmt::format("object name '{}' is absolute", key));
  std::size_t start = 0;
  while (start <= key.size()) {
    std::size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) slash = key.size();
    std::string_view part = key.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") {
      return UnsafeError(fmt::format("object name '{}' would escape the target's prefix", key));
    }
    if (part.find('\\') != std::string_view::npos || part.find('\0') != std::string_view::npos) {
      return UnsafeError(fmt::format("object name '{}' holds a backslash or NUL", key));
    }
    start = slash + 1;
  }
  return Status::Ok();
}

Result<std::unique_ptr<Backend>> OpenBackend(const StorageUrl& url, const Environment& env) {
  if (url.scheme == Scheme::kFile) return std::unique_ptr<Backend>(std::make_unique<FileBackend>(url.directory));
  if (url.scheme == Scheme::kAzure) {
    auto access = azure::AzureAccessFrom(url.account, env);
    if (!access.ok()) return access.status().WithContext(url.text);
    auto backend = std::make_unique<AzureBackend>(url, std::move(access).value());
    if (auto block_size = env.Get("SLUICE_AZURE_BLOCK_SIZE"); block_size && !block_size->empty()) {
      const long long bytes = std::atoll(block_size->c_str());
      if (bytes < 2) return ConfigError("SLUICE_AZURE_BLOCK_SIZE must be a number of bytes, 2 or more");
      backend->UseBlockSize(static_cast<std::size_t>(bytes));
    }
    return std::unique_ptr<Backend>(std::move(backend));
  }
  if (url.scheme == Scheme::kS3 || url.scheme == Scheme::kGcs) {
    auto target = S3TargetFromEnvironment(url, env);
    if (!target.ok()) return target.status();
    return std::unique_ptr<Backend>(std::make_unique<S3Backend>(std::move(target).value()));
  }
  return ConfigError(fmt::format("{}: no storage backend for {}://", url.text, SchemeName(url.scheme)));
}

}  // namespace sluice::storage
