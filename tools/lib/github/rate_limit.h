// GitHub's rate limits, read from a response: how long to wait before the next request, if the
// answer was a rate-limit refusal at all.
//
// Documented behaviour (docs.github.com, "Rate limits for the REST API"): a primary limit
// answers 403 or 429 with x-ratelimit-remaining: 0 and x-ratelimit-reset (epoch seconds); a
// secondary limit answers 403 or 429, usually with retry-after (seconds), and otherwise asks
// for at least a minute's wait.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "http/client.h"

namespace sluice::github {

enum class RateLimitKind { kPrimary, kSecondary };

struct RateLimitWait {
  RateLimitKind kind = RateLimitKind::kSecondary;
  std::chrono::milliseconds wait{0};
  std::string reason;  // e.g. "primary rate limit (resets at 16:00:05 UTC)"
};

// nullopt when `response` is not a rate-limit refusal.
std::optional<RateLimitWait> RateLimitWaitFor(const http::Response& response, std::chrono::system_clock::time_point now);

}  // namespace sluice::github
