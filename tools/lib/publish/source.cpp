#include "publish/source.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/fs.h"
#include "core/hash.h"
#include "core/threaded_hash.h"
#include "storage/backend.h"

namespace sluice::publish {
namespace {

namespace fs = std::filesystem;

Status CheckName(const std::string& path, const std::string& where) {
  Status key = storage::CheckKey(path);
  if (!key.ok()) return key.WithContext(where);
  if (path == "_sluice" || path.rfind("_sluice/", 0) == 0) {
    return UnsafeError(fmt::format("{}: {} would overwrite sluice's own records under _sluice/", where, path));
  }
  return Status::Ok();
}

Status Finish(PublishSource& source) {
  std::sort(source.files.begin(), source.files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
  source.files.erase(std::unique(source.files.begin(), source.files.end(),
                                 [](const SourceFile& a, const SourceFile& b) { return a.path == b.path; }),
                     source.files.end());
  if (source.files.empty()) return InputError(fmt::format("{}: there are no files to publish", source.origin));
  for (auto& file : source.files) {
    if (file.sha256.empty()) file.sha256 = Sha256Hex(file.bytes);
  }
  return Status::Ok();
}

}  // namespace

SourceFile::SourceFile(std::string path_in, std::string bytes_in, std::string sha256_in)
    : path(std::move(path_in)), sha256(std::move(sha256_in)) {
  auto owned = std::make_shared<const std::string>(std::move(bytes_in));
  bytes = *owned;
  holder = std::move(owned);
}

SourceFile::SourceFile(std::string path_in, std::shared_ptr<const void> holder_in, std::string_view bytes_in,
                       std::string sha256_in)
    : path(std::move(path_in)), bytes(bytes_in), sha256(std::move(sha256_in)), holder(std::move(holder_in)) {}

Result<PublishSource> FilesFromCommit(const git::Repository& repository, const std::string& revision,
                                      const std::vector<std::string>& paths) {
  auto commit = repository.ResolveCommit(revision);
  if (!commit.ok()) return commit.status();
  PublishSource source;
  source.commit = *commit;
  source.origin = fmt::format("commit {} ({})", commit->substr(0, 12), revision);
  std::vector<std::string> wanted = paths.empty() ? std::vector<std::string>{""} : paths;
  for (const auto& path : wanted) {
    std::string clean = path;
    while (!clean.empty() && clean.back() == '/') clean.pop_back();
    if (!clean.empty()) SLUICE_RETURN_IF_ERROR(CheckName(clean, source.origin));
    auto files = repository.FilesAt(*commit, clean);
    if (!files.ok()) return files.status();
    for (auto& file : *files) {
      using Kind = git::CommittedFile::Kind;
      if (file.kind == Kind::kSymlink || file.kind == Kind::kSubmodule) {
        return UnsafeError(fmt::format("{}: {} is a {} in the commit: refusing to publish it", source.origin, file.path,
                                       file.kind == Kind::kSymlink ? "symlink" : "submodule"));
      }
      SLUICE_RETURN_IF_ERROR(CheckName(file.path, source.origin));
      source.files.emplace_back(file.path, std::move(file.blob), file.content, "");
    }
  }
  SLUICE_RETURN_IF_ERROR(Finish(source));
  return source;
}

Result<PublishSource> FilesFromDirectory(const fs::path& directory) {
  PublishSource source;
  source.origin = "directory " + directory.string();
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(directory, ec))) {
    return UnsafeError(fmt::format("--from {} is a symlink: name the directory itself", directory.string()));
  }
  if (!fs::is_directory(directory, ec)) return InputError(fmt::format("--from {} is not a directory", directory.string()));
  for (auto it = fs::recursive_directory_iterator(directory, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string relative = it->path().lexically_relative(directory).generic_string();
    if (it->is_symlink()) {
      return UnsafeError(fmt::format("{}: {} is a symlink: refusing to publish it (copy the real file in)",
                                     source.origin, relative));
    }
    if (it->is_directory()) continue;
    if (!it->is_regular_file()) return UnsafeError(fmt::format("{}: {} is not a regular file", source.origin, relative));
    SLUICE_RETURN_IF_ERROR(CheckName(relative, source.origin));
    auto read = ReadFileWithSha256(it->path());
    if (!read.ok()) return read.status();
    auto bytes = std::make_shared<const std::string>(std::move(read->bytes));
    const std::string_view view = *bytes;
    source.files.emplace_back(relative, std::move(bytes), view, std::move(read->sha256));
  }
  if (ec) return InputError(fmt::format("cannot read {}: {}", directory.string(), ec.message()));
  SLUICE_RETURN_IF_ERROR(Finish(source));
  return source;
}

}  // namespace sluice::publish
