#include "github/issues.h"

#include <cctype>

#include <fmt/format.h>

#include "json/json.h"
#include "json/writer.h"

namespace sluice::github {
namespace {

// Label names go into the query: percent-encode everything but unreserved characters (a ','
// separates names there, so one inside a name must be encoded too).
std::string EncodeQueryValue(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::vector<std::string> Names(const rapidjson::Value& item, const char* member, const char* field) {
  std::vector<std::string> names;
  const rapidjson::Value* list = json::Member(item, member);
  if (list == nullptr || !list->IsArray()) return names;
  for (const auto& entry : list->GetArray()) {
    if (entry.IsString()) names.emplace_back(entry.GetString());
    else if (entry.IsObject()) names.push_back(json::StringOr(entry, field));
  }
  return names;
}

Issue IssueFrom(const rapidjson::Value& item) {
  Issue issue;
  if (const auto* number = json::Member(item, "number"); number != nullptr && number->IsInt()) issue.number = number->GetInt();
  issue.url = json::StringOr(item, "html_url");
  issue.state = json::StringOr(item, "state");
  issue.title = json::StringOr(item, "title");
  issue.body = json::StringOr(item, "body");  // null when the issue has no body
  issue.labels = Names(item, "labels", "name");
  issue.assignees = Names(item, "assignees", "login");
  return issue;
}

}  // namespace

Result<Issue> IssueOfReply(const Reply& reply, const std::string& what) {
  if (!reply.json.IsObject()) return ExternalError("GitHub's answer to " + what + " is not an issue");
  Issue issue = IssueFrom(reply.json);
  if (issue.number <= 0) return ExternalError("GitHub's answer to " + what + " has no issue number");
  return issue;
}

Result<std::vector<Issue>> IssuesOfReply(const Reply& reply) {
  if (!reply.json.IsArray()) return ExternalError("GitHub's answer to GET issues is not a list");
  std::vector<Issue> issues;
  for (const auto& item : reply.json.GetArray()) {
    if (!item.IsObject() || json::Member(item, "pull_request") != nullptr) continue;
    Issue issue = IssueFrom(item);
    if (issue.number > 0) issues.push_back(std::move(issue));
  }
  return issues;
}

Result<Issue> CreateIssue(Api& api, const NewIssue& issue) {
  std::string body = json::Object([&](json::TextWriter& w) {
    json::Field(w, "title", issue.title);
    json::Field(w, "body", issue.body);
    json::StringsField(w, "labels", issue.labels);
    if (!issue.assignees.empty()) json::StringsField(w, "assignees", issue.assignees);
  });
  auto reply = api.Call("POST", api.RepoPath("/issues"), body);
  if (!reply.ok()) return reply.status();
  return IssueOfReply(*reply, "POST issues");
}

Result<std::vector<Issue>> OpenIssuesLabelled(Api& api, const std::vector<std::string>& labels) {
  std::string names;
  for (const auto& label : labels) names += (names.empty() ? "" : ",") + EncodeQueryValue(label);
  auto reply = api.Get(api.RepoPath("/issues?state=open&per_page=100&labels=" + names));
  if (!reply.ok()) return reply.status();
  return IssuesOfReply(*reply);
}

Status CloseIssue(Api& api, int number, const std::string& state_reason) {
  std::string body = json::Object([&](json::TextWriter& w) {
    json::Field(w, "state", "closed");
    json::Field(w, "state_reason", state_reason);
  });
  return api.Call("PATCH", api.RepoPath(fmt::format("/issues/{}", number)), body).status();
}

}  // namespace sluice::github
