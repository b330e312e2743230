// Files that are never half-written, and paths that never leave the workspace.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice {

// Writes a file through a temporary sibling (same directory, so rename is atomic), then
// fsync + rename + fsync of the directory. Until Commit() the target is untouched; if the
// writer is destroyed without Commit(), the temporary file is removed and the previous
// content stays byte-for-byte as it was.
class AtomicFile {
 public:
  static Result<AtomicFile> Create(const std::filesystem::path& target);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  Status Write(std::string_view bytes);
  // Drops everything written so far (a retried download starts again).
  Status Reset();
  Status Commit();
  // Removes the temporary file now; the target is untouched.
  void Abandon();

  std::uint64_t size() const { return size_; }
  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  AtomicFile(std::filesystem::path target, std::filesystem::path temp, int fd)
      : target_(std::move(target)), temp_(std::move(temp)), fd_(fd) {}

  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t flushed_ = 0;  // bytes whose writeback has been started
};

// Whole-file helpers; errors name the path and the operating system's reason.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content);
Result<std::string> ReadFile(const std::filesystem::path& path);

// Resolves `relative` inside `workspace` and refuses (kUnsafe) anything that would land
// outside it: absolute paths, `..` components, and symlinks (existing ones, anywhere along
// the path) that point out of the workspace. The result is absolute and normalised.
Result<std::filesystem::path> ConfinePath(const std::filesystem::path& workspace, std::string_view relative);

}  // namespace sluice
