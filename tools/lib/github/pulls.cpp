#include "github/pulls.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "github/names.h"
#include "github/pages.h"
#include "github/replies.h"
#include "json/json.h"
#include "json/writer.h"

namespace sluice::github {
namespace {

using Writer = json::TextWriter;

std::string Text(const rapidjson::StringBuffer& buffer) { return std::string(buffer.GetString(), buffer.GetSize()); }

Result<PullRequest> PullOf(Result<Reply> reply, const std::string& what) {
  if (!reply.ok()) return reply.status();
  return PullOfReply(*reply, what);
}

// Label names go into the path: percent-encode everything but unreserved characters.
std::string EncodePathSegment(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

}  // namespace

Result<std::optional<PullRequest>> FindOpenPull(Api& api, const std::string& branch) {
  const std::string head = api.config().owner + ":" + branch;
  auto reply = api.Get(api.RepoPath("/pulls?state=open&per_page=100&head=" + EncodePathSegment(head)));
  if (!reply.ok()) return reply.status();
  return OpenPullOfReply(*reply);
}

Result<PullRequest> CreatePull(Api& api, const std::string& branch, const std::string& base, const std::string& title,
                               const std::string& body) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  json::Field(w, "title", title);
  json::Field(w, "head", branch);
  json::Field(w, "base", base);
  json::Field(w, "body", body);
  w.EndObject();
  return PullOf(api.Call("POST", api.RepoPath("/pulls"), Text(buffer)), "POST pulls");
}

Result<PullRequest> UpdatePull(Api& api, int number, const std::string& title, const std::string& body) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  json::Field(w, "title", title);
  json::Field(w, "body", body);
  w.EndObject();
  return PullOf(api.Call("PATCH", api.RepoPath(fmt::format("/pulls/{}", number)), Text(buffer)), "PATCH pull");
}

Status ClosePull(Api& api, int number) {
  return api.Call("PATCH", api.RepoPath(fmt::format("/pulls/{}", number)), R"({"state":"closed"})").status();
}

static Status CreateLabel(Api& api, const LabelSpec& label) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  json::Field(w, "name", label.name);
  json::Field(w, "color", label.color);
  json::Field(w, "description", label.description);
  w.EndObject();
  // 422 already_exists: another run created it meanwhile, which is what was wanted.
  auto created = api.Call("POST", api.RepoPath("/labels"), Text(buffer), {422});
  if (!created.ok()) return created.status().WithContext("creating label " + label.name);
  if (created->status != 422) return Status::Ok();
  const rapidjson::Value* errors = json::Member(created->json, "errors");
  if (errors != nullptr && errors->IsArray()) {
    for (const auto& error : errors->GetArray()) {
      if (error.IsObject() && json::StringOr(error, "code") == "already_exists") return Status::Ok();
    }
  }
  return ConfigError(DescribeError("POST", api.RepoPath("/labels"), 422, json::Write(created->json)) +
                     " (creating label " + label.name + ")");
}

Status EnsureLabels(Api& api, const std::vector<LabelSpec>& labels) {
  auto existing = GetAllPages(api, api.RepoPath("/labels"));
  if (!existing.ok()) return existing.status();
  std::vector<std::string> names;
  for (const auto& label : existing->GetArray()) names.push_back(json::StringOr(label, "name"));
  for (const LabelSpec& label : labels) {
    if (HasLabel(names, label.name)) continue;
    SLUICE_RETURN_IF_ERROR(CreateLabel(api, label));
    names.push_back(label.name);
  }
  return Status::Ok();
}

Status AddLabels(Api& api, int number, const std::vector<std::string>& labels) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  json::StringsField(w, "labels", labels);
  w.EndObject();
  return api.Call("POST", api.RepoPath(fmt::format("/issues/{}/labels", number)), Text(buffer)).status();
}

Status RemoveLabel(Api& api, int number, const std::string& label) {
  return api.Call("DELETE", api.RepoPath(fmt::format("/issues/{}/labels/{}", number, EncodePathSegment(label))), "", {404})
      .status();
}

Status RequestReviewers(Api& api, int number, const std::vector<std::string>& logins) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  json::StringsField(w, "reviewers", logins);
  w.EndObject();
  return api.Call("POST", api.RepoPath(fmt::format("/pulls/{}/requested_reviewers", number)), Text(buffer)).status();
}

Status Comment(Api& api, int number, const std::string& body) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  json::Field(w, "body", body);
  w.EndObject();
  return api.Call("POST", api.RepoPath(fmt::format("/issues/{}/comments", number)), Text(buffer)).status();
}

Result<std::vector<std::string>> CommentBodies(Api& api, int number) {
  auto reply = api.Get(api.RepoPath(fmt::format("/issues/{}/comments?per_page=100", number)));
  if (!reply.ok()) return reply.status();
  return CommentBodiesOfReply(*reply);
}

const char* CommitStateName(CommitState state) {
  switch (state) {
    case CommitState::kSuccess: return "success";
    case CommitState::kFailure: return "failure";
    case CommitState::kPending: return "pending";
    case CommitState::kError: return "error";
  }
  return "error";
}

Status SetCommitStatus(Api& api, const std::string& sha, CommitState state, const std::string& context,
                       const std::string& description, const std::string& target_url) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  json::Field(w, "state", CommitStateName(state));
  json::Field(w, "context", context);
  // GitHub refuses a description over 140 characters.
  json::Field(w, "description", description.substr(0, 140));
  if (!target_url.empty()) json::Field(w, "target_url", target_url);
  w.EndObject();
  return api.Call("POST", api.RepoPath("/statuses/" + sha), Text(buffer)).status();
}

}  // namespace sluice::github

namespace sluice::github {

Result<std::optional<CommitStatusSeen>> LatestCommitStatus(Api& api, const std::string& sha, const std::string& context) {
  auto reply = api.Get(api.RepoPath("/commits/" + sha + "/statuses?per_page=100"));
  if (!reply.ok()) return reply.status();
  return CommitStatusOfReply(*reply, context);
}

}  // namespace sluice::github
