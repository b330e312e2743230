// A directory as object storage (the demo, tests, and a mounted share). Objects are files under
// the root; writes go through AtomicFile (temporary sibling, fsync, rename), so a reader sees a
// whole old file or a whole new one. Properties (content type, metadata) are not kept: a file
// system has nowhere to serve them from. A version is the SHA-256 of the content.
#pragma once

#include <filesystem>

#include "storage/backend.h"

namespace sluice::storage {

class FileBackend : public Backend {
 public:
  explicit FileBackend(std::filesystem::path root) : root_(std::move(root)) {}

  std::string Describe() const override;
  Status Put(const std::string& key, std::string_view bytes, const ObjectProperties& properties) override;
  Result<std::optional<StoredObject>> Get(const std::string& key) override;
  Status Delete(const std::string& key) override;
  // Check and rename happen under an exclusive flock(2) on <root>/.sluice-lock, so two
  // processes on one machine (or one NFS-less shared disk) cannot both pass the check.
  Result<std::string> PutIf(const std::string& key, std::string_view bytes, const ObjectProperties& properties,
                            const Precondition& precondition) override;
  Result<std::vector<std::string>> List() override;

 private:
  Result<std::filesystem::path> PathOf(const std::string& key) const;
  std::filesystem::path root_;
};

}  // namespace sluice::storage
