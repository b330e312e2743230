// A fixture server from tests/fixtures/ run as a child process for the length of a test.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sluice {

class FixtureServer {
 public:
  // Starts `python3 <SLUICE_SOURCE_DIR>/<script> args...` and waits up to 10 s for the
  // "PORT <n>" line it prints first. Throws std::runtime_error when that does not come.
  // The script must print nothing else to stdout: no one reads it after the PORT line.
  explicit FixtureServer(std::vector<std::string> args = {},
                         const std::string& script = "tests/fixtures/http_fault_server.py");
  // Kills the server and waits for it.
  ~FixtureServer();
  FixtureServer(const FixtureServer&) = delete;
  FixtureServer& operator=(const FixtureServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>"; `path` starts with '/'.
  std::string url(const std::string& path) const;

 private:
  void Stop();

  pid_t pid_ = -1;
  int stdin_fd_ = -1;  // held open: the server exits when it closes
  int stdout_fd_ = -1;
  int port_ = 0;
};

}  // namespace sluice
