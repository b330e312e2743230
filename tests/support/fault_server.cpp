#include "support/fault_server.h"

#include <regex>
#include <stdexcept>

namespace sluice {

using namespace std::chrono_literals;

FixtureServer& SharedFaultServer() {
  static FixtureServer server;
  return server;
}

std::string FaultPattern(size_t n) {
  std::string text = "row,value\n";
  for (long i = 1; text.size() < n; ++i) text += std::to_string(i) + "," + std::to_string(i * 7919 % 10007) + "\n";
  text.resize(n);
  if (n > 0) text.back() = '\n';
  return text;
}

std::string FaultStats(const FixtureServer& server, const std::string& id) {
  http::Client client(FastRetries(1));
  http::Transfer transfer;
  transfer.request.url = server.url("/stats?id=" + id);
  auto response = client.Perform(transfer);
  if (!response.ok()) throw std::runtime_error("fault server stats: " + response.status().message());
  return response->body;
}

int FaultRequestsSeen(const FixtureServer& server, const std::string& id) {
  const std::string stats = FaultStats(server, id);
  std::smatch match;
  if (!std::regex_search(stats, match, std::regex("\"count\": (\\d+)"))) {
    throw std::runtime_error("fault server stats without a count: " + stats);
  }
  return std::stoi(match[1]);
}

std::string FaultStats(const std::string& id) { return FaultStats(SharedFaultServer(), id); }

int FaultRequestsSeen(const std::string& id) { return FaultRequestsSeen(SharedFaultServer(), id); }

http::RetryPolicy FastRetries(int attempts, std::chrono::milliseconds max_delay) {
  http::RetryPolicy policy;
  policy.attempts = attempts;
  policy.base_delay = 20ms;
  policy.max_delay = max_delay;
  policy.budget = 10s;
  return policy;
}

http::Transfer FaultGet(const std::string& path, http::BodySink* sink) {
  http::Transfer transfer;
  transfer.request.url = SharedFaultServer().url(path);
  transfer.request.timeout = 10s;
  transfer.sink = sink;
  return transfer;
}

}  // namespace sluice
