#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "core/env.h"
#include "core/secrets.h"
#include "github/api.h"
#include "github/names.h"
#include "github/rate_limit.h"
#include "github/replies.h"

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

TEST_CASE("a reset or retry-after far off waits a bounded time, without overflow", "[github]") {
  // Found by fuzzing: dates past 2262 overflowed system_clock's nanoseconds.
  auto primary = github::RateLimitWaitFor(
      Refusal(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "99999999999999"}}), kNow);
  REQUIRE(primary);
  CHECK(primary->wait == milliseconds(3'601'000));  // the hour GitHub counts in, and a second
  auto secondary = github::RateLimitWaitFor(Refusal(429, {{"retry-after", "Wed, 02 Dec 2726 00:00:00 GMT"}}), kNow);
  REQUIRE(secondary);
  CHECK(secondary->wait == milliseconds(9'999'999'999'000));
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

// docs.github.com, "Managing GitHub Actions settings for a repository": "Allow GitHub Actions to
// create and approve pull requests" is off by default; and "Automatic token authentication": a
// GITHUB_TOKEN has only its workflow's `permissions:`.
TEST_CASE("GitHub Actions' refusals name the setting or the permission to grant", "[github]") {
  CHECK_THAT(github::DescribeError("POST", "/repos/o/r/pulls", 403,
                                   R"({"message":"GitHub Actions is not permitted to create or approve pull requests."})"),
             Catch::Contains("\"Allow GitHub Actions to create and approve pull requests\" is off") &&
                 Catch::Contains("app-id") && Catch::Contains("runbooks/github-settings.md"));
  const std::string denied = R"({"message":"Resource not accessible by integration"})";
  CHECK_THAT(github::DescribeError("POST", "/repos/o/r/labels", 403, denied), Catch::Contains("grant `issues: write`"));
  CHECK_THAT(github::DescribeError("POST", "/repos/o/r/issues/3/labels", 403, denied), Catch::Contains("grant `issues: write"));
  CHECK_THAT(github::DescribeError("POST", "/repos/o/r/statuses/abc", 403, denied), Catch::Contains("grant `statuses: write`"));
  CHECK_THAT(github::DescribeError("GET", "/repos/o/r/commits/abc/check-runs", 403, denied),
             Catch::Contains("grant `checks: read`"));
  CHECK_THAT(github::DescribeError("POST", "/repos/o/r/actions/workflows/p.yml/dispatches", 403, denied),
             Catch::Contains("grant `actions: write`"));
  CHECK_THAT(github::DescribeError("PUT", "/repos/o/r/pulls/3/merge", 403, denied), Catch::Contains("grant `contents: write`"));
  CHECK_THAT(github::DescribeError("POST", "/repos/o/r/pulls", 403, denied), Catch::Contains("grant `pull-requests: write`"));
  CHECK_THAT(github::DescribeError("POST", "/repos/o/r/git/trees", 403, denied), Catch::Contains("grant `contents: write`"));
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

TEST_CASE("GitHub's names: labels without case, logins without case or the [bot] suffix GraphQL leaves off", "[github]") {
  CHECK(github::SameLabel("Sluice:Hold", "sluice:hold"));
  CHECK_FALSE(github::SameLabel("sluice:hold", "sluice:holds"));
  CHECK(github::HasLabel({"bug", "SLUICE:AUTO-APPROVE"}, "sluice:auto-approve"));
  CHECK_FALSE(github::HasLabel({}, "sluice:hold"));
  CHECK(github::SameLogin("github-actions[bot]", "github-actions"));
  CHECK(github::SameLogin("GitHub-Actions", "github-actions[bot]"));
  CHECK(github::SameLogin("alice", "Alice"));
  CHECK_FALSE(github::SameLogin("alice", "alice2"));
  CHECK_FALSE(github::SameLogin("", ""));  // no login is nobody, never a match
  CHECK(github::IsActionsBot("github-actions[bot]"));
  CHECK(github::IsActionsBot("github-actions"));
  CHECK_FALSE(github::IsActionsBot("sluice-app[bot]"));
}

TEST_CASE("GitHub's typed replies are read from the answer alone, and what they lack is an error", "[github]") {
  auto pull_reply = github::ReplyOf("POST", "/repos/o/r/pulls",
                                    Refusal(201, {}, R"({"number": 12, "html_url": "u", "head": {"sha": "abc"},
                                                        "labels": [{"name": "sluice:hold"}, 3]})"));
  REQUIRE(pull_reply.ok());
  auto pull = github::PullOfReply(*pull_reply, "POST pulls");
  REQUIRE(pull.ok());
  CHECK(pull->number == 12);
  CHECK(pull->head_sha == "abc");
  CHECK(pull->labels == std::vector<std::string>{"sluice:hold"});
  auto numberless = github::ReplyOf("POST", "/repos/o/r/pulls", Refusal(201, {}, R"({"html_url": "u"})"));
  CHECK_THAT(github::PullOfReply(*numberless, "POST pulls").status().message(), Catch::Contains("has no PR number"));

  auto refused = github::ReplyOf("POST", "/repos/o/r/pulls", Refusal(422, {}, R"({"message": "Validation Failed"})"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().kind() == ErrorKind::kExternal);
  CHECK(github::ReplyOf("GET", "/repos/o/r", Refusal(404, {})).status().kind() == ErrorKind::kConfig);
  auto not_json = github::ReplyOf("GET", "/repos/o/r", Refusal(200, {}, "<html>"));
  CHECK_THAT(not_json.status().message(), Catch::Contains("not JSON"));

  auto absent = github::ReplyOf("GET", "/repos/o/r/git/ref/heads/b", Refusal(404, {}, R"({"message": "Not Found"})"), {404});
  REQUIRE(absent.ok());
  auto no_branch = github::BranchShaOfReply(*absent, "b");
  REQUIRE(no_branch.ok());
  CHECK_FALSE(*no_branch);
  // An empty sha is no sha: a commit or tree made on it would fail far from here.
  auto empty_sha = github::ReplyOf("POST", "/repos/o/r/git/blobs", Refusal(201, {}, R"({"sha": ""})"));
  CHECK_THAT(github::CreatedShaOfReply(*empty_sha, "POST blob").status().message(), Catch::Contains("POST blob has no sha"));

  auto tree_reply = github::ReplyOf("GET", "/repos/o/r/git/trees/t", Refusal(200, {}, R"({"sha": "t", "truncated": true,
      "tree": [{"path": "data/cases.csv", "mode": "100644", "sha": "1"}, "junk"]})"));
  auto tree = github::TreeOfReply(*tree_reply, "t");
  REQUIRE(tree.ok());
  CHECK(tree->truncated);
  REQUIRE(tree->entries.size() == 1);
  CHECK(tree->entries[0].second.name == "cases.csv");
  auto list = github::ReplyOf("GET", "/repos/o/r/git/trees/t", Refusal(200, {}, "[1]"));
  CHECK_FALSE(github::TreeOfReply(*list, "t").ok());
  CHECK_FALSE(github::CommitOfReply(*list, "c").ok());

  auto graphql = github::ReplyOf("POST", github::kGraphqlPath,
                                 Refusal(200, {}, R"({"data": null, "errors": [{"message": "not mergeable"}, 1]})"));
  auto read = github::GraphqlReplyOf(*graphql);
  REQUIRE(read.ok());
  CHECK(read->errors == std::vector<std::string>{"not mergeable", "?"});
  CHECK_THAT(github::EnqueuedEntryOf(*read).status().message(), Catch::Contains("refused to queue the PR: not mergeable"));
  CHECK_FALSE(github::DequeuedOf(*read).ok());
  auto queued = github::ReplyOf("POST", github::kGraphqlPath, Refusal(200, {}, R"({"data": {"enqueuePullRequest":
      {"mergeQueueEntry": {"id": "MQE_1", "state": "QUEUED", "position": 2, "enqueuer": {"login": "bot"}}}}})"));
  auto entry = github::EnqueuedEntryOf(*github::GraphqlReplyOf(*queued));
  REQUIRE(entry.ok());
  CHECK(std::tie(entry->id, entry->position, entry->enqueuer) == std::tuple<std::string, int, std::string>{"MQE_1", 2, "bot"});
}
