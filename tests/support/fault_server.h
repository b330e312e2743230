// Helpers for tests that talk to tests/fixtures/http_fault_server.py through http::Client.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "http/client.h"
#include "support/fixture_server.h"

namespace sluice {

// One fault server for the whole test binary; tests keep apart by using distinct ?id= values.
FixtureServer& SharedFaultServer();

// The n bytes that /bytes/<n>, /reset, /truncate and /slow serve (pattern() in the script).
std::string FaultPattern(size_t n);

// What the server saw for `id`: {"id": ..., "count": n, "headers": {...last request's...}}.
// Throws std::runtime_error when the server cannot be asked.
std::string FaultStats(const FixtureServer& server, const std::string& id);
int FaultRequestsSeen(const FixtureServer& server, const std::string& id);
// The same, asked of SharedFaultServer().
std::string FaultStats(const std::string& id);
int FaultRequestsSeen(const std::string& id);

// Retries with waits of tens of milliseconds, so that retry tests stay fast. `max_delay` caps
// every wait, a Retry-After's included: raise it where a test needs a Retry-After honoured.
http::RetryPolicy FastRetries(int attempts = 3, std::chrono::milliseconds max_delay = std::chrono::milliseconds(200));

// A GET of `path` on the shared server, 10 s timeout.
http::Transfer FaultGet(const std::string& path, http::BodySink* sink = nullptr);

// Time since construction, for tests that bound how long transfers took.
class Stopwatch {
 public:
  std::chrono::milliseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// A sink that keeps the body in memory and counts its resets.
struct StringSink : http::BodySink {
  std::string data;
  int resets = 0;
  Status OnData(std::string_view chunk) override {
    data.append(chunk);
    return Status::Ok();
  }
  Status Reset() override {
    data.clear();
    ++resets;
    return Status::Ok();
  }
};

}  // namespace sluice
