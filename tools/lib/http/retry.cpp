// The timing half of the retry policy: backoff with jitter and Retry-After.
#include <time.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <random>
#include <string>

#include "http/client.h"

namespace sluice::http {
namespace {

using std::chrono::milliseconds;

std::mt19937_64& Random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// Ten digits are over 300 years; any longer wait, in seconds or as a date, is capped rather
// than overflowed.
constexpr std::int64_t kCapSeconds = 9'999'999'999;

std::optional<milliseconds> ParseDeltaSeconds(std::string_view text) {
  std::int64_t seconds = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    seconds = std::min<std::int64_t>(seconds * 10 + (c - '0'), kCapSeconds);
  }
  return milliseconds(seconds * 1000);
}

// RFC 9110 §5.6.7: recipients must accept IMF-fixdate and the two obsolete forms. Seconds since
// the epoch, not a time_point: system_clock counts nanoseconds and overflows past 2262, a year
// the header may well name.
std::optional<std::int64_t> ParseHttpDate(std::string_view text) {
  static constexpr const char* kFormats[] = {
      "%a, %d %b %Y %H:%M:%S GMT",  // Sun, 06 Nov 1994 08:49:37 GMT
      "%A, %d-%b-%y %H:%M:%S GMT",  // Sunday, 06-Nov-94 08:49:37 GMT
      "%a %b %d %H:%M:%S %Y",       // Sun Nov  6 08:49:37 1994 (asctime)
  };
  const std::string value(text);
  for (const char* format : kFormats) {
    struct tm parts {};
    const char* end = strptime(value.c_str(), format, &parts);
    if (end == nullptr || *end != '\0') continue;
    const time_t seconds = timegm(&parts);
    if (seconds == static_cast<time_t>(-1)) continue;
    return static_cast<std::int64_t>(seconds);
  }
  return std::nullopt;
}

}  // namespace

milliseconds BackoffDelay(const RetryPolicy& policy, int retry) {
  const std::int64_t cap = std::max<std::int64_t>(policy.max_delay.count(), 0);
  std::int64_t delay = std::max<std::int64_t>(policy.base_delay.count(), 0);
  for (int i = 1; i < retry && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  std::uniform_int_distribution<std::int64_t> jitter(0, delay / 2);
  return milliseconds(delay - delay / 2 + jitter(Random()));
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value, std::chrono::system_clock::time_point now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) return ParseDeltaSeconds(value);
  auto when = ParseHttpDate(value);
  if (!when) return std::nullopt;
  // A date in the past means "now"; the HTTP-date has whole seconds, so the wait rounds up:
  // whole seconds less the milliseconds of `now` rounded down.
  const std::int64_t now_ms = std::chrono::floor<milliseconds>(now.time_since_epoch()).count();
  const std::int64_t now_seconds = now_ms / 1000 - (now_ms % 1000 < 0 ? 1 : 0);
  if (*when <= now_seconds) return milliseconds(0);
  if (*when - now_seconds > kCapSeconds) return milliseconds(kCapSeconds * 1000);
  return std::max(milliseconds(*when * 1000 - now_ms), milliseconds(0));
}

}  // namespace sluice::http
