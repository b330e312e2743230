#include "support/github_fake.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <stdexcept>

#include "http/client.h"
#include "json/json.h"

namespace sluice {
namespace {

// The fake loads GitHub's API description first (about 1.3 s); under ASan more.
constexpr std::chrono::seconds kStartTimeout{30};

std::string ReadFirstLine(int fd) {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  std::string text;
  while (text.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) throw std::runtime_error("github-fake printed no URL within 30 s");
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left)) < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    if (pfd.revents == 0) continue;
    char buffer[256];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n == 0) throw std::runtime_error("github-fake exited before printing its URL (see its stderr)");
    if (n > 0) text.append(buffer, static_cast<size_t>(n));
  }
  return text.substr(0, text.find('\n'));
}

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

http::Response Call(const std::string& method, const std::string& url, const std::string& body,
                    const http::Headers& headers) {
  http::Client client(http::RetryPolicy{1, std::chrono::milliseconds(10), std::chrono::milliseconds(10),
                                        std::chrono::milliseconds(10)});
  http::Transfer transfer;
  transfer.request.method = method;
  transfer.request.url = url;
  transfer.request.body = body;
  transfer.request.headers = headers;
  if (!body.empty()) transfer.request.headers.emplace_back("Content-Type", "application/json");
  transfer.request.timeout = std::chrono::seconds(30);
  auto response = client.Perform(transfer);
  if (!response.ok()) throw std::runtime_error(response.status().message());
  return std::move(response).value();
}

}  // namespace

GitHubFake::GitHubFake() {
  const std::string script = std::string(SLUICE_SOURCE_DIR) + "/tests/fixtures/github-fake";
  ChildProcess child = StartProcess({"node", script, "--root", root_.path().string(), "--watch-stdin", "--token",
                                     std::string(kToken) + "=" + kLogin},
                                    {}, false);
  pid_ = child.pid;
  stdin_fd_ = child.stdin_fd;
  stdout_fd_ = child.stdout_fd;
  try {
    url_ = ReadFirstLine(stdout_fd_);
    if (url_.rfind("http://", 0) != 0) throw std::runtime_error("github-fake: expected its URL, got: " + url_);
  } catch (...) {
    Stop();  // a throwing constructor runs no destructor
    throw;
  }
}

GitHubFake::~GitHubFake() { Stop(); }

void GitHubFake::Stop() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  for (int* fd : {&stdin_fd_, &stdout_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

std::filesystem::path GitHubFake::BarePath(const std::string& full_name) const {
  return root_.path() / (full_name + ".git");
}

std::string GitHubFake::BareGit(const std::string& full_name, const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"git", "-C", BarePath(full_name).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult run = RunProcess(argv);
  INFO("git " << args.front() << ": " << run.err);
  REQUIRE(run.exit_code == 0);
  return Trim(run.out);
}

std::filesystem::path GitHubFake::CreateRepo(const std::string& full_name, const DataRepo& from) const {
  const auto bare = BarePath(full_name);
  std::filesystem::create_directories(bare.parent_path());
  ProcessResult init = RunProcess({"git", "init", "-q", "--bare", "-b", "main", bare.string()});
  REQUIRE(init.exit_code == 0);
  from.Git({"push", "-q", bare.string(), "main"});
  return bare;
}

std::string GitHubFake::Control(const std::string& method, const std::string& path, const std::string& body) const {
  http::Response response = Call(method, url_ + path, body, {});
  INFO(method << " " << path << ": " << response.body);
  REQUIRE(response.status < 300);
  return response.body;
}

std::vector<FakeRequest> GitHubFake::Requests() const {
  auto log = json::Parse(Control("GET", "/_fake/requests"), "request log");
  REQUIRE(log.ok());
  std::vector<FakeRequest> requests;
  for (const auto& entry : log->GetArray()) {
    FakeRequest request;
    request.method = json::StringOr(entry, "method");
    request.path = json::StringOr(entry, "path");
    if (const rapidjson::Value* query = json::Member(entry, "query"); query != nullptr) request.query = json::Write(*query);
    const rapidjson::Value* status = json::Member(entry, "status");
    if (status != nullptr && status->IsNumber()) request.status = static_cast<long>(status->GetDouble());
    const rapidjson::Value* body = json::Member(entry, "body");
    if (body != nullptr && !body->IsNull()) request.body = json::Write(*body);
    const rapidjson::Value* invalid = json::Member(entry, "invalid");
    if (invalid != nullptr && !invalid->IsNull()) request.invalid = invalid->IsString() ? invalid->GetString() : json::Write(*invalid);
    requests.push_back(std::move(request));
  }
  return requests;
}

rapidjson::Document GitHubFake::Api(const std::string& path) const {
  http::Response response = Call("GET", url_ + path, "", {{"Authorization", std::string("Bearer ") + kToken},
                                                          {"Accept", "application/vnd.github+json"}});
  INFO("GET " << path << ": " << response.body);
  REQUIRE(response.status == 200);
  auto document = json::Parse(response.body, path);
  REQUIRE(document.ok());
  return std::move(document).value();
}

github::Api GitHubFake::ClientAs(const std::string& full_name, const std::string& token) const {
  github::ApiConfig config;
  config.base_url = url_;
  config.owner = full_name.substr(0, full_name.find('/'));
  config.repo = full_name.substr(full_name.find('/') + 1);
  config.token = token;
  return github::Api(config);
}

EnvOverrides GitHubFake::StepEnv(const std::string& full_name) const {
  EnvOverrides env = {{"GITHUB_API_URL", url_}, {"GITHUB_REPOSITORY", full_name}, {"GITHUB_TOKEN", std::string(kToken)}};
  for (const char* variable : {"GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "SLUICE_RUN_LOG", "GITHUB_WORKSPACE",
                               "GITHUB_SERVER_URL", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_REF_NAME"}) {
    env.emplace(variable, std::nullopt);
  }
  return env;
}

std::vector<FakeRequest> Writes(const std::vector<FakeRequest>& requests) {
  std::vector<FakeRequest> writes;
  for (const auto& request : requests) {
    if (request.method != "GET") writes.push_back(request);
  }
  return writes;
}

std::vector<FakeRequest> Matching(const std::vector<FakeRequest>& requests, const std::string& method,
                                  const std::string& suffix) {
  std::vector<FakeRequest> found;
  for (const auto& request : requests) {
    const bool ends = request.path.size() >= suffix.size() &&
                      request.path.compare(request.path.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (request.method == method && ends) found.push_back(request);
  }
  return found;
}

}  // namespace sluice
