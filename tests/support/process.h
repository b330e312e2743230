// Child processes for tests: run a built tool as a user would, or start a fixture server.
// No shell is involved anywhere: argv goes to posix_spawnp as it is.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

// Environment changes for the child: a value sets the variable, nullopt removes it; every
// other variable is inherited.
using EnvOverrides = std::map<std::string, std::optional<std::string>>;

struct ProcessResult {
  int exit_code = -1;  // the exit status, or 128 + signal number when killed by a signal
  std::string out;
  std::string err;
  bool timed_out = false;  // killed (SIGKILL) after the timeout
};

// Runs argv[0] (searched in PATH) with `stdin_text` as its standard input, collects both
// output streams without deadlock whatever their size, and waits for it. Throws
// std::runtime_error when the program cannot be started.
ProcessResult RunProcess(const std::vector<std::string>& argv, const EnvOverrides& env = {},
                         const std::string& stdin_text = "",
                         std::chrono::milliseconds timeout = std::chrono::seconds(120));

// A started child and our ends of its standard streams (-1 where the stream is inherited).
// Low level: the caller closes the descriptors and reaps the pid.
struct ChildProcess {
  pid_t pid = -1;
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// Starts argv with stdin and stdout piped, and stderr piped too when `pipe_stderr` (else
// inherited, so a fixture's complaints show in the test log). Throws std::runtime_error.
ChildProcess StartProcess(const std::vector<std::string>& argv, const EnvOverrides& env, bool pipe_stderr);

}  // namespace sluice
