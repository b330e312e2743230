#include "pr/targets.h"

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "core/fs.h"
#include "git/objects.h"
#include "github/git_data.h"
#include "records/utf8_check.h"

namespace sluice::pr {
namespace {

namespace fs = std::filesystem;

bool IsInlineText(const fs::path& file, std::uint64_t size) {
  if (size > kInlineTextLimit) return false;
  auto content = ReadFile(file);
  if (!content.ok() || content->find('\0') != std::string::npos) return false;
  records::Utf8Check check;
  return check.Feed(content->data(), content->size(), 0) && check.Finish();
}

// Refuses a symlink at `relative` or at any directory on the way to it.
Status RefuseSymlinks(const fs::path& workspace, const std::string& relative) {
  fs::path walked = workspace;
  for (const auto& part : fs::path(relative)) {
    walked /= part;
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(walked, ec))) {
      return UnsafeError(fmt::format("{} is a symlink: sluice-pr writes regular files only (a link could publish "
                                     "a file from outside the outputs)", fs::relative(walked, workspace).generic_string()));
    }
  }
  return Status::Ok();
}

Result<LocalFile> DescribeFile(const fs::path& workspace, const std::string& path) {
  LocalFile file;
  file.path = path;
  file.source = workspace / path;
  std::error_code ec;
  const auto status = fs::symlink_status(file.source, ec);
  if (ec) return InputError(fmt::format("{}: {}", path, ec.message()));
  if (fs::is_symlink(status)) return UnsafeError(fmt::format("{} is a symlink: sluice-pr writes regular files only", path));
  if (!fs::is_regular_file(status)) return InputError(fmt::format("{} is not a regular file", path));
  file.size = fs::file_size(file.source, ec);
  if (ec) return InputError(fmt::format("{}: {}", path, ec.message()));
  if (file.size > github::kMaxBlobBytes) {
    return InputError(fmt::format("{} is {} bytes: GitHub refuses files over 100 MB; keep large data in storage "
                                  "(publish targets) or split it", path, file.size));
  }
  file.executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
  auto sha = git::BlobIdOfFile(file.source);
  if (!sha.ok()) return sha.status();
  file.sha = *sha;
  file.inline_text = IsInlineText(file.source, file.size);
  return file;
}

Status AddFolder(const fs::path& workspace, const std::string& folder, Targets& targets) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(workspace / folder, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string path = fs::relative(it->path(), workspace).generic_string();
    if (it->path().filename() == ".git") {
      return UnsafeError(fmt::format("{} is a git directory: sluice-pr does not write into .git", path));
    }
    if (it->is_symlink()) return UnsafeError(fmt::format("{} is a symlink: sluice-pr writes regular files only", path));
    if (it->is_directory()) continue;
    auto file = DescribeFile(workspace, path);
    if (!file.ok()) return file.status();
    targets.files.push_back(std::move(*file));
  }
  if (ec) return InputError(fmt::format("{}: cannot list: {}", folder, ec.message()));
  targets.folders.push_back(folder);
  return Status::Ok();
}

Status AddPath(const fs::path& workspace, const std::string& path, bool must_exist, Targets& targets) {
  SLUICE_RETURN_IF_ERROR(RefuseSymlinks(workspace, path));
  std::error_code ec;
  const auto status = fs::symlink_status(workspace / path, ec);
  if (!fs::exists(status)) {
    targets.absent.push_back(path);
    if (must_exist) targets.required.push_back(path);
    return Status::Ok();
  }
  if (fs::is_directory(status)) return AddFolder(workspace, path, targets);
  auto file = DescribeFile(workspace, path);
  if (!file.ok()) return file.status();
  targets.files.push_back(std::move(*file));
  return Status::Ok();
}

Status Finish(Targets& targets) {
  std::sort(targets.files.begin(), targets.files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  auto same = [](const auto& a, const auto& b) { return a.path == b.path; };
  targets.files.erase(std::unique(targets.files.begin(), targets.files.end(), same), targets.files.end());
  if (targets.files.empty() && targets.absent.empty() && targets.folders.empty()) {
    return UsageError("nothing to commit: name at least one output");
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> Targets::AllPaths() const {
  std::vector<std::string> paths;
  for (const auto& file : files) paths.push_back(file.path);
  paths.insert(paths.end(), folders.begin(), folders.end());
  paths.insert(paths.end(), absent.begin(), absent.end());
  return paths;
}

Result<std::string> NormalisePath(const fs::path& workspace, const std::string& given) {
  fs::path path(given);
  if (path.is_absolute()) {
    fs::path inside = path.lexically_relative(fs::absolute(workspace).lexically_normal());
    if (inside.empty() || *inside.begin() == "..") {
      return UnsafeError(fmt::format("{} is outside the workspace {}", given, workspace.string()));
    }
    path = inside;
  }
  auto confined = ConfinePath(workspace, path.string());
  if (!confined.ok()) return confined.status();
  std::string normal = path.lexically_normal().generic_string();
  while (!normal.empty() && normal.back() == '/') normal.pop_back();
  if (normal.empty() || normal == ".") {
    return UnsafeError(fmt::format("'{}' names the whole workspace: name the output files or folders", given));
  }
  for (const auto& part : fs::path(normal)) {
    if (part == ".git") return UnsafeError(fmt::format("{} is inside .git: sluice-pr does not write there", given));
  }
  return normal;
}

Result<Targets> CollectDeclared(const fs::path& workspace, const std::vector<std::string>& declared,
                                const std::vector<std::string>& requested) {
  std::vector<std::string> outputs;
  for (const auto& output : declared) {
    auto path = NormalisePath(workspace, output);
    if (!path.ok()) return path.status();
    outputs.push_back(*path);
  }
  std::vector<std::string> chosen = outputs;
  if (!requested.empty()) {
    chosen.clear();
    for (const auto& given : requested) {
      auto path = NormalisePath(workspace, given);
      if (!path.ok()) return path.status();
      if (std::find(outputs.begin(), outputs.end(), *path) == outputs.end()) {
        return UnsafeError(fmt::format("{} is not one of the pipeline's declared outputs ({}): sluice-pr writes "
                                       "only those; declare it in the manifest first", *path, fmt::join(outputs, ", ")));
      }
      chosen.push_back(*path);
    }
  }
  Targets targets;
  for (const auto& path : chosen) {
    SLUICE_RETURN_IF_ERROR(AddPath(workspace, path, false, targets));
    if (!targets.folders.empty()) return InputError(fmt::format("declared output {} is a directory, not a file", path));
  }
  SLUICE_RETURN_IF_ERROR(Finish(targets));
  return targets;
}

Result<Targets> CollectNamed(const fs::path& workspace, const std::vector<std::string>& named) {
  Targets targets;
  for (const auto& given : named) {
    auto path = NormalisePath(workspace, given);
    if (!path.ok()) return path.status();
    SLUICE_RETURN_IF_ERROR(AddPath(workspace, *path, true, targets));
  }
  SLUICE_RETURN_IF_ERROR(Finish(targets));
  return targets;
}

}  // namespace sluice::pr
