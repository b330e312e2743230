#include "github/replies.h"

#include <algorithm>

#include <fmt/format.h>

#include "json/json.h"

namespace sluice::github {
namespace {

PullRequest PullFrom(const rapidjson::Value& json) {
  PullRequest pull;
  const rapidjson::Value* number = json::Member(json, "number");
  if (number != nullptr && number->IsInt()) pull.number = number->GetInt();
  pull.url = json::StringOr(json, "html_url");
  if (const rapidjson::Value* head = json::Member(json, "head"); head != nullptr && head->IsObject()) {
    pull.head_sha = json::StringOr(*head, "sha");
  }
  if (const rapidjson::Value* labels = json::Member(json, "labels"); labels != nullptr && labels->IsArray()) {
    for (const auto& label : labels->GetArray()) {
      if (label.IsObject()) pull.labels.push_back(json::StringOr(label, "name"));
    }
  }
  return pull;
}

// reply.<a>.<b> as a non-empty string, or an error naming the request and what is missing.
Result<std::string> StringField(const Reply& reply, const char* a, const char* b, const std::string& what) {
  const rapidjson::Value* value = reply.json.IsObject() ? json::Member(reply.json, a) : nullptr;
  if (value != nullptr && b != nullptr) value = value->IsObject() ? json::Member(*value, b) : nullptr;
  if (value == nullptr || !value->IsString() || value->GetStringLength() == 0) {
    return ExternalError(fmt::format("GitHub's answer to {} has no {}", what, b != nullptr ? b : a));
  }
  return std::string(value->GetString(), value->GetStringLength());
}

QueueEntry EntryFrom(const rapidjson::Value& entry) {
  QueueEntry out;
  out.id = json::StringOr(entry, "id");
  out.state = json::StringOr(entry, "state");
  if (const rapidjson::Value* position = json::Member(entry, "position"); position != nullptr && position->IsInt()) {
    out.position = position->GetInt();
  }
  if (const rapidjson::Value* enqueuer = json::Member(entry, "enqueuer"); enqueuer != nullptr && enqueuer->IsObject()) {
    out.enqueuer = json::StringOr(*enqueuer, "login");
  }
  return out;
}

std::string Joined(const std::vector<std::string>& errors) {
  std::string text;
  for (const auto& e : errors) text += (text.empty() ? "" : "; ") + e;
  return text;
}

// data.<a>.<b>... or nullptr.
const rapidjson::Value* Path(const rapidjson::Value& data, std::initializer_list<const char*> members) {
  const rapidjson::Value* at = &data;
  for (const char* name : members) {
    if (at == nullptr || !at->IsObject()) return nullptr;
    at = json::Member(*at, name);
  }
  return at;
}

}  // namespace

Result<Reply> ReplyOf(const std::string& method, const std::string& path, const http::Response& response,
                      std::initializer_list<long> also_ok) {
  const long status = response.status;
  const bool accepted = (status >= 200 && status < 300) || std::find(also_ok.begin(), also_ok.end(), status) != also_ok.end();
  if (!accepted) {
    std::string message = DescribeError(method, path, status, response.body);
    if (!response.attempt_log.empty()) message += fmt::format(" (after {} attempts)", response.attempts);
    if (status == 401 || status == 403 || status == 404) return ConfigError(std::move(message));
    return ExternalError(std::move(message));
  }
  Reply reply;
  reply.status = status;
  reply.headers = response.headers;
  if (!response.body.empty()) {
    auto parsed = json::Parse(response.body, method + " " + path);
    if (parsed.ok()) {
      reply.json = std::move(parsed).value();
    } else if (status >= 200 && status < 300) {
      return ExternalError(parsed.status().message() + " (GitHub answered with something that is not JSON)");
    }
    // An accepted error status (also_ok) keeps its message when GitHub sent JSON ({"message": ...}).
  }
  return reply;
}

Result<PullRequest> PullOfReply(const Reply& reply, const std::string& what) {
  if (!reply.json.IsObject()) return ExternalError("GitHub's answer to " + what + " is not a pull request");
  PullRequest pull = PullFrom(reply.json);
  if (pull.number <= 0) return ExternalError("GitHub's answer to " + what + " has no PR number");
  return pull;
}

Result<std::optional<PullRequest>> OpenPullOfReply(const Reply& reply) {
  if (!reply.json.IsArray()) return ExternalError("GitHub's answer to GET pulls is not a list");
  for (const auto& item : reply.json.GetArray()) {
    if (!item.IsObject()) continue;
    PullRequest pull = PullFrom(item);
    if (pull.number > 0) return std::optional<PullRequest>(std::move(pull));
  }
  return std::optional<PullRequest>();
}

std::vector<std::string> CommentBodiesOfReply(const Reply& reply) {
  std::vector<std::string> bodies;
  if (!reply.json.IsArray()) return bodies;
  for (const auto& item : reply.json.GetArray()) {
    if (item.IsObject()) bodies.push_back(json::StringOr(item, "body"));
  }
  return bodies;
}

Result<std::optional<CommitStatusSeen>> CommitStatusOfReply(const Reply& reply, const std::string& context) {
  if (!reply.json.IsArray()) return ExternalError("GitHub's list of commit statuses is not an array");
  for (const auto& status : reply.json.GetArray()) {
    if (!status.IsObject() || json::StringOr(status, "context") != context) continue;
    CommitStatusSeen seen{json::StringOr(status, "state"), ""};
    if (const rapidjson::Value* creator = json::Member(status, "creator"); creator != nullptr && creator->IsObject()) {
      seen.creator = json::StringOr(*creator, "login");
    }
    return std::optional<CommitStatusSeen>(std::move(seen));
  }
  return std::optional<CommitStatusSeen>();
}

Result<std::optional<std::string>> BranchShaOfReply(const Reply& reply, const std::string& branch) {
  if (reply.status == 404) return std::optional<std::string>();
  auto sha = StringField(reply, "object", "sha", "GET ref heads/" + branch);
  if (!sha.ok()) return sha.status();
  return std::optional<std::string>(*sha);
}

Result<std::string> DefaultBranchOfReply(const Reply& reply) {
  return StringField(reply, "default_branch", nullptr, "GET repository");
}

Result<git::CommitInfo> CommitOfReply(const Reply& reply, const std::string& sha) {
  git::CommitInfo commit;
  commit.sha = sha;
  auto tree = StringField(reply, "tree", "sha", "GET commit " + sha);
  if (!tree.ok()) return tree.status();
  commit.tree = *tree;
  commit.message = json::StringOr(reply.json, "message");
  const rapidjson::Value* parents = json::Member(reply.json, "parents");
  if (parents != nullptr && parents->IsArray()) {
    for (const auto& parent : parents->GetArray()) {
      if (parent.IsObject()) commit.parents.push_back(json::StringOr(parent, "sha"));
    }
  }
  return commit;
}

Result<TreeListing> TreeOfReply(const Reply& reply, const std::string& tree_sha) {
  if (!reply.json.IsObject()) return ExternalError("GitHub's answer to GET tree " + tree_sha + " is not a tree");
  TreeListing listing;
  listing.sha = json::StringOr(reply.json, "sha", tree_sha);
  const rapidjson::Value* truncated = json::Member(reply.json, "truncated");
  listing.truncated = truncated != nullptr && truncated->IsBool() && truncated->GetBool();
  const rapidjson::Value* tree = json::Member(reply.json, "tree");
  if (tree == nullptr || !tree->IsArray()) return ExternalError("GitHub's answer to GET tree " + tree_sha + " has no tree");
  for (const auto& item : tree->GetArray()) {
    if (!item.IsObject()) continue;
    std::string path = json::StringOr(item, "path");
    std::string mode = json::StringOr(item, "mode");
    const std::size_t slash = path.rfind('/');
    std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
    listing.entries.push_back({path, git::TreeEntry{name, mode, json::StringOr(item, "sha")}});
  }
  return listing;
}

Result<std::string> CreatedShaOfReply(const Reply& reply, const std::string& what) {
  return StringField(reply, "sha", nullptr, what);
}

Result<GraphqlReply> GraphqlReplyOf(const Reply& reply) {
  if (!reply.json.IsObject()) return ExternalError("GitHub's GraphQL answer is not a JSON object");
  GraphqlReply out;
  if (const rapidjson::Value* errors = json::Member(reply.json, "errors"); errors != nullptr && errors->IsArray()) {
    for (const auto& e : errors->GetArray()) out.errors.push_back(e.IsObject() ? json::StringOr(e, "message") : "?");
  }
  if (const rapidjson::Value* data = json::Member(reply.json, "data"); data != nullptr && data->IsObject()) {
    out.data.CopyFrom(*data, out.data.GetAllocator());
  }
  return out;
}

Result<QueueEntry> EnqueuedEntryOf(const GraphqlReply& reply) {
  if (!reply.errors.empty()) return ExternalError("GitHub refused to queue the PR: " + Joined(reply.errors));
  const rapidjson::Value* entry = Path(reply.data, {"enqueuePullRequest", "mergeQueueEntry"});
  if (entry == nullptr || !entry->IsObject()) return ExternalError("GitHub queued the PR but named no merge queue entry");
  return EntryFrom(*entry);
}

Result<std::optional<QueueEntry>> QueueEntryOfReply(const GraphqlReply& reply, int number) {
  if (!reply.errors.empty()) {
    return ExternalError(fmt::format("reading #{}'s merge queue entry: {}", number, Joined(reply.errors)));
  }
  const rapidjson::Value* entry = Path(reply.data, {"repository", "pullRequest", "mergeQueueEntry"});
  if (entry == nullptr || !entry->IsObject()) return std::optional<QueueEntry>();
  return std::optional<QueueEntry>(EntryFrom(*entry));
}

Status DequeuedOf(const GraphqlReply& reply) {
  if (!reply.errors.empty()) return ExternalError("GitHub refused to take the PR out of the merge queue: " + Joined(reply.errors));
  return Status::Ok();
}

}  // namespace sluice::github
