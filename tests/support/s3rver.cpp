#include "support/s3rver.h"

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

constexpr std::chrono::seconds kStartTimeout{30};

std::string ReadFirstLine(int fd) {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  std::string text;
  while (text.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) throw std::runtime_error("s3-emulator printed no URL within 30 s");
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left)) < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    if (pfd.revents == 0) continue;
    char buffer[256];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n == 0) throw std::runtime_error("s3-emulator exited before printing its URL (see its stderr)");
    if (n > 0) text.append(buffer, static_cast<size_t>(n));
  }
  return text.substr(0, text.find('\n'));
}

http::Response Call(const std::string& method, const std::string& url) {
  http::Client client(http::RetryPolicy{1, std::chrono::milliseconds(10), std::chrono::milliseconds(10),
                                        std::chrono::milliseconds(10)});
  http::Transfer transfer;
  transfer.request.method = method;
  transfer.request.url = url;
  transfer.request.timeout = std::chrono::seconds(30);
  auto response = client.Perform(transfer);
  if (!response.ok()) throw std::runtime_error(response.status().message());
  return std::move(response).value();
}

}  // namespace

S3rver::S3rver() { Start(0); }

S3rver::~S3rver() { Stop(); }

void S3rver::Start(int port) {
  const std::string script = std::string(SLUICE_SOURCE_DIR) + "/tests/fixtures/s3-emulator.mjs";
  ChildProcess child = StartProcess({"node", script, "--directory", root_.path().string(), "--bucket", kBucket, "--port",
                                     std::to_string(port), "--watch-stdin"},
                                    {}, false);
  pid_ = child.pid;
  stdin_fd_ = child.stdin_fd;
  stdout_fd_ = child.stdout_fd;
  try {
    const std::string line = ReadFirstLine(stdout_fd_);
    const std::size_t at = line.find("http://");
    if (at == std::string::npos) throw std::runtime_error("s3-emulator: expected its URL, got: " + line);
    url_ = line.substr(at);
    port_ = std::stoi(url_.substr(url_.rfind(':') + 1));
  } catch (...) {
    Stop();
    throw;
  }
}

void S3rver::Stop() {
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

void S3rver::Kill() { Stop(); }

void S3rver::Restart() {
  Stop();
  Start(port_);
}

EnvOverrides S3rver::Env() const {
  EnvOverrides env = {{"AWS_ACCESS_KEY_ID", std::string(kKeyId)}, {"AWS_SECRET_ACCESS_KEY", std::string(kSecret)},
                      {"AWS_ENDPOINT_URL_S3", url_}, {"AWS_REGION", std::string("us-east-1")}};
  for (const char* variable : {"AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "AWS_PROFILE",
                               "GOOGLE_HMAC_ACCESS_KEY_ID", "GOOGLE_HMAC_SECRET", "STORAGE_EMULATOR_HOST",
                               "SLUICE_S3_MULTIPART_THRESHOLD"}) {
    env.emplace(variable, std::nullopt);
  }
  return env;
}

void S3rver::ExitAfterWrites(int writes) const {
  REQUIRE(Call("POST", url_ + "/_gate/exit-after?puts=" + std::to_string(writes)).status == 200);
}

std::vector<S3Request> S3rver::Requests() const {
  http::Response response = Call("GET", url_ + "/_gate/requests");
  REQUIRE(response.status == 200);
  auto log = json::Parse(response.body, "s3-emulator request log");
  REQUIRE(log.ok());
  std::vector<S3Request> requests;
  for (const auto& entry : log->GetArray()) {
    S3Request request{json::StringOr(entry, "method"), json::StringOr(entry, "path"), json::StringOr(entry, "query"),
                      json::StringOr(entry, "region"), json::StringOr(entry, "condition"), 0};
    const rapidjson::Value* status = json::Member(entry, "status");
    if (status != nullptr && status->IsNumber()) request.status = static_cast<long>(status->GetDouble());
    requests.push_back(std::move(request));
  }
  return requests;
}

void S3rver::ClearRequests() const { REQUIRE(Call("DELETE", url_ + "/_gate/requests").status == 200); }

std::vector<S3Request> S3rver::AcceptedWrites() const {
  std::vector<S3Request> writes;
  for (auto& request : Requests()) {
    if (request.method != "GET" && request.method != "HEAD" && request.status >= 200 && request.status < 300) {
      writes.push_back(request);
    }
  }
  return writes;
}

std::string S3rver::Check(const std::string& prefix) const {
  ProcessResult run = RunProcess({"node", std::string(SLUICE_SOURCE_DIR) + "/tests/fixtures/s3-check.mjs", "--endpoint",
                                  url_, "--bucket", kBucket, "--prefix", prefix});
  INFO("s3-check: " << run.err);
  REQUIRE(run.exit_code == 0);
  return run.out;
}

}  // namespace sluice
