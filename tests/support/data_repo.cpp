#include "support/data_repo.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

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
