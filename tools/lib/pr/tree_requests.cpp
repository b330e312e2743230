#include "pr/tree_requests.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/fs.h"
#include "git/objects.h"

namespace sluice::pr {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

Result<std::string> EntryJson(const FileChange& change) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, "path", change.path);
  Key(w, "mode", change.kind == ChangeKind::kDelete ? std::string(git::kModeFile) : change.mode);
  Key(w, "type", "blob");
  if (change.kind == ChangeKind::kDelete) {
    w.Key("sha");
    w.Null();  // GitHub: "sha: null" deletes the path from base_tree
  } else if (change.route == BlobRoute::kInline) {
    auto content = ReadFile(change.file->source);
    if (!content.ok()) return content.status();
    if (git::BlobId(*content) != change.sha) {
      return InputError(fmt::format("{} changed while sluice-pr was running; run it again", change.path));
    }
    Key(w, "content", *content);
  } else {
    Key(w, "sha", change.sha);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

Result<std::vector<std::string>> TreeRequestBatches(const CommitPlan& plan, std::size_t limit) {
  // The envelope around a batch: {"base_tree":"<40 hex>","tree":[...]}.
  constexpr std::size_t kEnvelope = 64;
  std::vector<std::string> batches;
  std::string batch;
  for (const FileChange& change : plan.changes) {
    auto entry = EntryJson(change);
    if (!entry.ok()) return entry.status();
    if (!batch.empty() && batch.size() + entry->size() + 2 + kEnvelope > limit) {
      batches.push_back("[" + batch + "]");
      batch.clear();
    }
    if (!batch.empty()) batch += ",";
    batch += *entry;
  }
  if (!batch.empty()) batches.push_back("[" + batch + "]");
  return batches;
}

}  // namespace sluice::pr
