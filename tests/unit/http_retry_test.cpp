// Retries: which failures are retried, how long between attempts, and the shared budget.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <set>
#include <tuple>
#include <vector>

#include "http/client.h"
#include "support/fault_server.h"
#include "support/fixture_server.h"

using namespace sluice;
using namespace sluice::http;
using namespace std::chrono_literals;

TEST_CASE("a 503 twice then 200 succeeds on the third attempt", "[http]") {
  Client client(FastRetries());
  auto response = client.Perform(FaultGet("/fail/503?times=2&id=503-twice"));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->attempts == 3);
  CHECK(response->attempt_log == std::vector<std::string>{"attempt 1: HTTP 503", "attempt 2: HTTP 503"});
  CHECK(response->body.find("\"attempt\": 3") != std::string::npos);
  CHECK(FaultRequestsSeen("503-twice") == 3);
}

TEST_CASE("a 503 on every attempt is returned as the final response", "[http]") {
  Client client(FastRetries());
  auto response = client.Perform(FaultGet("/fail/503?times=99&id=503-always"));
  REQUIRE(response.ok());
  CHECK(response->status == 503);
  CHECK(response->attempts == 3);
  CHECK(response->attempt_log.size() == 3);
  CHECK(FaultRequestsSeen("503-always") == 3);
}

TEST_CASE("a transfer's own attempts override the policy", "[http]") {
  Client client(FastRetries(5));
  Transfer transfer = FaultGet("/fail/500?times=99&id=own-attempts");
  transfer.attempts = 2;
  auto response = client.Perform(transfer);
  REQUIRE(response.ok());
  CHECK(response->status == 500);
  CHECK(response->attempts == 2);
  CHECK(FaultRequestsSeen("own-attempts") == 2);
}

TEST_CASE("429 with Retry-After waits at least that long", "[http]") {
  Client client(FastRetries(3, 5s));
  auto response = client.Perform(FaultGet("/fail/429?times=1&id=429-seconds&retry_after=1"));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->attempts == 2);
  CHECK(response->duration >= 1000ms);
}

TEST_CASE("Retry-After as an HTTP-date is honoured", "[http]") {
  Client client(FastRetries(3, 5s));
  // The date has whole seconds, so "now + 2 s" means a wait of more than one second.
  auto response = client.Perform(FaultGet("/fail/503?times=1&id=503-date&retry_after_date=2"));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->duration >= 900ms);
}

TEST_CASE("Retry-After longer than max_delay is cut to max_delay", "[http]") {
  Client client(FastRetries());  // max_delay 200 ms
  auto response = client.Perform(FaultGet("/fail/429?times=1&id=429-long&retry_after=3600"));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->duration < 2s);
}

TEST_CASE("retries stop when the budget is spent", "[http]") {
  // Retry-After 1 s cut to max_delay makes every wait exactly 100 ms: two fit in 250 ms.
  RetryPolicy policy = FastRetries(10, 100ms);
  policy.budget = 250ms;
  Client client(policy);
  auto first = client.Perform(FaultGet("/fail/503?times=99&id=budget-a&retry_after=1"));
  REQUIRE(first.ok());
  CHECK(first->status == 503);
  CHECK(first->attempts == 3);
  REQUIRE(!first->attempt_log.empty());
  CHECK_THAT(first->attempt_log.back(), Catch::Contains("retry budget exhausted"));
  CHECK(client.budget_spent() == 200ms);

  SECTION("the budget is shared by the next request of the same client") {
    auto second = client.Perform(FaultGet("/fail/503?times=99&id=budget-b&retry_after=1"));
    REQUIRE(second.ok());
    CHECK(second->attempts == 1);
    CHECK(FaultRequestsSeen("budget-b") == 1);
  }
  SECTION("a transport failure says the budget ran out") {
    auto second = client.Perform(FaultGet("/reset?times=99&id=budget-c"));
    REQUIRE(!second.ok());
    CHECK(second.status().kind() == ErrorKind::kExternal);
    CHECK_THAT(second.status().message(), Catch::Contains("retry budget exhausted"));
  }
}

TEST_CASE("connection reset is retried and the sink restarts clean", "[http]") {
  Client client(FastRetries());
  StringSink sink;
  // The first attempt delivers 1000 of 5000 bytes to the sink, then the peer resets.
  auto response = client.Perform(FaultGet("/reset?times=1&id=reset-partial&after_bytes=1000&bytes=5000", &sink));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->attempts == 2);
  CHECK(sink.resets == 1);
  CHECK(sink.data == FaultPattern(5000));
  CHECK(response->bytes == 5000);
  REQUIRE(response->attempt_log.size() == 1);
  // A reset mid-body reads as a receive error (56); some stacks report the short body (18).
  CHECK_THAT(response->attempt_log[0], Catch::StartsWith("attempt 1: ") &&
                                           (Catch::Contains("(curl 56)") || Catch::Contains("(curl 18)")));
}

