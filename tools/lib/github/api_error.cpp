// GitHub's error answers in words (the format is documented in "Troubleshooting the REST API":
// message, optional errors[] with resource/field/code/message, documentation_url).
#include <fmt/format.h>

#include "core/secrets.h"
#include "github/api.h"
#include "json/json.h"

namespace sluice::github {
namespace {

std::string OneError(const rapidjson::Value& error) {
  if (error.IsString()) return error.GetString();
  if (!error.IsObject()) return "";
  std::string message = json::StringOr(error, "message");
  if (!message.empty()) return message;
  std::string field = json::StringOr(error, "field"), code = json::StringOr(error, "code");
  std::string resource = json::StringOr(error, "resource");
  std::string where = resource.empty() ? field : field.empty() ? resource : resource + "." + field;
  return where.empty() ? code : where + ": " + code;
}

// The GITHUB_TOKEN permission a call needs (docs.github.com, "Permissions required for GitHub
// Apps"), for the refusal "Resource not accessible by integration".
std::string PermissionFor(const std::string& method, const std::string& path) {
  const bool write = method != "GET" && method != "HEAD";
  auto has = [&](const char* part) { return path.find(part) != std::string::npos; };
  if (has("/labels") && method == "POST" && path.find("/issues/") == std::string::npos) return "issues: write";
  if (has("/issues/") && has("/labels")) return "issues: write (it creates a label that does not exist yet)";
  if (has("/pulls/") && has("/merge")) return "contents: write";
  if (has("/statuses/") || has("/status")) return write ? "statuses: write" : "statuses: read";
  if (has("/check-runs") || has("/check-suites")) return write ? "checks: write" : "checks: read";
  if (has("/actions/")) return write ? "actions: write" : "actions: read";
  // Opening or listing issues (not a PR's comments or labels): sluice-notify's incident issue.
  if (path.ends_with("/issues") || has("/issues?")) return write ? "issues: write" : "issues: read";
  if (has("/pulls") || has("/issues")) return write ? "pull-requests: write" : "pull-requests: read";
  if (has("/git/") || has("/contents/") || has("/merges")) return write ? "contents: write" : "contents: read";
  return "";
}

// Advice for the refusals a data-PR run meets, where GitHub's own message does not say it.
std::string Advice(const std::string& method, const std::string& path, long status, const std::string& message) {
  if (message.find("not permitted to create or approve pull requests") != std::string::npos) {
    return "; the setting \"Allow GitHub Actions to create and approve pull requests\" is off (the repository's, or its "
           "organization's: Settings > Actions > General > Workflow permissions). Turn it on, or give sluice a GitHub "
           "App token (the workflows' app-id input). See runbooks/github-settings.md";
  }
  if (message.find("Resource not accessible by integration") != std::string::npos) {
    std::string permission = PermissionFor(method, path);
    return "; the workflow's token lacks a permission" +
           (permission.empty() ? std::string() : ": grant `" + permission + "` in the workflow's `permissions:`") +
           " (README, Set up on GitHub: permissions per workflow). See runbooks/github-settings.md";
  }
  switch (status) {
    case 401: return "; the token was refused: check that it is set and has not expired";
    case 403: return "; the token lacks a permission: the workflow needs `contents: write` and `pull-requests: write`";
    case 404: return "; check the repository name and that the token can see it";
    default: return "";
  }
}

}  // namespace

std::string DescribeError(const std::string& method, const std::string& path, long status, const std::string& body) {
  std::string text = fmt::format("{} {}: HTTP {}", method, path, status);
  std::string message;
  auto parsed = json::Parse(body, "response");
  if (parsed.ok() && parsed->IsObject()) {
    message = json::StringOr(*parsed, "message");
    if (!message.empty()) text += ": " + message;
    const rapidjson::Value* errors = json::Member(*parsed, "errors");
    if (errors != nullptr && errors->IsArray() && !errors->Empty()) {
      std::string details;
      for (const auto& error : errors->GetArray()) {
        std::string one = OneError(error);
        if (one.empty()) continue;
        details += (details.empty() ? "" : "; ") + one;
      }
      if (!details.empty()) text += " (" + details + ")";
    }
  } else if (!body.empty()) {
    text += ": " + body.substr(0, 200);
  }
  return Mask(text + Advice(method, path, status, message));
}

}  // namespace sluice::github
