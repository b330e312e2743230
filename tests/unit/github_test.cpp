#include <catch2/catch.hpp>

#include <string>

#include "core/env.h"
#include "core/secrets.h"
#include "github/api.h"
#include "github/rate_limit.h"

using namespace sluice;
using std::chrono::milliseconds;

namespace {

http::Response Refusal(long status, http::Headers headers, std::string body = "{}") {
  http::Response response;
  response.status = status;
  response.headers = std::move(headers);
  response.body = std::move(body);
  return response;
}

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

}  // namespace

TEST_CASE("a primary rate limit waits until x-ratelimit-reset", "[github]") {
  auto wait = github::RateLimitWaitFor(
      Refusal(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700000030"}}), kNow);
  REQUIRE(wait);
  CHECK(wait->kind == github::RateLimitKind::kPrimary);
  CHECK(wait->wait == milliseconds(31'000));  // one second past the reset
  CHECK_THAT(wait->reason, Catch::Contains("resets at 22:13:50 UTC"));
}

TEST_CASE("a secondary rate limit waits for retry-after, else a minute", "[github]") {
  auto told = github::RateLimitWaitFor(Refusal(403, {{"retry-after", "7"}}), kNow);
  REQUIRE(told);
  CHECK(told->kind == github::RateLimitKind::kSecondary);
  CHECK(told->wait == milliseconds(7'000));
  auto untold = github::RateLimitWaitFor(
      Refusal(403, {}, R"({"message":"You have exceeded a secondary rate limit. Please wait."})"), kNow);
  REQUIRE(untold);
  CHECK(untold->wait == milliseconds(60'000));
  CHECK(github::RateLimitWaitFor(Refusal(429, {}), kNow));
}

TEST_CASE("a 403 that is not a rate limit, and other statuses, are no reason to wait", "[github]") {
  CHECK_FALSE(github::RateLimitWaitFor(Refusal(403, {{"x-ratelimit-remaining", "4999"}},
                                               R"({"message":"Resource not accessible by integration"})"), kNow));
  CHECK_FALSE(github::RateLimitWaitFor(Refusal(404, {{"retry-after", "3"}}), kNow));
  CHECK_FALSE(github::RateLimitWaitFor(Refusal(200, {}), kNow));
}

TEST_CASE("GitHub's error answers become one sentence without the token", "[github]") {
  ClearSecretsForTesting();
  RegisterSecret("ghs_secret_token");
  const std::string text = github::DescribeError(
      "POST", "/repos/o/r/git/trees", 422,
      R"({"message":"Validation Failed","errors":[{"resource":"Tree","field":"path","code":"invalid"},"ghs_secret_token"]})");
  CHECK(text == "POST /repos/o/r/git/trees: HTTP 422: Validation Failed (Tree.path: invalid; ***)");
  CHECK_THAT(github::DescribeError("GET", "/repos/o/r", 401, R"({"message":"Bad credentials"})"),
             Catch::Contains("Bad credentials") && Catch::Contains("has not expired"));
  CHECK_THAT(github::DescribeError("PATCH", "/x", 502, "<html>bad gateway</html>"), Catch::EndsWith("<html>bad gateway</html>"));
  ClearSecretsForTesting();
}

TEST_CASE("the API configuration comes from the Actions variables, the token is a secret", "[github]") {
  ClearSecretsForTesting();
  auto config = github::ApiConfigFromEnv(Environment::FromMap({{"GITHUB_REPOSITORY", "health/data"},
                                                               {"GITHUB_API_URL", "https://ghe.example/api/v3/"},
                                                               {"GITHUB_TOKEN", "ghs_abcdef"}}),
                                         "", "GITHUB_TOKEN");
  REQUIRE(config.ok());
  CHECK(config->base_url == "https://ghe.example/api/v3");
  CHECK(config->owner == "health");
  CHECK(config->repo == "data");
  CHECK(Mask("token ghs_abcdef") == "token ***");
  auto missing = github::ApiConfigFromEnv(Environment::FromMap({{"GITHUB_REPOSITORY", "a/b"}}), "", "BOT_TOKEN");
  CHECK(missing.status().kind() == ErrorKind::kConfig);
  CHECK_THAT(missing.status().message(), Catch::Contains("$BOT_TOKEN"));
  CHECK(github::ApiConfigFromEnv(Environment::FromMap({{"GITHUB_TOKEN", "t0k3n"}}), "no-slash", "").status().kind() ==
        ErrorKind::kConfig);
  CHECK(github::ApiConfigFromEnv(Environment::FromMap({{"GITHUB_TOKEN", "t0k3n"}}), "", "").status().kind() ==
        ErrorKind::kConfig);
  ClearSecretsForTesting();
}

TEST_CASE("the GraphQL endpoint of github.com and of GitHub Enterprise Server", "[github]") {
  CHECK(github::GraphqlUrl("https://api.github.com") == "https://api.github.com/graphql");
  CHECK(github::GraphqlUrl("https://ghe.example.com/api/v3") == "https://ghe.example.com/api/graphql");
  CHECK(github::GraphqlUrl("http://127.0.0.1:8080") == "http://127.0.0.1:8080/graphql");
}