TEST_CASE("a reset before any response is retried", "[http]") {
  Client client(FastRetries());
  auto response = client.Perform(FaultGet("/reset?times=2&id=reset-early"));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->attempts == 3);
}

TEST_CASE("truncated body is retried", "[http]") {
  Client client(FastRetries());
  StringSink sink;
  auto response = client.Perform(FaultGet("/truncate?times=1&id=truncate&bytes=10000", &sink));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->attempts == 2);
  CHECK(sink.data == FaultPattern(10000));
  REQUIRE(response->attempt_log.size() == 1);
  CHECK_THAT(response->attempt_log[0], Catch::Contains("(curl 18)"));
}

TEST_CASE("a refused connection is retried, then reported", "[http]") {
  std::string url;
  {
    FixtureServer gone;  // its port is free again once it is stopped
    url = gone.url("/bytes/10");
  }
  Client client(FastRetries(2));
  Transfer transfer;
  transfer.request.url = url;
  auto response = client.Perform(transfer);
  REQUIRE(!response.ok());
  CHECK_THAT(response.status().message(), Catch::Contains("failed after 2 attempts") && Catch::Contains("(curl 7)"));
}

TEST_CASE("a transfer waiting for its retry does not hold a slot", "[http]") {
  Client client(FastRetries(3, 5s));
  // One slot. Were it held through the 1 s wait, the total would be over 1.8 s.
  std::vector<Transfer> transfers = {FaultGet("/fail/503?times=1&id=slot&retry_after=1"),
                                     FaultGet("/slow?delay_ms=400&bytes=10"), FaultGet("/slow?delay_ms=400&bytes=10")};
  Stopwatch stopwatch;
  auto results = client.PerformAll(transfers, 1);
  CHECK(stopwatch.elapsed() < 1500ms);
  for (auto& result : results) CHECK((result.ok() && result->status == 200));
}

TEST_CASE("backoff grows exponentially within its jitter bounds", "[http][retry]") {
  RetryPolicy policy;
  policy.base_delay = 100ms;
  policy.max_delay = 1000ms;
  std::set<long> distinct;
  for (int i = 0; i < 200; ++i) {
    for (auto [retry, low, high] : {std::tuple{1, 50, 100}, {2, 100, 200}, {3, 200, 400}, {4, 400, 800},
                                    {5, 500, 1000}, {40, 500, 1000}}) {
      const auto delay = BackoffDelay(policy, retry).count();
      CHECK(delay >= low);
      CHECK(delay <= high);
      if (retry == 3) distinct.insert(delay);
    }
  }
  CHECK(distinct.size() > 10);  // jittered, not in step
}

TEST_CASE("Retry-After parses seconds and HTTP-dates and rejects garbage", "[http][retry]") {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(ParseRetryAfter("120", now) == 120'000ms);
  CHECK(ParseRetryAfter(" 0 ", now) == 0ms);
  CHECK(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now) == 30'000ms);
  CHECK(ParseRetryAfter("Sunday, 06-Nov-94 08:50:07 GMT", now) == 30'000ms);
  CHECK(ParseRetryAfter("Sun Nov  6 08:50:07 1994", now) == 30'000ms);
  CHECK(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now) == 0ms);  // in the past: now
  CHECK(ParseRetryAfter("99999999999999999999", now) > 24h);            // huge, yet no overflow
  // Found by fuzzing: dates past 2262 (or long gone) overflowed system_clock's nanoseconds.
  CHECK(ParseRetryAfter("Wed, 02 Dec 2726 00:00:00 GMT", now) == ParseRetryAfter("99999999999999999999", now));
  CHECK(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now) == ParseRetryAfter("99999999999999999999", now));
  CHECK(ParseRetryAfter("Mon, 01 Dec 1013 15:06:00 GMT", now) == 0ms);
  CHECK(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now + 250ms) == 0ms);
  CHECK(ParseRetryAfter("Sun, 06 Nov 1994 08:49:38 GMT", now + 250ms) == 750ms);
  for (const char* garbage : {"", "soon", "-5", "12abc", "1.5", "Sun, 06 Nov 1994", "Sun, 99 Foo 1994 08:00:00 GMT"}) {
    CHECK(!ParseRetryAfter(garbage, now));
  }
}
