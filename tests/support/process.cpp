#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;

// Writing to a child that exited must give EPIPE, not kill the test run.
void IgnoreSigpipeOnce() {
  static const bool done = [] {
    signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

std::vector<std::string> BuildEnvironment(const EnvOverrides& overrides) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string variable(*entry);
    if (overrides.count(variable.substr(0, variable.find('='))) == 0) result.push_back(std::move(variable));
  }
  for (const auto& [name, value] : overrides) {
    if (value) result.push_back(name + "=" + *value);
  }
  return result;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

struct Pipe {
  int read = -1;
  int write = -1;
};

Pipe MakePipe() {
  int fds[2];
  // Close-on-exec, so no other child inherits our ends; dup2 in the child clears the flag.
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  return {fds[0], fds[1]};
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Feeds stdin and drains stdout/stderr together: a child blocked writing a full pipe while
// we block writing its stdin would otherwise never finish.
void Exchange(ChildProcess& child, const std::string& input, ProcessResult& result, Clock::time_point deadline) {
  size_t written = 0;
  if (input.empty()) CloseFd(child.stdin_fd);
  else fcntl(child.stdin_fd, F_SETFL, O_NONBLOCK);
  while (child.stdout_fd >= 0 || child.stderr_fd >= 0) {
    pollfd fds[3] = {{child.stdin_fd, POLLOUT, 0}, {child.stdout_fd, POLLIN, 0}, {child.stderr_fd, POLLIN, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      result.timed_out = true;
      return;
    }
    if (poll(fds, 3, static_cast<int>(left)) < 0 && errno != EINTR) return;
    if (fds[0].revents != 0) {
      ssize_t n = write(child.stdin_fd, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN) || written == input.size()) CloseFd(child.stdin_fd);
    }
    std::string* sinks[2] = {&result.out, &result.err};
    int* readers[2] = {&child.stdout_fd, &child.stderr_fd};
    for (int i = 0; i < 2; ++i) {
      if (fds[i + 1].revents == 0) continue;
      char buffer[65536];
      ssize_t n = read(*readers[i], buffer, sizeof buffer);
      if (n > 0) sinks[i]->append(buffer, static_cast<size_t>(n));
      else if (n == 0 || errno != EINTR) CloseFd(*readers[i]);
    }
  }
}

// Waits for the child; one that outlives the deadline (it may have closed its outputs and
// gone on running) is killed.
int Reap(pid_t pid, Clock::time_point deadline, bool& timed_out) {
  int status = 0;
  bool killed = false;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) return status;
    if (!killed && (timed_out || Clock::now() >= deadline)) {
      timed_out = killed = true;
      kill(pid, SIGKILL);
    }
    if (done == 0) usleep(killed ? 1000 : 5000);
  }
}

}  // namespace

ChildProcess StartProcess(const std::vector<std::string>& argv, const EnvOverrides& env, bool pipe_stderr) {
  if (argv.empty()) throw std::invalid_argument("StartProcess: empty argv");
  IgnoreSigpipeOnce();
  Pipe in = MakePipe(), out = MakePipe(), err = pipe_stderr ? MakePipe() : Pipe{};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
  if (pipe_stderr) posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
  // We ignore SIGPIPE; an ignored signal stays ignored across exec unless reset here.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args = argv;
  std::vector<std::string> environment = BuildEnvironment(env);
  std::vector<char*> c_args = CStrings(args), c_env = CStrings(environment);
  pid_t pid = -1;
  const int error = posix_spawnp(&pid, c_args[0], &actions, &attributes, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  CloseFd(in.read);
  CloseFd(out.write);
  CloseFd(err.write);
  if (error != 0) {
    CloseFd(in.write);
    CloseFd(out.read);
    CloseFd(err.read);
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(error));
  }
  return {pid, in.write, out.read, err.read};
}

ProcessResult RunProcess(const std::vector<std::string>& argv, const EnvOverrides& env, const std::string& stdin_text,
                         std::chrono::milliseconds timeout) {
  ChildProcess child = StartProcess(argv, env, true);
  ProcessResult result;
  const auto deadline = Clock::now() + timeout;
  Exchange(child, stdin_text, result, deadline);
  CloseFd(child.stdin_fd);
  CloseFd(child.stdout_fd);
  CloseFd(child.stderr_fd);
  result.exit_code = DecodeWaitStatus(Reap(child.pid, deadline, result.timed_out));
  return result;
}

}  // namespace sluice
