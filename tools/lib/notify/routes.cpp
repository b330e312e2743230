#include "notify/routes.h"

#include <fmt/format.h>

#include "core/secrets.h"
#include "json/json.h"

namespace sluice::notify {
namespace {

Route ReadRoute(const rapidjson::Value& object, std::string name) {
  return Route{std::move(name), json::StringOr(object, "channel"), json::StringOr(object, "webhook_env")};
}

void RegisterWebhookSecret(const std::string& url) {
  constexpr std::string_view kServices = "/services/";
  std::size_t at = url.find(kServices);
  if (at != std::string::npos && at + kServices.size() < url.size()) {
    RegisterSecret(std::string_view(url).substr(at + kServices.size()));
  } else {
    RegisterSecret(url);
  }
}

}  // namespace

NotifyConfig ReadNotifyConfig(const pipeline::Manifest& manifest) {
  NotifyConfig config;
  if (!manifest.document) return config;
  const rapidjson::Value* notify = json::Member(*manifest.document, "notify");
  if (notify == nullptr) return config;
  if (const auto* routes = json::Member(*notify, "routes"); routes != nullptr && routes->IsObject()) {
    for (const auto& route : routes->GetObject()) {
      std::string name = route.name.GetString();
      config.routes[name] = ReadRoute(route.value, name);
    }
  }
  if (const auto* fallback = json::Member(*notify, "default"); fallback != nullptr && fallback->IsObject()) {
    config.fallback = ReadRoute(*fallback, "default");
  }
  return config;
}

std::optional<Route> RouteFor(const NotifyConfig& config, Event event, const std::string& severity) {
  if (event == Event::kFailure && !severity.empty()) {
    if (auto found = config.routes.find("failure_" + severity); found != config.routes.end()) return found->second;
  }
  if (auto found = config.routes.find(EventName(event)); found != config.routes.end()) return found->second;
  return config.fallback;
}

std::string Destination::Describe() const {
  return transport == Transport::kWebApi ? channel : "webhook $" + webhook_env;
}

Result<Destination> ResolveDestination(const Route& route, const Environment& env, bool dry_run) {
  const bool token = !env.GetOr("SLACK_BOT_TOKEN", "").empty();
  Destination destination;
  if (!route.channel.empty() && (token || route.webhook_env.empty())) {
    if (!token && !dry_run) {
      return ConfigError(fmt::format("notify route '{}' posts to channel {} with the Web API, but SLACK_BOT_TOKEN is "
                                     "not set: set it to the bot's token (a secret), or give the route a webhook_env",
                                     route.name, route.channel));
    }
    destination.transport = Transport::kWebApi;
    destination.channel = route.channel;
    return destination;
  }
  destination.transport = Transport::kWebhook;
  destination.webhook_env = route.webhook_env;
  destination.webhook_url = env.GetOr(route.webhook_env, "");
  if (destination.webhook_url.empty() && !dry_run) {
    return ConfigError(fmt::format("notify route '{}' posts to the incoming webhook in ${}, which is not set: set it to "
                                   "the webhook URL (a secret){}",
                                   route.name, route.webhook_env,
                                   route.channel.empty() ? "" : ", or set SLACK_BOT_TOKEN to post to " + route.channel));
  }
  if (!destination.webhook_url.empty()) RegisterWebhookSecret(destination.webhook_url);
  return destination;
}

}  // namespace sluice::notify
