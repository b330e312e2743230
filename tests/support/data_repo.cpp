#include "support/data_repo.h"

#include <catch2/catch.hpp>
#include <git2.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>

#include "git/libgit2.h"

namespace sluice {

DataRepo::DataRepo() { Git({"init", "-q", "-b", "main"}); }

std::filesystem::path DataRepo::Write(const std::string& relative, const std::string& content) const {
  return dir_.Write(relative, content);
}

std::string DataRepo::Commit(const std::string& message) const {
  Git({"add", "-A"});
  Git({"commit", "-q", "--allow-empty", "-m", message});
  std::string sha = Git({"rev-parse", "HEAD"});
  while (!sha.empty() && (sha.back() == '\n' || sha.back() == '\r')) sha.pop_back();
  return sha;
}

std::string DataRepo::CommitFile(const std::string& relative, const std::string& content,
                                 const std::string& message) const {
  Write(relative, content);
  return Commit(message);
}

std::string DataRepo::Git(const std::vector<std::string>& args) const {
  // A fixed identity, so that commits work on a machine with no git configuration.
  std::vector<std::string> argv = {"git", "-C", path().string(), "-c", "user.name=t", "-c", "user.email=t@t"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult run = RunProcess(argv);
  std::string command = "git";
  for (const auto& arg : args) command += " " + arg;
  INFO(command << ": " << run.err);
  REQUIRE(run.exit_code == 0);
  return run.out;
}

void DataRepo::Age(const std::string& relative, int seconds_ago) const {
  const std::filesystem::path file = path() / relative;
  std::filesystem::last_write_time(file, std::filesystem::file_time_type::clock::now() - std::chrono::seconds(seconds_ago));
}

void DataRepo::ForgeCleanIndexEntry(const std::string& relative, const std::string& blob_id) const {
  git::EnsureLibgit2();
  const std::string index_path = (path() / ".git/index").string();
  git_index* index = nullptr;
  REQUIRE(git_index_open(&index, index_path.c_str()) == 0);
  std::unique_ptr<git_index, void (*)(git_index*)> owned(index, git_index_free);
  const git_index_entry* found = git_index_get_bypath(index, relative.c_str(), 0);
  REQUIRE(found != nullptr);
  git_index_entry entry = *found;
  std::string entry_path = relative;
  entry.path = entry_path.c_str();
  REQUIRE(git_oid_fromstr(&entry.id, blob_id.c_str()) == 0);
  struct stat info {};
  REQUIRE(lstat((path() / relative).c_str(), &info) == 0);
  entry.ctime = {static_cast<std::int32_t>(info.st_ctim.tv_sec), static_cast<std::uint32_t>(info.st_ctim.tv_nsec)};
  entry.mtime = {static_cast<std::int32_t>(info.st_mtim.tv_sec), static_cast<std::uint32_t>(info.st_mtim.tv_nsec)};
  entry.dev = static_cast<std::uint32_t>(info.st_dev);
  entry.ino = static_cast<std::uint32_t>(info.st_ino);
  entry.uid = info.st_uid;
  entry.gid = info.st_gid;
  entry.file_size = static_cast<std::uint32_t>(info.st_size);
  REQUIRE(git_index_add(index, &entry) == 0);
  REQUIRE(git_index_write(index) == 0);
}

void DataRepo::WriteDemoWorkflows() const {
  const std::filesystem::path demo = std::filesystem::path(SLUICE_SOURCE_DIR) / "examples/demo/.github/workflows";
  int written = 0;
  for (const auto& entry : std::filesystem::directory_iterator(demo)) {
    if (entry.path().extension() != ".yml") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    Write(".github/workflows/" + entry.path().filename().string(), text.str());
    ++written;
  }
  REQUIRE(written > 0);
}

ProcessResult DataRepo::RunTool(const std::string& tool, const std::string& manifest,
                                const std::vector<std::string>& args, EnvOverrides env) const {
  std::vector<std::string> argv = {tool, manifest, "--workspace", path().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  for (const char* variable : {"GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "SLUICE_RUN_LOG"}) {
    env.emplace(variable, std::nullopt);
  }
  return RunProcess(argv, env);
}

}  // namespace sluice
