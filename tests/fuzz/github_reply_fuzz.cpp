// What GitHub (or anything answering in its place) sends back, in the parts sluice judges without
// the network: the error body made into one sentence (github::DescribeError), the Link header's
// next page, the rate-limit headers (x-ratelimit-*, retry-after) and Retry-After itself. The
// input is an HTTP answer (http_reply.h). The typed replies (pulls, trees, GraphQL) are
// github_typed_reply's.
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "github/api.h"
#include "github/pages.h"
#include "github/rate_limit.h"
#include "http/client.h"
#include "http_reply.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  const sluice::http::Response response = sluice::fuzz::ResponseOf(text);
  // A fixed clock, so a replay gives the same waits: 2026-12-01T00:00:00Z.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'796'083'200));

  sluice::github::DescribeError("POST", "/repos/o/r/issues/1/labels", response.status, response.body);
  sluice::github::DescribeError("PUT", "/repos/o/r/pulls/1/merge", response.status, response.body);
  if (auto link = response.Header("link")) sluice::github::NextPageUrl(*link);
  sluice::github::RateLimitWaitFor(response, now);
  if (auto retry_after = response.Header("retry-after")) sluice::http::ParseRetryAfter(*retry_after, now);
  return 0;
}
