// Where a notification goes: the manifest's notify section (routes by event, a default) and
// the transport that serves a route in this environment.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/env.h"
#include "core/status.h"
#include "notify/outcome.h"
#include "pipeline/manifest.h"

namespace sluice::notify {

struct Route {
  std::string name;         // the event it was configured for, or "default"
  std::string channel;      // "C0123ABCD" or "#name"; the Web API posts here
  std::string webhook_env;  // the variable holding an incoming webhook URL
};

struct NotifyConfig {
  std::map<std::string, Route> routes;  // by EventName
  std::optional<Route> fallback;        // notify.default
};

// The notify section of a validated manifest (absent: no routes at all).
NotifyConfig ReadNotifyConfig(const pipeline::Manifest& manifest);

// The route of `event`, else the default, else nullopt (the event is not posted). A failure
// with a `severity` takes failure_<severity> first (failure_production, failure_upstream).
std::optional<Route> RouteFor(const NotifyConfig& config, Event event, const std::string& severity = "");

enum class Transport { kWebApi, kWebhook };

struct Destination {
  Transport transport = Transport::kWebApi;
  std::string channel;      // kWebApi
  std::string webhook_env;  // kWebhook: the variable's name, what messages show
  std::string webhook_url;  // kWebhook: a secret, registered by ResolveDestination
  // For people: "#data", "C0123ABCD", "webhook $SLACK_WEBHOOK_DATA". Never the URL.
  std::string Describe() const;
};

// The Web API when SLACK_BOT_TOKEN is set and the route names a channel; else the route's
// webhook. A route that neither can serve is a ConfigError saying which variable to set. With
// `dry_run` a missing secret is no error: the destination is described, nothing is sent.
// The webhook URL is registered as a secret (the part after /services/, so messages can still
// show hooks.slack.com/services/***).
Result<Destination> ResolveDestination(const Route& route, const Environment& env, bool dry_run);

}  // namespace sluice::notify
