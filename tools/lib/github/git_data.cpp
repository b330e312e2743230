#include "github/git_data.h"

#include <openssl/evp.h>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "github/replies.h"
#include "json/json.h"

namespace sluice::github {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

std::string Text(const rapidjson::StringBuffer& buffer) { return std::string(buffer.GetString(), buffer.GetSize()); }

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  // EVP_EncodeBlock takes an int length; a blob is at most 100 MB, well within it.
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(written));
  return out;
}

}  // namespace

Result<std::optional<std::string>> BranchSha(Api& api, const std::string& branch) {
  auto reply = api.Get(api.RepoPath("/git/ref/heads/" + branch), {404});
  if (!reply.ok()) return reply.status();
  return BranchShaOfReply(*reply, branch);
}

Result<std::string> DefaultBranch(Api& api) {
  auto reply = api.Get(api.RepoPath(""));
  if (!reply.ok()) return reply.status();
  return DefaultBranchOfReply(*reply);
}

Result<git::CommitInfo> ReadCommit(Api& api, const std::string& sha) {
  auto reply = api.Get(api.RepoPath("/git/commits/" + sha));
  if (!reply.ok()) return reply.status();
  return CommitOfReply(*reply, sha);
}

Result<TreeListing> ReadTree(Api& api, const std::string& tree_sha, bool recursive) {
  auto reply = api.Get(api.RepoPath("/git/trees/" + tree_sha + (recursive ? "?recursive=1" : "")));
  if (!reply.ok()) return reply.status();
  return TreeOfReply(*reply, tree_sha);
}

Result<std::string> CreateBlob(Api& api, std::string_view content) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, "content", Base64(content));
  Key(w, "encoding", "base64");
  w.EndObject();
  auto reply = api.Call("POST", api.RepoPath("/git/blobs"), Text(buffer));
  if (!reply.ok()) return reply.status();
  return CreatedShaOfReply(*reply, "POST blob");
}

Result<std::string> CreateTree(Api& api, const std::string& base_tree, const std::string& entries_json) {
  std::string body = "{";
  if (!base_tree.empty()) body += "\"base_tree\":\"" + base_tree + "\",";
  body += "\"tree\":" + entries_json + "}";
  auto reply = api.Call("POST", api.RepoPath("/git/trees"), body);
  if (!reply.ok()) return reply.status();
  return CreatedShaOfReply(*reply, "POST tree");
}

Result<std::string> CreateCommit(Api& api, const std::string& message, const std::string& tree,
                                 const std::vector<std::string>& parents) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, "message", message);
  Key(w, "tree", tree);
  w.Key("parents");
  w.StartArray();
  for (const auto& parent : parents) w.String(parent.c_str(), static_cast<rapidjson::SizeType>(parent.size()));
  w.EndArray();
  w.EndObject();
  auto reply = api.Call("POST", api.RepoPath("/git/commits"), Text(buffer));
  if (!reply.ok()) return reply.status();
  return CreatedShaOfReply(*reply, "POST commit");
}

Status CreateBranch(Api& api, const std::string& branch, const std::string& sha) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, "ref", "refs/heads/" + branch);
  Key(w, "sha", sha);
  w.EndObject();
  return api.Call("POST", api.RepoPath("/git/refs"), Text(buffer)).status();
}

Status MoveBranch(Api& api, const std::string& branch, const std::string& sha, bool force) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, "sha", sha);
  w.Key("force");
  w.Bool(force);
  w.EndObject();
  return api.Call("PATCH", api.RepoPath("/git/refs/heads/" + branch), Text(buffer)).status();
}

}  // namespace sluice::github
