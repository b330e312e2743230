#include "support/actions_runner.h"

#include <sys/utsname.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <openssl/sha.h>

#include "json/json.h"

namespace fs = std::filesystem;

namespace sluice {
namespace {

const fs::path kSource = SLUICE_SOURCE_DIR;

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string hex;
  for (unsigned char c : digest) hex += "0123456789abcdef"[c >> 4], hex += "0123456789abcdef"[c & 15];
  return hex;
}

std::string OsReleaseField(const std::string& name) {
  std::istringstream lines(ReadText("/etc/os-release"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + "=", 0) != 0) continue;
    std::string value = line.substr(name.size() + 1);
    if (!value.empty() && value.front() == '"') value = value.substr(1, value.size() - 2);
    return value;
  }
  return "";
}

}  // namespace

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void CopyTree(const fs::path& from, const fs::path& to) {
  for (const auto& entry : fs::recursive_directory_iterator(from)) {
    if (!entry.is_regular_file()) continue;
    const fs::path target = to / fs::relative(entry.path(), from);
    fs::create_directories(target.parent_path());
    fs::copy_file(entry.path(), target, fs::copy_options::overwrite_existing);
  }
}

ActionsRunner::ActionsRunner(std::string repo) : repo_(std::move(repo)) {}

void ActionsRunner::CreateRepos(const std::string& message) {
  data_.Commit(message);
  fake_.CreateRepo(repo_, data_);
  CopyTree(kSource / ".github/workflows", sluice_.path() / ".github/workflows");
  CopyTree(kSource / "actions", sluice_.path() / "actions");
  sluice_.Write("CMakeLists.txt", ReadText(kSource / "CMakeLists.txt"));
  sluice_.Commit("sluice");
  fake_.CreateRepo(kSluiceRepo, sluice_);
}

std::string ActionsRunner::PushMain(const std::string& message) {
  const std::string sha = data_.Commit(message);
  data_.Git({"push", "-q", fake_.BarePath(repo_).string(), "main"});
  return sha;
}

void ActionsRunner::SeedToolsCache() {
  utsname machine{};
  REQUIRE(uname(&machine) == 0);
  const std::string commit = fake_.BareGit(kSluiceRepo, {"rev-parse", "main"});
  const std::string key =
      "sluice-" + OsReleaseField("ID") + OsReleaseField("VERSION_ID") + "-" + machine.machine + "-" + commit;
  const std::string prefix = (temp() / "sluice-install").string();
  const fs::path entry = cache_.path() / Sha256Hex("refs/heads/main\n" + key + "\n" + prefix);
  fs::create_directories(entry / "0" / "bin");
  for (const auto& tool : fs::directory_iterator(SLUICE_BIN_DIR)) {
    if (tool.path().filename().string().rfind("sluice-", 0) != 0) continue;
    fs::copy_file(tool.path(), entry / "0" / "bin" / tool.path().filename(), fs::copy_options::overwrite_existing);
  }
  std::ofstream(entry / "entry.json") << R"({"key": ")" << key << R"(", "version": [")" << prefix
                                      << R"("], "ref": "refs/heads/main", "created": 1})";
}

ProcessResult ActionsRunner::Run(const std::vector<std::string>& event, const std::vector<std::string>& env,
                                 const std::vector<std::string>& secrets) {
  std::vector<std::string> argv = {(kSource / "tests/fixtures/actions-runner").string(), "--fake", fake_.url(), "--root",
                                   fake_.root().string(), "--repo", repo_};
  argv.insert(argv.end(), event.begin(), event.end());
  fs::create_directories(work_.path() / "home");
  fs::remove(work_.path() / "runs.json");
  for (const std::string& arg : {std::string("--drain"), std::string("--work"), work_.path().string(),
                                 std::string("--cache"), cache_.path().string(), std::string("--json"),
                                 (work_.path() / "runs.json").string(), std::string("--env"),
                                 "HOME=" + (work_.path() / "home").string()}) {
    argv.push_back(arg);
  }
  for (const std::string& variable : env) argv.insert(argv.end(), {"--env", variable});
  for (const std::string& secret : secrets) argv.insert(argv.end(), {"--secret", secret});
  return RunProcess(argv);
}

rapidjson::Document ActionsRunner::Runs() const {
  auto parsed = json::Parse(ReadText(work_.path() / "runs.json"), "runs.json");
  INFO((parsed.ok() ? "" : parsed.status().message()));
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

const rapidjson::Value& ActionsRunner::Step(const rapidjson::Document& runs, const std::string& step_id,
                                            const std::string& job) const {
  for (const auto& run : runs["runs"].GetArray()) {
    for (const auto& each : run["jobs"].GetArray()) {
      if (std::string(each["name"].GetString()).find(job) == std::string::npos) continue;
      for (const auto& step : each["steps"].GetArray()) {
        if (step.HasMember("id") && step["id"].IsString() && step_id == step["id"].GetString()) return step;
      }
    }
  }
  FAIL("no step " << step_id << " ran in a job named like '" << job << "'");
  throw std::logic_error("unreachable");
}

std::string ActionsRunner::StepOutputs(const std::string& step_id, const std::string& job) const {
  const auto runs = Runs();
  const auto& step = Step(runs, step_id, job);
  std::vector<std::string> lines;
  for (const auto& output : step["outputs"].GetObject()) {
    lines.push_back(std::string(output.name.GetString()) + "=" + output.value.GetString());
  }
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

std::string ActionsRunner::StepOutcome(const std::string& step_id, const std::string& job) const {
  const auto runs = Runs();
  return Step(runs, step_id, job)["outcome"].GetString();
}

std::string Tail(const ProcessResult& run, std::size_t keep) {
  return run.out.substr(run.out.size() > keep ? run.out.size() - keep : 0) + run.err;
}

}  // namespace sluice
