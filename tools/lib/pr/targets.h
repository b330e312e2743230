// What a data PR may write, and the files behind it in the workspace. The manifest form writes
// the pipeline's declared outputs (or those of them named on the command line); the ad-hoc form
// writes the files and folders named. Anything else is refused for safety (exit 4): a path
// outside the declared outputs, outside the workspace, through or at a symlink, or into .git.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace sluice::pr {

// Above this a file is uploaded as a blob rather than sent inside the tree request; tree
// request bodies are kept to a few hundred kB (DESIGN.md, Limits of the services).
inline constexpr std::uint64_t kInlineTextLimit = 64 * 1024;

struct LocalFile {
  std::string path;  // repository path, '/'-separated
  std::filesystem::path source;  // absolute path in the workspace
  std::string sha;  // git blob id of the bytes on disk
  std::uint64_t size = 0;
  bool executable = false;
  bool inline_text = false;  // small UTF-8 text without NUL: may travel inside the tree request
};

struct Targets {
  std::vector<LocalFile> files;  // present in the workspace, by path
  // Folders whose base content is mirrored: a base file below one that is not in `files` is
  // deleted.
  std::vector<std::string> folders;
  // Paths named or declared that are absent from the workspace: deleted when the base has them.
  std::vector<std::string> absent;
  // Absent paths that must exist on the base (named ad hoc: a typo must not pass silently).
  std::vector<std::string> required;

  // Every path (files, folders, absent), for reading the base tree.
  std::vector<std::string> AllPaths() const;
};

// The manifest form: `declared` outputs (workspace-relative, already confined by the manifest
// loader); `requested`, when not empty, a subset of them named on the command line.
Result<Targets> CollectDeclared(const std::filesystem::path& workspace, const std::vector<std::string>& declared,
                                const std::vector<std::string>& requested);
// The ad-hoc form: files and folders named on the command line.
Result<Targets> CollectNamed(const std::filesystem::path& workspace, const std::vector<std::string>& named);

// A repository path fit for a tree entry, or UnsafeError: "." and ".." segments, a .git
// segment, empty segments and NUL are refused.
Result<std::string> NormalisePath(const std::filesystem::path& workspace, const std::string& given);

}  // namespace sluice::pr
