#include "support/azurite.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <regex>
#include <stdexcept>
#include <thread>

#include "json/json.h"

namespace sluice {
namespace {

const std::string kFixtures = std::string(SLUICE_SOURCE_DIR) + "/tests/fixtures";
// Azurite starts in about 1.5 s on an idle machine; the tests share 2 cores with others.
constexpr std::chrono::seconds kStartTimeout{60};

// Reads `fd` until a line says where Azurite listens; returns that port.
int ReadPort(int fd) {
  static const std::regex kListening("successfully listens on http://127\\.0\\.0\\.1:([0-9]+)");
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  std::string text;
  std::smatch match;
  while (!std::regex_search(text, match, kListening)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) throw std::runtime_error("Azurite did not say where it listens within 60 s; it printed: " + text);
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left)) < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    if (pfd.revents == 0) continue;
    char buffer[512];
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n == 0) throw std::runtime_error("Azurite exited before listening (see its stderr); it printed: " + text);
    if (n > 0) text.append(buffer, static_cast<size_t>(n));
  }
  return std::stoi(match[1].str());
}

bool WaitExited(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t done = waitpid(pid, nullptr, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

Azurite::Azurite(const std::string& container) {
  Launch(0);
  try {
    Check({"create-container", container});
  } catch (...) {
    Stop();
    throw;
  }
}

Azurite::~Azurite() { Stop(); }

void Azurite::Launch(int port) {
  ChildProcess child = StartProcess({kFixtures + "/node_modules/.bin/azurite-blob", "--disableTelemetry", "--silent",
                                     "--skipApiVersionCheck", "--blobHost", "127.0.0.1", "--blobPort",
                                     std::to_string(port), "--location", location_.path().string()},
                                    {}, false);
  pid_ = child.pid;
  stdin_fd_ = child.stdin_fd;
  stdout_fd_ = child.stdout_fd;
  try {
    port_ = ReadPort(stdout_fd_);
  } catch (...) {
    Stop();
    throw;
  }
  endpoint_ = "http://127.0.0.1:" + std::to_string(port_) + "/" + kAccount;
}

void Azurite::Stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    if (!WaitExited(pid_, std::chrono::seconds(15))) {
      kill(pid_, SIGKILL);
      while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    pid_ = -1;
  }
  for (int* fd : {&stdin_fd_, &stdout_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

void Azurite::Start() {
  REQUIRE(pid_ < 0);
  Launch(port_);
}

EnvOverrides Azurite::KeyEnv() const {
  return {{"AZURE_STORAGE_ACCOUNT", std::string(kAccount)}, {"AZURE_STORAGE_KEY", std::string(kKey)},
          {"AZURE_STORAGE_BLOB_ENDPOINT", endpoint_}, {"AZURE_STORAGE_SAS_TOKEN", std::nullopt},
          {"AZURE_STORAGE_CONNECTION_STRING", std::nullopt}};
}

std::string Azurite::Check(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"node", kFixtures + "/azure-blob-check.mjs", "--endpoint", endpoint_, "--account",
                                   kAccount, "--key", kKey};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult run = RunProcess(argv);
  INFO("azure-blob-check " << args.front() << ": " << run.err);
  REQUIRE(run.exit_code == 0);
  return run.out;
}

rapidjson::Document Azurite::List(const std::string& container, const std::string& prefix) const {
  auto parsed = json::Parse(Check({"list", container, prefix}), "azure-blob-check list");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->IsArray());
  return std::move(parsed).value();
}

}  // namespace sluice
