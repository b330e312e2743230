// A small client of GitHub's REST API over http::Client: the base URL of github.com or of a
// GitHub Enterprise Server, a token that is masked everywhere, JSON in and out, rate limits
// honoured within a budget, and GitHub's error answers turned into one clear sentence.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>

#include <rapidjson/document.h>

#include "core/env.h"
#include "core/status.h"
#include "http/client.h"

namespace sluice::github {

struct ApiConfig {
  std::string base_url = "https://api.github.com";  // no trailing slash
  std::string owner;
  std::string repo;
  std::string token;  // registered as a secret by ApiConfigFromEnv
  // Longest total wait for rate limits over a run; a longer wait fails the run (exit 3).
  std::chrono::milliseconds rate_limit_budget{std::chrono::minutes(10)};
  http::RetryPolicy retries{4, std::chrono::milliseconds(1000), std::chrono::milliseconds(60'000),
                            std::chrono::milliseconds(300'000)};
};

// From the Actions variables: GITHUB_API_URL (default https://api.github.com), GITHUB_REPOSITORY
// (or `repository`, "owner/name") and the token in $GITHUB_TOKEN (or in the variable named
// `token_variable`). A missing token or repository is a ConfigError naming what to set.
Result<ApiConfig> ApiConfigFromEnv(const Environment& env, const std::string& repository,
                                   const std::string& token_variable);

// Call(..., kGraphqlPath, ...) posts to the GraphQL endpoint of the API's host (github/graphql.h).
inline constexpr const char* kGraphqlPath = "/graphql";
// https://api.github.com -> https://api.github.com/graphql; https://HOST/api/v3 -> https://HOST/api/graphql.
std::string GraphqlUrl(const std::string& base_url);

struct Reply {
  long status = 0;
  rapidjson::Document json;  // null when the body was empty
  http::Headers headers;
};

class Api {
 public:
  explicit Api(ApiConfig config);

  const ApiConfig& config() const { return config_; }
  // "/repos/<owner>/<repo>" + `rest`.
  std::string RepoPath(const std::string& rest) const;

  // Sends `method` `path` (below the base URL; may hold a query) with a JSON `body` ("" none).
  // A 2xx, or a status listed in `also_ok` (such as 404 for "absent"), is a Reply; anything
  // else is an error whose sentence names the request and GitHub's message, never the token:
  // ConfigError for 401/403/404 (the token, its permissions or the repository name), else
  // ExternalError.
  Result<Reply> Call(const std::string& method, const std::string& path, const std::string& body = "",
                     std::initializer_list<long> also_ok = {});
  Result<Reply> Get(const std::string& path, std::initializer_list<long> also_ok = {}) {
    return Call("GET", path, "", also_ok);
  }

  int requests() const { return requests_; }
  int writes() const { return writes_; }  // requests other than GET and HEAD
  std::chrono::milliseconds rate_limit_waited() const { return waited_; }

 private:
  Result<http::Response> Send(const std::string& method, const std::string& path, const std::string& body);

  ApiConfig config_;
  http::Client http_;
  int requests_ = 0;
  int writes_ = 0;
  std::chrono::milliseconds waited_{0};
};

// GitHub's error answer ({"message": ..., "errors": [...], "documentation_url": ...}) as one
// sentence: "POST /repos/o/r/git/trees: HTTP 422: Validation Failed (tree.path: ...)".
std::string DescribeError(const std::string& method, const std::string& path, long status, const std::string& body);

}  // namespace sluice::github
