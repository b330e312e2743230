// GitHub's GraphQL API, for what REST cannot do: the merge queue (a base branch whose rules
// require a queue refuses the REST merge with 405; DESIGN.md, Limits of the services).
// https://docs.github.com/graphql/reference/mutations#enqueuepullrequest
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/status.h"
#include "github/api.h"

namespace sluice::github {

struct GraphqlReply {
  rapidjson::Document data;          // null when GitHub answered errors only
  std::vector<std::string> errors;   // GitHub's messages ("" none): GraphQL answers 200 with errors
};

// Posts `query` with `variables_json` (a JSON object, "" for none).
Result<GraphqlReply> Graphql(Api& api, const std::string& query, const std::string& variables_json);

struct QueueEntry {
  std::string id;
  std::string state;     // QUEUED, AWAITING_CHECKS, MERGEABLE, UNMERGEABLE, LOCKED
  int position = 0;
  std::string enqueuer;  // login
};

// Adds the PR (its GraphQL node id) to its base branch's merge queue, on the condition that its
// head is still `expected_head` (the queue's equivalent of the merge's sha guard). GitHub's
// refusal comes back as an error whose message is GitHub's.
Result<QueueEntry> EnqueuePull(Api& api, const std::string& pull_node_id, const std::string& expected_head);
// The PR's merge queue entry, or nullopt when it is not queued.
Result<std::optional<QueueEntry>> QueueEntryOf(Api& api, int number);
Status DequeuePull(Api& api, const std::string& pull_node_id);

}  // namespace sluice::github
