#include "github/graphql.h"

#include <fmt/format.h>

#include "github/replies.h"
#include "json/json.h"
#include "json/writer.h"

namespace sluice::github {
namespace {

constexpr const char* kEntryFields = "id state position enqueuer { login }";

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
  return GraphqlReplyOf(*reply);
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
  return EnqueuedEntryOf(*reply);
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
  return QueueEntryOfReply(*reply, number);
}

Status DequeuePull(Api& api, const std::string& pull_node_id) {
  auto reply = Graphql(api, "mutation($id: ID!) { dequeuePullRequest(input: {id: $id}) { mergeQueueEntry { id } } }",
                       json::Object([&](json::TextWriter& w) { json::Field(w, "id", pull_node_id); }));
  if (!reply.ok()) return reply.status();
  return DequeuedOf(*reply);
}

}  // namespace sluice::github
