// Runs a command (argv, never a shell) and streams its stdout to a callback.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice {

struct CommandResult {
  int exit_code = -1;    // the command's own exit status; -1 if killed by a signal
  int signal = 0;        // the signal that ended it, 0 if none
  bool timed_out = false;
  std::string stderr_tail;  // the last 4 KiB of its stderr
};

// Runs `argv` in `working_dir`. Each stdout chunk goes to `on_stdout`; if that fails, the
// command is killed and its Status returned. A command that outlives `timeout` is killed
// (SIGTERM, then SIGKILL after a second). Failing to start (no such program) is an InputError.
Result<CommandResult> RunCommand(const std::vector<std::string>& argv, const std::string& working_dir,
                                 std::chrono::milliseconds timeout,
                                 const std::function<Status(std::string_view)>& on_stdout);

}  // namespace sluice
