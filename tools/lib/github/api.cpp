#include "github/api.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "core/secrets.h"
#include "github/rate_limit.h"
#include "github/replies.h"
#include "json/json.h"

namespace sluice::github {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxRateLimitWaits = 5;  // per request: a limit that keeps answering is a failure

bool IsWrite(const std::string& method) { return method != "GET" && method != "HEAD"; }

}  // namespace

Result<ApiConfig> ApiConfigFromEnv(const Environment& env, const std::string& repository,
                                   const std::string& token_variable) {
  ApiConfig config;
  std::string url = env.GetOr("GITHUB_API_URL", "");
  if (!url.empty()) config.base_url = url;
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  std::string full_name = repository.empty() ? env.GetOr("GITHUB_REPOSITORY", "") : repository;
  const size_t slash = full_name.find('/');
  if (full_name.empty()) return ConfigError("no repository: set GITHUB_REPOSITORY (owner/name) or pass --repo");
  if (slash == std::string::npos || slash == 0 || slash + 1 == full_name.size() ||
      full_name.find('/', slash + 1) != std::string::npos) {
    return ConfigError(fmt::format("repository '{}' is not of the form owner/name", full_name));
  }
  config.owner = full_name.substr(0, slash);
  config.repo = full_name.substr(slash + 1);
  const std::string variable = token_variable.empty() ? "GITHUB_TOKEN" : token_variable;
  config.token = env.GetOr(variable, "");
  if (config.token.empty()) {
    return ConfigError(fmt::format("no GitHub token: ${} is empty or unset. In a workflow, pass it to the step "
                                   "(env: {}: ${{{{ secrets.GITHUB_TOKEN }}}}) with permissions contents: write and "
                                   "pull-requests: write; or use --local to commit to the local checkout only",
                                   variable, variable));
  }
  RegisterSecret(config.token);
  return config;
}

std::string GraphqlUrl(const std::string& base_url) {
  // GitHub Enterprise Server: REST at https://HOST/api/v3, GraphQL at https://HOST/api/graphql.
  constexpr std::string_view kRestSuffix = "/api/v3";
  if (base_url.size() >= kRestSuffix.size() &&
      base_url.compare(base_url.size() - kRestSuffix.size(), kRestSuffix.size(), kRestSuffix) == 0) {
    return base_url.substr(0, base_url.size() - kRestSuffix.size()) + "/api/graphql";
  }
  return base_url + "/graphql";
}

namespace {

// Writes that may be repeated after a 5xx or a lost answer: Git objects (a repeat makes the same
// blob or tree, or at worst one more commit that nothing points to), commit statuses, labels and
// GraphQL queries. Every other write (a PR, a comment, a review, a merge, a dispatch, a mutation)
// is sent once.
std::optional<bool> Repeatable(const std::string& method, const std::string& path, const std::string& body) {
  if (method != "POST") return std::nullopt;
  for (const char* objects : {"/git/blobs", "/git/trees", "/git/commits"}) {
    if (path.size() >= std::strlen(objects) && path.compare(path.size() - std::strlen(objects), std::string::npos, objects) == 0) {
      return true;
    }
  }
  // A commit status or a label set again changes nothing anyone sees.
  if (path.find("/statuses/") != std::string::npos || (path.size() >= 7 && path.compare(path.size() - 7, 7, "/labels") == 0)) {
    return true;
  }
  if (path == kGraphqlPath) {
    auto document = json::Parse(body, "GraphQL request");
    if (!document.ok() || !document->IsObject()) return false;
    const std::string query = json::StringOr(*document, "query");
    const std::size_t start = query.find_first_not_of(" \t\r\n");
    return start != std::string::npos && query.compare(start, 8, "mutation") != 0;
  }
  return false;
}

}  // namespace

Api::Api(ApiConfig config) : config_(std::move(config)), http_(config_.retries) {}

std::string Api::RepoPath(const std::string& rest) const {
  return fmt::format("/repos/{}/{}{}", config_.owner, config_.repo, rest);
}

Result<http::Response> Api::Send(const std::string& method, const std::string& path, const std::string& body) {
  http::Transfer transfer;
  transfer.request.method = method;
  transfer.request.url = path == kGraphqlPath ? GraphqlUrl(config_.base_url) : config_.base_url + path;
  transfer.request.headers = {{"Accept", "application/vnd.github+json"},
                              {"X-GitHub-Api-Version", "2022-11-28"},
                              {"Authorization", "Bearer " + config_.token}};
  if (!body.empty()) transfer.request.headers.emplace_back("Content-Type", "application/json");
  transfer.request.body = body;
  transfer.request.max_redirects = 0;  // a redirect would carry the token elsewhere
  transfer.request.timeout = std::chrono::seconds(120);
  transfer.repeatable = Repeatable(method, path, body);
  for (int waits = 0;; ++waits) {
    ++requests_;
    if (IsWrite(method)) ++writes_;
    auto response = http_.Perform(transfer);
    if (!response.ok()) return response.status();
    auto limit = RateLimitWaitFor(*response, std::chrono::system_clock::now());
    if (!limit) return response;
    const milliseconds left = config_.rate_limit_budget - waited_;
    if (waits >= kMaxRateLimitWaits || limit->wait > left) {
      return ExternalError(fmt::format("{} {}: GitHub's {}; waiting {} s would exceed the rate-limit budget ({} s "
                                       "left of {} s). Run again later, or make fewer runs share the token",
                                       method, path, limit->reason, (limit->wait.count() + 999) / 1000,
                                       left.count() / 1000, config_.rate_limit_budget.count() / 1000));
    }
    waited_ += limit->wait;
    std::this_thread::sleep_for(limit->wait);
  }
}

Result<Reply> Api::Call(const std::string& method, const std::string& path, const std::string& body,
                        std::initializer_list<long> also_ok) {
  auto response = Send(method, path, body);
  if (!response.ok()) return response.status();
  return ReplyOf(method, path, *response, also_ok);
}

}  // namespace sluice::github
