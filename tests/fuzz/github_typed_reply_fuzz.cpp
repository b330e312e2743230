// GitHub's typed replies (github/replies.h, github/issues.h): the input is an HTTP answer (http_reply.h) read as
// the answer to each request sluice sends for pulls, git data and GraphQL, through the Reply
// Api::Call makes of it (ReplyOf) and then the reader of that request's answer. Checks what the
// readers promise: an answer that lacks what the request must give back is an error, never a
// made-up value (a PR without a number, a commit without a tree, an empty sha).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "github/issues.h"
#include "github/replies.h"
#include "http_reply.h"

namespace {

using namespace sluice;
using namespace sluice::github;

void Require(bool promise, const std::string& what) {
  if (!promise) fuzz::Broken("github_typed_reply", what);
}

void ReadAsRest(const http::Response& response) {
  if (auto reply = ReplyOf("POST", "/repos/o/r/pulls", response); reply.ok()) {
    if (auto pull = PullOfReply(*reply, "POST pulls"); pull.ok()) Require(pull->number > 0, "a PR without a number");
  }
  if (auto reply = ReplyOf("GET", "/repos/o/r/pulls?state=open", response); reply.ok()) {
    if (auto pull = OpenPullOfReply(*reply); pull.ok() && *pull) Require((*pull)->number > 0, "an open PR without a number");
    CommentBodiesOfReply(*reply);
    if (auto seen = CommitStatusOfReply(*reply, "sluice/validate"); !seen.ok()) {
      Require(!reply->json.IsArray(), "a list of statuses refused");
    }
  }
  if (auto reply = ReplyOf("POST", "/repos/o/r/issues", response); reply.ok()) {
    if (auto issue = IssueOfReply(*reply, "POST issues"); issue.ok()) Require(issue->number > 0, "an issue without a number");
  }
  if (auto reply = ReplyOf("GET", "/repos/o/r/issues?labels=sluice:incident", response); reply.ok()) {
    if (auto issues = IssuesOfReply(*reply); issues.ok()) {
      for (const auto& issue : *issues) Require(issue.number > 0, "a listed issue without a number");
    } else {
      Require(!reply->json.IsArray(), "a list of issues refused");
    }
  }
  if (auto reply = ReplyOf("GET", "/repos/o/r/git/ref/heads/sluice/cases", response, {404}); reply.ok()) {
    auto sha = BranchShaOfReply(*reply, "sluice/cases");
    if (sha.ok() && *sha) Require(!(*sha)->empty(), "a branch at an empty sha");
    if (sha.ok()) Require(reply->status != 404 || !*sha, "a sha from a 404");
  }
  if (auto reply = ReplyOf("GET", "/repos/o/r", response); reply.ok()) {
    if (auto branch = DefaultBranchOfReply(*reply); branch.ok()) Require(!branch->empty(), "an empty default branch");
    if (auto commit = CommitOfReply(*reply, "abc"); commit.ok()) Require(!commit->tree.empty(), "a commit without a tree");
    if (auto tree = TreeOfReply(*reply, "abc"); tree.ok()) {
      for (const auto& [path, entry] : tree->entries) {
        Require(path.size() >= entry.name.size() && path.compare(path.size() - entry.name.size(), std::string::npos, entry.name) == 0,
                "a tree entry whose name is not the end of its path");
      }
    }
    if (auto sha = CreatedShaOfReply(*reply, "POST blob"); sha.ok()) Require(!sha->empty(), "an empty created sha");
  }
}

void ReadAsGraphql(const http::Response& response) {
  auto reply = ReplyOf("POST", kGraphqlPath, response);
  if (!reply.ok()) return;
  auto graphql = GraphqlReplyOf(*reply);
  if (!graphql.ok()) return;
  Require(graphql->data.IsNull() || graphql->data.IsObject(), "GraphQL data that is not an object");
  if (auto entry = EnqueuedEntryOf(*graphql); entry.ok()) Require(graphql->errors.empty(), "queued despite errors");
  if (auto entry = QueueEntryOfReply(*graphql, 7); entry.ok()) Require(graphql->errors.empty(), "an entry despite errors");
  Require(DequeuedOf(*graphql).ok() == graphql->errors.empty(), "dequeued despite errors, or refused without one");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!fuzz::TakeInput(data, size, text)) return 0;
  const http::Response response = fuzz::ResponseOf(text);
  ReadAsRest(response);
  ReadAsGraphql(response);
  return 0;
}
