// A data repository as users keep one: files committed with the git CLI into a temporary
// directory, so that the tools read previous versions from real history.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace sluice {

class DataRepo {
 public:
  // An empty repository on branch main.
  DataRepo();

  const std::filesystem::path& path() const { return dir_.path(); }
  // Writes `content` to path()/relative in the working tree, creating directories.
  std::filesystem::path Write(const std::string& relative, const std::string& content) const;
  // Stages every change in the working tree (additions, edits, deletions) and commits it, even
  // when nothing changed. Returns the new commit's sha.
  std::string Commit(const std::string& message) const;
  // Writes one file and commits it with everything else in the working tree.
  std::string CommitFile(const std::string& relative, const std::string& content, const std::string& message) const;
  // Writes the demo data repository's caller workflows (examples/demo/.github/workflows/*.yml)
  // into .github/workflows, uncommitted: the files GitHub reads a repository's events, dispatches
  // and Actions tokens from.
  void WriteDemoWorkflows() const;
  // Runs `git args...` in the repository; a failure fails the test. Returns git's stdout.
  std::string Git(const std::vector<std::string>& args) const;
  // Sets the file's modification time `seconds_ago` in the past (not racily clean in an index
  // written from now on: see git::FilesAtOptions).
  void Age(const std::string& relative, int seconds_ago = 3600) const;
  // Rewrites the index entry of `relative` (through libgit2) to say blob `blob_id` (hex) with the
  // stat data the file has on disk now: an index that vouches for a working tree file whose bytes
  // are another blob's, which no git command writes, to prove that sluice checks the bytes.
  void ForgeCleanIndexEntry(const std::string& relative, const std::string& blob_id) const;

  // Runs a built tool over a pipeline of this repository as a workflow step would:
  // `tool manifest --workspace <path()> args...`. The runner's variables (GITHUB_ACTIONS,
  // GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, SLUICE_RUN_LOG) are removed unless `env` sets them.
  ProcessResult RunTool(const std::string& tool, const std::string& manifest, const std::vector<std::string>& args,
                        EnvOverrides env = {}) const;

 private:
  TempDir dir_;
};

}  // namespace sluice
