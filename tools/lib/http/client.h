// HTTP over libcurl: one request or many at once (curl multi), each with timeouts, a size
// limit, gzip, redirects limited to http/https, and retries with exponential backoff and
// jitter on connect errors, timeouts, resets, truncated bodies, 5xx and 429 (honouring
// Retry-After), within a retry budget shared by the whole run.
//
// Secrets: header values are never part of any message; URLs in messages are redacted.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace sluice::http {

struct RetryPolicy {
  int attempts = 3;  // tries per request, the first included
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{30'000};  // longest single wait, Retry-After included
  // Total time all requests of one Client may spend waiting between attempts. When a wait
  // would exceed what is left, the request fails now with its last error.
  std::chrono::milliseconds budget{120'000};
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;  // values may be secrets
  std::string body;
  // When set, sent instead of `body` and never copied: the bytes must outlive the transfer (a
  // block of a large file goes up straight from the file's bytes).
  std::optional<std::string_view> body_view;
  std::chrono::milliseconds timeout{120'000};  // whole transfer, each attempt
  std::chrono::milliseconds connect_timeout{15'000};
  std::uint64_t max_bytes = 0;  // 0: no limit. A bigger body fails at once, without retry.
  int max_redirects = 5;  // 0: a 3xx is returned as the Response, not followed

  std::string_view Payload() const { return body_view ? *body_view : std::string_view(body); }
};

struct Response {
  long status = 0;
  Headers headers;  // of the final response, names lower-cased
  std::uint64_t bytes = 0;  // body bytes after content decoding
  std::string effective_url;  // after redirects, redacted
  int attempts = 0;
  std::chrono::milliseconds duration{0};
  // Without a sink: the whole body. With a sink: the body of a non-2xx response only (first
  // 64 KiB), so an error page can be shown but never lands in a data file.
  std::string body;
  // One line per failed attempt, e.g. "attempt 1: HTTP 503", "attempt 2: connection reset".
  std::vector<std::string> attempt_log;

  std::optional<std::string> Header(std::string_view name) const;  // case-insensitive
};

// Receives a 2xx body as it arrives.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual Status OnData(std::string_view chunk) = 0;
  // Called before a retried attempt delivers data again: forget what was received.
  virtual Status Reset() = 0;
};

struct Progress {
  std::uint64_t received = 0;
  std::uint64_t expected = 0;  // 0 when unknown
};

struct Transfer {
  Request request;
  BodySink* sink = nullptr;  // null: the body is collected in Response::body
  std::function<void(const Progress&)> on_progress;  // optional, called from the transfer loop
  std::optional<int> attempts;  // overrides RetryPolicy::attempts for this transfer
  // Whether an attempt the server may have carried out (a 5xx, or a timeout or reset after the
  // request went out) may be repeated. nullopt: by the request - GET, HEAD, PUT and DELETE yes;
  // POST and PATCH no (a Slack post or a comment would appear twice); a conditional request
  // (If-Match, If-None-Match) no (a repeat of a write that succeeded would see its own write as a
  // conflict). Whatever this says, a 429, a 503 with Retry-After (the server declined) and a
  // failure to connect are retried.
  std::optional<bool> repeatable;
  // Optional: finishes the request just before its first attempt, on the calling thread (a header
  // that signs a hash worked out meanwhile, so a large upload need not wait for every hash before
  // its first byte). A failure fails this transfer without sending it.
  std::function<Status(Request&)> finish;
  // Optional, with `finish`: whether `finish` could run now without waiting. While other
  // transfers of the batch run, one that is not ready yet is passed over for now, with the
  // transfers queued behind it (their order stays), and the loop looks again within milliseconds;
  // so curl sends what is ready instead of idling while the next hash is worked out. With nothing
  // running it starts anyway, and `finish` waits.
  std::function<bool()> finish_ready;
};

// Whether `transfer` may be repeated after an attempt the server may have carried out (see
// Transfer::repeatable).
bool Repeatable(const Transfer& transfer);

// Outcome rules, for Perform and PerformAll alike:
// - Any HTTP status is a Response once retries are over (a final 503 or 404 is a Response,
//   for the caller to judge); retryable statuses (5xx, 429) are retried first, a 5xx only when
//   the transfer is Repeatable.
// - A transport failure after the last attempt (connect, TLS, timeout, reset, truncated body)
//   is an ExternalError whose message names the redacted URL, the attempts and the last error.
// - A Client is used by one thread at a time.
// - A body over max_bytes, or a redirect to a scheme other than http/https, fails at once
//   (ExternalError, no retry). A failing sink aborts the transfer with the sink's Status.
class Client {
 public:
  explicit Client(RetryPolicy policy = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Result<Response> Perform(const Transfer& transfer);
  // Runs the transfers concurrently, at most `max_parallel` at once; results in input order.
  std::vector<Result<Response>> PerformAll(const std::vector<Transfer>& transfers, int max_parallel = 8);

  const RetryPolicy& policy() const { return policy_; }
  // Time this Client has waited (or is committed to wait) between attempts so far.
  std::chrono::milliseconds budget_spent() const { return budget_spent_; }

 private:
  struct Connections;  // curl's connection cache, kept so later requests reuse connections

  std::vector<Result<Response>> Run(const std::vector<const Transfer*>& transfers, int max_parallel);

  RetryPolicy policy_;
  std::chrono::milliseconds budget_spent_{0};
  std::unique_ptr<Connections> connections_;
};

// The delay before retry number `retry` (1-based): exponential from base_delay, capped at
// max_delay, with "equal jitter" (half fixed, half random) so many clients do not retry in step.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry);

// Parses a Retry-After value (delta-seconds or an HTTP-date, RFC 9110 §10.2.3) relative to `now`.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

}  // namespace sluice::http
