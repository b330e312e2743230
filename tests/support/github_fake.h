// tests/fixtures/github-fake for the length of one test: GitHub's REST API over real bare
// repositories in a temporary root, every request checked against GitHub's OpenAPI
// description (tests/fixtures/README.md).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "github/api.h"
#include "support/data_repo.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace sluice {

// One request the fake saw (GET /_fake/requests).
struct FakeRequest {
  std::string method;
  std::string path;
  std::string query;  // JSON object of the query parameters
  long status = 0;
  std::string body;  // the JSON body as text, "" when none
  std::string invalid;  // why the fake found the request malformed; "" when it was not
};

class GitHubFake {
 public:
  static constexpr const char* kToken = "ghs_fake_token_0123456789";
  static constexpr const char* kLogin = "sluice-bot[bot]";

  // Starts the fake (node) on a fresh root with kToken registered; throws when it does not come up.
  GitHubFake();
  ~GitHubFake();
  GitHubFake(const GitHubFake&) = delete;
  GitHubFake& operator=(const GitHubFake&) = delete;

  const std::string& url() const { return url_; }
  const std::filesystem::path& root() const { return root_.path(); }

  // Creates the bare repository owner/name.git and pushes `from`'s branch main to it.
  std::filesystem::path CreateRepo(const std::string& full_name, const DataRepo& from) const;
  std::filesystem::path BarePath(const std::string& full_name) const;
  // `git -C <bare repository> args...`; a failure fails the test. Returns stdout, trimmed.
  std::string BareGit(const std::string& full_name, const std::vector<std::string>& args) const;

  // The control API (not part of GitHub, not logged).
  std::string Control(const std::string& method, const std::string& path, const std::string& body = "") const;
  void AddFault(const std::string& json) const { Control("POST", "/_fake/faults", json); }
  void Settings(const std::string& full_name, const std::string& json) const {
    Control("POST", "/_fake/repos/" + full_name + "/settings", json);
  }
  std::vector<FakeRequest> Requests() const;
  void ClearRequests() const { Control("DELETE", "/_fake/requests"); }
  // A GitHub API call with the test token, for looking at state (PRs, labels, comments).
  rapidjson::Document Api(const std::string& path) const;
  // sluice's own client for `full_name` ("owner/name") with `token`: GitHub as a person or app calls it.
  github::Api ClientAs(const std::string& full_name, const std::string& token) const;

  // The environment a workflow step would have for `full_name`.
  EnvOverrides StepEnv(const std::string& full_name) const;

 private:
  void Stop();

  TempDir root_;
  std::string url_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;   // the fake exits when it closes (--watch-stdin)
  int stdout_fd_ = -1;
};

// Requests other than GET.
std::vector<FakeRequest> Writes(const std::vector<FakeRequest>& requests);
// Requests whose method is `method` and whose path ends with `suffix`.
std::vector<FakeRequest> Matching(const std::vector<FakeRequest>& requests, const std::string& method,
                                  const std::string& suffix);

}  // namespace sluice
