// tests/fixtures/s3-emulator.mjs (s3rver behind a SigV4-checking gate) for the length of one
// test: one bucket in a temporary directory, on 127.0.0.1 and a port of its own. It can be
// killed mid-run and restarted on the same directory and port.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace sluice {

// One request the gate saw.
struct S3Request {
  std::string method;
  std::string path;   // "/bucket/key", percent-encoded as sent
  std::string query;  // "?uploads=" or ""
  std::string region; // of the signature's credential scope
  std::string condition;  // "if-none-match: *", "if-match: \"…\"", "x-goog-if-generation-match: 0" or ""
  long status = 0;
};

class S3rver {
 public:
  static constexpr const char* kBucket = "sluice-test";
  static constexpr const char* kKeyId = "S3RVER";  // s3rver's built-in account
  static constexpr const char* kSecret = "S3RVER";

  S3rver();  // throws when the emulator does not come up
  ~S3rver();
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  const std::string& url() const { return url_; }
  // The variables a workflow step would set for s3:// targets on this emulator.
  EnvOverrides Env() const;

  // SIGKILL, as a crash; then start again on the same directory and port.
  void Kill();
  void Restart();
  // The emulator exits by itself right after answering its `writes`-th PUT or POST from now.
  void ExitAfterWrites(int writes) const;

  std::vector<S3Request> Requests() const;
  void ClearRequests() const;
  // PUT, POST and DELETE requests the emulator accepted (2xx).
  std::vector<S3Request> AcceptedWrites() const;

  // tests/fixtures/s3-check.mjs: every object under `prefix` as the AWS SDK reads it (JSON).
  std::string Check(const std::string& prefix) const;

 private:
  void Start(int port);
  void Stop();

  TempDir root_;
  std::string url_;
  int port_ = 0;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
};

}  // namespace sluice
