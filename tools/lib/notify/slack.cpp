#include "notify/slack.h"

#include <thread>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/secrets.h"
#include "json/json.h"

namespace sluice::notify {
namespace {

http::Request JsonPost(const std::string& url, const std::string& body) {
  http::Request request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  request.body = body;
  request.timeout = std::chrono::seconds(30);
  request.max_bytes = 1 << 20;
  request.max_redirects = 0;
  return request;
}

std::string Advised(const std::string& error) {
  std::string advice = AdviceFor(error);
  return advice.empty() ? error : error + ": " + advice;
}

std::string ReactionPayload(const std::string& channel, const std::string& ts, const std::string& name) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("channel");
  writer.String(channel.c_str());
  writer.Key("timestamp");
  writer.String(ts.c_str());
  writer.Key("name");
  writer.String(name.c_str());
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::string AdviceFor(const std::string& error) {
  static const std::map<std::string, std::string> kAdvice = {
      {"invalid_blocks", "Slack refused the blocks (over its limits or malformed): report it as a sluice-notify bug"},
      {"invalid_blocks_format", "Slack refused the blocks' format: report it as a sluice-notify bug"},
      {"msg_too_long", "the message is too long: report it as a sluice-notify bug"},
      {"channel_not_found", "check the channel id in the manifest's notify.routes, and that the bot can see it"},
      {"not_in_channel", "invite the bot to the channel (/invite @<bot> in Slack)"},
      {"is_archived", "the channel is archived: route the event to another channel in notify.routes"},
      {"channel_is_archived", "the channel is archived: route the event to another channel in notify.routes"},
      {"invalid_auth", "SLACK_BOT_TOKEN is not a valid token: rotate the secret"},
      {"not_authed", "no token reached Slack: set SLACK_BOT_TOKEN"},
      {"token_revoked", "SLACK_BOT_TOKEN was revoked: install the app again and update the secret"},
      {"account_inactive", "the bot's account is deactivated: reinstall the app and update SLACK_BOT_TOKEN"},
      {"missing_scope", "the bot lacks a scope: give it chat:write and reactions:write"},
      {"ratelimited", "Slack kept rate-limiting after the retries: rerun later"},
      {"no_service", "the webhook was removed or disabled: create a new one and update its secret"},
      {"invalid_token", "the webhook's token is invalid: create a new webhook and update its secret"},
      {"no_text", "the payload had no text: report it as a sluice-notify bug"},
      {"invalid_payload", "Slack could not read the payload: report it as a sluice-notify bug"},
  };
  auto found = kAdvice.find(error);
  return found == kAdvice.end() ? "" : found->second;
}

SlackSender::SlackSender(http::Client& client, std::string api_url, std::string token,
                         std::chrono::milliseconds min_interval)
    : client_(client), api_url_(std::move(api_url)), token_(std::move(token)), min_interval_(min_interval) {
  while (!api_url_.empty() && api_url_.back() == '/') api_url_.pop_back();
}

void SlackSender::Pace(const std::string& channel) {
  auto now = std::chrono::steady_clock::now();
  auto last = last_post_.find(channel);
  if (last != last_post_.end() && now - last->second < min_interval_) {
    std::this_thread::sleep_for(min_interval_ - (now - last->second));
  }
  last_post_[channel] = std::chrono::steady_clock::now();
}

Result<rapidjson::Document> WebApiAnswerOf(const std::string& method, const std::string& what,
                                           const http::Response& response) {
  if (response.status != 200) {
    return ExternalError(fmt::format("Slack {} {} answered HTTP {} after {} attempt(s){}; rerun later or check "
                                     "status.slack.com",
                                     method, what, response.status, response.attempts,
                                     response.attempt_log.empty() ? "" : " (" + response.attempt_log.back() + ")"));
  }
  auto answer = json::Parse(response.body, "Slack " + method + " answer");
  if (!answer.ok() || !answer->IsObject()) {
    return ExternalError(fmt::format("Slack {} {} answered with something that is not JSON: {}", method, what,
                                     Mask(response.body.substr(0, 200))));
  }
  const auto* ok = json::Member(*answer, "ok");
  if (ok == nullptr || !ok->IsBool() || !ok->GetBool()) {
    std::string error = json::StringOr(*answer, "error", "no error code");
    return Status(ErrorKind::kExternal, fmt::format("Slack refused {} {}: {}", method, what, Advised(error)));
  }
  return std::move(answer).value();
}

Result<PostedMessage> PostedMessageOf(const rapidjson::Value& answer, const std::string& channel) {
  PostedMessage posted{json::StringOr(answer, "channel", channel), json::StringOr(answer, "ts")};
  if (posted.ts.empty()) return ExternalError(fmt::format("Slack chat.postMessage to {} answered ok without a ts", channel));
  return posted;
}

Status WebhookAnswerOf(const std::string& what, const http::Response& response) {
  std::string body = response.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) body.pop_back();
  if (response.status == 200 && body == "ok") return Status::Ok();
  return ExternalError(fmt::format("Slack refused the post to {}: HTTP {}, {}", what, response.status,
                                   Advised(Mask(body.substr(0, 200)))));
}

Result<rapidjson::Document> SlackSender::Call(const std::string& method, const std::string& payload, const std::string& what) {
  http::Transfer transfer;
  transfer.request = JsonPost(api_url_ + "/" + method, payload);
  transfer.request.headers.emplace_back("Authorization", "Bearer " + token_);
  auto response = client_.Perform(transfer);
  if (!response.ok()) {
    ++counters_.requests;
    return ExternalError(fmt::format("Slack {} {} failed: {}", method, what, Mask(response.status().message())));
  }
  counters_.requests += response->attempts;
  counters_.retries += response->attempts > 1 ? response->attempts - 1 : 0;
  return WebApiAnswerOf(method, what, *response);
}

Result<PostedMessage> SlackSender::PostMessage(const std::string& channel, const SlackMessage& message,
                                               const std::string& thread_ts) {
  Pace(channel);
  auto answer = Call("chat.postMessage", PayloadJson(message, channel, thread_ts),
                     fmt::format("to {}{}", channel, thread_ts.empty() ? "" : " (thread " + thread_ts + ")"));
  if (!answer.ok()) return answer.status();
  return PostedMessageOf(*answer, channel);
}

Status SlackSender::AddReaction(const std::string& channel, const std::string& ts, const std::string& name) {
  auto answer = Call("reactions.add", ReactionPayload(channel, ts, name), fmt::format(":{}: on {} {}", name, channel, ts));
  if (!answer.ok() && answer.status().message().find(": already_reacted") != std::string::npos) return Status::Ok();
  return answer.status();
}

Status SlackSender::PostWebhook(const std::string& env_name, const std::string& url, const SlackMessage& message) {
  Pace("$" + env_name);
  http::Transfer transfer;
  transfer.request = JsonPost(url, PayloadJson(message, "", ""));
  const std::string what = fmt::format("the incoming webhook in ${}", env_name);
  auto response = client_.Perform(transfer);
  if (!response.ok()) {
    ++counters_.requests;
    return ExternalError(fmt::format("posting to {} failed: {}", what, Mask(response.status().message())));
  }
  counters_.requests += response->attempts;
  counters_.retries += response->attempts > 1 ? response->attempts - 1 : 0;
  return WebhookAnswerOf(what, *response);
}

}  // namespace sluice::notify
