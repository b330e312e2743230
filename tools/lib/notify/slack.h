// Slack's two ways in: the Web API with a bot token (chat.postMessage, reactions.add: threads
// and reactions) and incoming webhooks (a URL that is itself the secret; no ts, no threads).
// A refused post is a failure (kExternal), never a success: Web API answers are judged by their
// "ok", webhook answers by HTTP 200 and the body "ok". 429 is retried after Retry-After by the
// http layer. Posts to one channel are paced (Slack allows about one message a second).
#pragma once

#include <chrono>
#include <map>
#include <string>

#include <rapidjson/document.h>

#include "core/status.h"
#include "http/client.h"
#include "notify/message.h"

namespace sluice::notify {

struct PostedMessage {
  std::string channel;  // the id Slack answered with ("#name" becomes "C...")
  std::string ts;
};

struct SlackCounters {
  int requests = 0;  // HTTP requests, retries included
  int retries = 0;
};

class SlackSender {
 public:
  // `api_url` like https://slack.com/api (SLACK_API_URL); `token` the bot token (a secret,
  // registered by the caller); `min_interval` between two posts to the same channel.
  SlackSender(http::Client& client, std::string api_url, std::string token, std::chrono::milliseconds min_interval);

  Result<PostedMessage> PostMessage(const std::string& channel, const SlackMessage& message, const std::string& thread_ts);
  // "already_reacted" counts as done: a rerun repeats its reaction.
  Status AddReaction(const std::string& channel, const std::string& ts, const std::string& name);
  // `env_name` names the variable the URL came from: errors show it, never the URL.
  Status PostWebhook(const std::string& env_name, const std::string& url, const SlackMessage& message);

  const SlackCounters& counters() const { return counters_; }

 private:
  Result<rapidjson::Document> Call(const std::string& method, const std::string& payload, const std::string& what);
  void Pace(const std::string& channel);

  http::Client& client_;
  std::string api_url_;
  std::string token_;
  std::chrono::milliseconds min_interval_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_post_;
  SlackCounters counters_;
};

// What Slack's answers say, from the answer alone: SlackSender calls these, and so does the fuzz
// target slack_answer (tests/fuzz), without a server. `what` names the post for messages
// ("to C123 (thread 1.2)"). A Web API answer counts when it is HTTP 200 with "ok": true, and
// is returned as JSON; anything else is an ExternalError with Slack's error code and advice.
Result<rapidjson::Document> WebApiAnswerOf(const std::string& method, const std::string& what,
                                           const http::Response& response);
// chat.postMessage's answer: the channel (`channel` when it names none) and the ts; no ts is
// an error, as a thread could not hang on it.
Result<PostedMessage> PostedMessageOf(const rapidjson::Value& answer, const std::string& channel);
// An incoming webhook's answer: HTTP 200 and the body "ok", else an error naming `what`.
Status WebhookAnswerOf(const std::string& what, const http::Response& response);

// What to do about a Web API or webhook error code ("channel_not_found" -> "check the channel
// id in the manifest's notify.routes"); "" for codes without advice.
std::string AdviceFor(const std::string& error);

}  // namespace sluice::notify
