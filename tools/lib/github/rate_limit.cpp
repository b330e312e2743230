#include "github/rate_limit.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace sluice::github {
namespace {

using std::chrono::milliseconds;

// GitHub: "If you do not receive a retry-after or x-ratelimit-reset header, wait at least one
// minute before retrying."
constexpr milliseconds kSecondaryDefaultWait{60'000};
// GitHub's primary limit counts requests an hour.
constexpr long long kWindowSeconds = 3600;

std::optional<long long> ParseInteger(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  try {
    size_t used = 0;
    long long value = std::stoll(*text, &used);
    if (used != text->size()) return std::nullopt;
    return value;
  } catch (...) {
    return std::nullopt;
  }
}

std::string UtcClock(long long epoch_seconds) {
  std::time_t seconds = static_cast<std::time_t>(epoch_seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:02}:{:02}:{:02} UTC", utc.tm_hour, utc.tm_min, utc.tm_sec);
}

}  // namespace

std::optional<RateLimitWait> RateLimitWaitFor(const http::Response& response, std::chrono::system_clock::time_point now) {
  if (response.status != 403 && response.status != 429) return std::nullopt;
  const auto remaining = ParseInteger(response.Header("x-ratelimit-remaining"));
  const auto reset = ParseInteger(response.Header("x-ratelimit-reset"));
  const auto retry_after = response.Header("retry-after");
  if (retry_after) {
    if (auto wait = http::ParseRetryAfter(*retry_after, now)) {
      return RateLimitWait{RateLimitKind::kSecondary, *wait,
                           fmt::format("secondary rate limit (retry-after {} s)", (wait->count() + 999) / 1000)};
    }
  }
  if (remaining && *remaining == 0 && reset) {
    // The window is an hour, so a reset further off than that is not GitHub's; clamped before
    // it becomes a time_point, whose nanoseconds overflow past 2262.
    const long long now_seconds = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
    const long long reset_seconds = std::clamp<long long>(*reset, now_seconds - 1, now_seconds + kWindowSeconds);
    const auto reset_at = std::chrono::system_clock::time_point(std::chrono::seconds(reset_seconds));
    // The reset is in whole seconds; one more second keeps us from arriving a moment early.
    auto wait = std::chrono::ceil<milliseconds>(reset_at - now) + milliseconds(1000);
    if (wait < milliseconds(0)) wait = milliseconds(0);
    return RateLimitWait{RateLimitKind::kPrimary, wait,
                         fmt::format("primary rate limit exhausted (resets at {})", UtcClock(*reset))};
  }
  // A 403 without rate-limit headers is a permission problem, unless GitHub says otherwise.
  const bool says_secondary = response.body.find("secondary rate limit") != std::string::npos;
  if (response.status == 429 || says_secondary) {
    return RateLimitWait{RateLimitKind::kSecondary, kSecondaryDefaultWait, "secondary rate limit (no retry-after)"};
  }
  return std::nullopt;
}

}  // namespace sluice::github
