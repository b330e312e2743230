// tests/fixtures/slack_fake.py for the length of a test: Slack's Web API (chat.postMessage,
// reactions.add) and incoming webhooks on 127.0.0.1, judging payloads by Slack's limits and
// recording every request.
#pragma once

#include <string>
#include <vector>

#include "support/fixture_server.h"

namespace sluice {

struct SlackRequest {
  std::string path;           // "/api/chat.postMessage", "/services/T1/B1/X1"
  std::string authorization;  // as sent
  std::string body;           // the JSON body as sent (compact)
  long status = 0;
  std::string answer;
  // Members of the body, for the tests' convenience ("" when absent).
  std::string channel;
  std::string thread_ts;
  std::string text;
  std::string name;  // reactions.add
};

class SlackFake {
 public:
  static constexpr const char* kToken = "xoxb-1234-5678-secretbottoken";
  // A webhook path the fake accepts; the URL built from it is a secret in the tests.
  static constexpr const char* kWebhookPath = "T0001/B0001/hooksecretXYZ123";

  explicit SlackFake(const std::vector<std::string>& channels);

  std::string api_url() const { return server_.url("/api"); }
  std::string webhook_url() const { return server_.url(std::string("/services/") + kWebhookPath); }

  std::vector<SlackRequest> Requests() const;
  // Posts of chat.postMessage that Slack accepted, in order.
  std::vector<SlackRequest> Messages() const;
  // `fault` is the JSON of POST /_fake/faults (see the script).
  void AddFault(const std::string& fault) const;

 private:
  FixtureServer server_;
};

}  // namespace sluice
