#include "github/graphql.h"

#include <fmt/format.h>

#include "json/json.h"
#include "json/writer.h"

namespace sluice::github {
namespace {

constexpr const char* kEntryFields = "id state position enqueuer { login }";

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

Result<GraphqlReply> Graphql(Api& api, const std::string& query, const std::string& variables_json) {
  std::string body = json::Object([&](json::TextWriter& w) {
    json::Field(w, "query", query);
    if (!variables_json.empty()) {
      w.Key("variables");
      w.RawValue(variables_json.c_str(), variables_json.size(), rapidjson::kObjectType);
    }
  });
  auto reply = api.Call("POST", kGraphqlPath, body);
  if (!reply.ok()) return reply.status();
  GraphqlReply out;
  if (!reply->json.IsObject()) return ExternalError("GitHub's GraphQL answer is not a JSON object");
  if (const rapidjson::Value* errors = json::Member(reply->json, "errors"); errors != nullptr && errors->IsArray()) {
    for (const auto& e : errors->GetArray()) out.errors.push_back(e.IsObject() ? json::StringOr(e, "message") : "?");
  }
  if (const rapidjson::Value* data = json::Member(reply->json, "data"); data != nullptr && data->IsObject()) {
    out.data.CopyFrom(*data, out.data.GetAllocator());
  }
  return out;
}

Result<QueueEntry> EnqueuePull(Api& api, const std::string& pull_node_id, const std::string& expected_head) {
  std::string query = fmt::format(
      "mutation($id: ID!, $head: GitObjectID) {{ enqueuePullRequest(input: {{pullRequestId: $id, expectedHeadOid: $head}}) "
      "{{ mergeQueueEntry {{ {} }} }} }}",
      kEntryFields);
  auto reply = Graphql(api, query, json::Object([&](json::TextWriter& w) {
                         json::Field(w, "id", pull_node_id);
                         json::Field(w, "head", expected_head);
                       }));
  if (!reply.ok()) return reply.status();
  if (!reply->errors.empty()) return ExternalError("GitHub refused to queue the PR: " + Joined(reply->errors));
  const rapidjson::Value* entry = Path(reply->data, {"enqueuePullRequest", "mergeQueueEntry"});
  if (entry == nullptr || !entry->IsObject()) return ExternalError("GitHub queued the PR but named no merge queue entry");
  return EntryFrom(*entry);
}

Result<std::optional<QueueEntry>> QueueEntryOf(Api& api, int number) {
  std::string query = fmt::format(
      "query($owner: String!, $name: String!, $number: Int!) {{ repository(owner: $owner, name: $name) {{ "
      "pullRequest(number: $number) {{ mergeQueueEntry {{ {} }} }} }} }}",
      kEntryFields);
  auto reply = Graphql(api, query, json::Object([&](json::TextWriter& w) {
                         json::Field(w, "owner", api.config().owner);
                         json::Field(w, "name", api.config().repo);
                         w.Key("number");
                         w.Int(number);
                       }));
  if (!reply.ok()) return reply.status();
  if (!reply->errors.empty()) return ExternalError(fmt::format("reading #{}'s merge queue entry: {}", number, Joined(reply->errors)));
  const rapidjson::Value* entry = Path(reply->data, {"repository", "pullRequest", "mergeQueueEntry"});
  if (entry == nullptr || !entry->IsObject()) return std::optional<QueueEntry>();
  return std::optional<QueueEntry>(EntryFrom(*entry));
}

Status DequeuePull(Api& api, const std::string& pull_node_id) {
  auto reply = Graphql(api, "mutation($id: ID!) { dequeuePullRequest(input: {id: $id}) { mergeQueueEntry { id } } }",
                       json::Object([&](json::TextWriter& w) { json::Field(w, "id", pull_node_id); }));
  if (!reply.ok()) return reply.status();
  if (!reply->errors.empty()) return ExternalError("GitHub refused to take the PR out of the merge queue: " + Joined(reply->errors));
  return Status::Ok();
}

}  // namespace sluice::github
