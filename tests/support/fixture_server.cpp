#include "support/fixture_server.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

#include "support/process.h"

namespace sluice {
namespace {

constexpr std::chrono::seconds kStartTimeout{10};

// Reads stdout until the first line is complete; returns it without the newline.
std::string ReadFirstLine(int fd, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  std::string text;
  while (text.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) throw std::runtime_error(what + " printed no PORT line within 10 s");
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left)) < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    if (pfd.revents == 0) continue;
    char buffer[256];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n == 0) throw std::runtime_error(what + " exited before printing its PORT line (see its stderr)");
    if (n > 0) text.append(buffer, static_cast<size_t>(n));
  }
  return text.substr(0, text.find('\n'));
}

}  // namespace

FixtureServer::FixtureServer(std::vector<std::string> args, const std::string& script) {
  const std::string path = std::string(SLUICE_SOURCE_DIR) + "/" + script;
  std::vector<std::string> argv = {"python3", path};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess child = StartProcess(argv, {}, false);
  pid_ = child.pid;
  stdin_fd_ = child.stdin_fd;
  stdout_fd_ = child.stdout_fd;
  try {
    const std::string line = ReadFirstLine(stdout_fd_, path);
    if (line.rfind("PORT ", 0) != 0) throw std::runtime_error(path + ": expected \"PORT <n>\", got: " + line);
    port_ = std::stoi(line.substr(5));
  } catch (...) {
    Stop();  // a throwing constructor runs no destructor
    throw;
  }
}

FixtureServer::~FixtureServer() { Stop(); }

std::string FixtureServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void FixtureServer::Stop() {
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

}  // namespace sluice
