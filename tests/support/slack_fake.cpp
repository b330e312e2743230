#include "support/slack_fake.h"

#include <stdexcept>

#include "http/client.h"
#include "json/json.h"

namespace sluice {
namespace {

std::vector<std::string> Arguments(const std::vector<std::string>& channels) {
  std::vector<std::string> args = {"--token", SlackFake::kToken, "--webhook", SlackFake::kWebhookPath};
  for (const auto& channel : channels) {
    args.push_back("--channel");
    args.push_back(channel);
  }
  return args;
}

std::string Control(const std::string& method, const std::string& url, const std::string& body) {
  http::Client client;
  http::Transfer transfer;
  transfer.request.method = method;
  transfer.request.url = url;
  transfer.request.body = body;
  transfer.request.timeout = std::chrono::seconds(10);
  auto response = client.Perform(transfer);
  if (!response.ok() || response->status != 200) throw std::runtime_error("slack fake: " + method + " " + url + " failed");
  return response->body;
}

}  // namespace

SlackFake::SlackFake(const std::vector<std::string>& channels)
    : server_(Arguments(channels), "tests/fixtures/slack_fake.py") {}

std::vector<SlackRequest> SlackFake::Requests() const {
  auto log = json::Parse(Control("GET", server_.url("/_fake/requests"), ""), "slack fake requests");
  if (!log.ok()) throw std::runtime_error(log.status().message());
  std::vector<SlackRequest> requests;
  for (const auto& entry : log->GetArray()) {
    SlackRequest request;
    request.path = json::StringOr(entry, "path");
    request.authorization = json::StringOr(entry, "authorization");
    if (const auto* body = json::Member(entry, "body")) {
      request.body = body->IsString() ? body->GetString() : json::Write(*body);
      if (body->IsObject()) {
        request.channel = json::StringOr(*body, "channel");
        request.thread_ts = json::StringOr(*body, "thread_ts");
        request.text = json::StringOr(*body, "text");
        request.name = json::StringOr(*body, "name");
      }
    }
    if (const auto* status = json::Member(entry, "status"); status != nullptr && status->IsInt()) request.status = status->GetInt();
    request.answer = json::StringOr(entry, "answer");
    requests.push_back(std::move(request));
  }
  return requests;
}

std::vector<SlackRequest> SlackFake::Messages() const {
  std::vector<SlackRequest> messages;
  for (auto& request : Requests()) {
    if (request.path == "/api/chat.postMessage" && request.answer.find("\"ok\": true") != std::string::npos) {
      messages.push_back(std::move(request));
    }
  }
  return messages;
}

void SlackFake::AddFault(const std::string& fault) const { Control("POST", server_.url("/_fake/faults"), fault); }

}  // namespace sluice
