// What GitHub's answers say, read from the answer alone: the typed values of pulls.h,
// git_data.h and graphql.h. The functions there send the request and call these; so does the
// fuzz target github_typed_reply (tests/fuzz), which reaches them without a server. An answer
// that lacks what it must hold is an ExternalError naming the request, never a made-up value.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "git/objects.h"
#include "github/api.h"
#include "github/git_data.h"
#include "github/graphql.h"
#include "github/pulls.h"
#include "http/client.h"

namespace sluice::github {

// The Reply Api::Call makes of the HTTP answer to `method` `path`: a 2xx, or a status listed in
// `also_ok`, with its body parsed as JSON (null when empty); any other status an error in
// GitHub's words (DescribeError), a ConfigError for 401/403/404, else an ExternalError.
Result<Reply> ReplyOf(const std::string& method, const std::string& path, const http::Response& response,
                      std::initializer_list<long> also_ok = {});

// Pulls: the PR a POST or PATCH answered with (`what` names the request); the first open PR of
// a GET pulls?head= listing; the bodies of a comment listing; the newest status of `context`
// in a GET statuses listing (GitHub lists them newest first).
Result<PullRequest> PullOfReply(const Reply& reply, const std::string& what);
Result<std::optional<PullRequest>> OpenPullOfReply(const Reply& reply);
std::vector<std::string> CommentBodiesOfReply(const Reply& reply);
Result<std::optional<CommitStatusSeen>> CommitStatusOfReply(const Reply& reply, const std::string& context);

// Git data: a ref's commit (nullopt for 404, no such branch); the repository's default branch;
// a commit; a tree listing; the sha of what a POST created (`what`: "POST blob", ...).
Result<std::optional<std::string>> BranchShaOfReply(const Reply& reply, const std::string& branch);
Result<std::string> DefaultBranchOfReply(const Reply& reply);
Result<git::CommitInfo> CommitOfReply(const Reply& reply, const std::string& sha);
Result<TreeListing> TreeOfReply(const Reply& reply, const std::string& tree_sha);
Result<std::string> CreatedShaOfReply(const Reply& reply, const std::string& what);

// GraphQL: the data and errors of an answer (GraphQL answers 200 with errors); then what the
// merge queue's mutations and query said.
Result<GraphqlReply> GraphqlReplyOf(const Reply& reply);
Result<QueueEntry> EnqueuedEntryOf(const GraphqlReply& reply);
Result<std::optional<QueueEntry>> QueueEntryOfReply(const GraphqlReply& reply, int number);
Status DequeuedOf(const GraphqlReply& reply);

}  // namespace sluice::github
