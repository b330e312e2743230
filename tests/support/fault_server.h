// Helpers for tests that talk to tests/fixtures/http_fault_server.py through http::Client.
#pragma once

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

// Retries with waits of tens of milliseconds, so that retry tests stay fast.
http::RetryPolicy FastRetries(int attempts = 3);

// A GET of `path` on the shared server, 10 s timeout.
http::Transfer FaultGet(const std::string& path, http::BodySink* sink = nullptr);

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
