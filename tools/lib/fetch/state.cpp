#include "fetch/state.h"

#include <rapidjson/document.h>

#include "core/fs.h"
#include "json/json.h"

namespace sluice::fetch {

Result<FetchState> LoadFetchState(const std::filesystem::path& path) {
  FetchState state;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return state;
  auto document = json::ParseFile(path);
  if (!document.ok()) {
    return InputError(document.status().message() + " (the fetch state file; delete it to start afresh)");
  }
  const rapidjson::Value* sources = json::Member(*document, "sources");
  if (sources == nullptr || !sources->IsObject()) return state;
  for (const auto& member : sources->GetObject()) {
    if (!member.value.IsObject()) continue;
    SourceValidators entry;
    entry.url = json::StringOr(member.value, "url");
    entry.etag = json::StringOr(member.value, "etag");
    entry.last_modified = json::StringOr(member.value, "last_modified");
    entry.sha256 = json::StringOr(member.value, "sha256");
    entry.fetched_at = json::StringOr(member.value, "fetched_at");
    state.sources.emplace(member.name.GetString(), std::move(entry));
  }
  return state;
}

Status SaveFetchState(const std::filesystem::path& path, const FetchState& state) {
  rapidjson::Document document(rapidjson::kObjectType);
  auto& alloc = document.GetAllocator();
  rapidjson::Value sources(rapidjson::kObjectType);
  for (const auto& [name, entry] : state.sources) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("url", rapidjson::Value(entry.url, alloc), alloc);
    item.AddMember("etag", rapidjson::Value(entry.etag, alloc), alloc);
    item.AddMember("last_modified", rapidjson::Value(entry.last_modified, alloc), alloc);
    item.AddMember("sha256", rapidjson::Value(entry.sha256, alloc), alloc);
    item.AddMember("fetched_at", rapidjson::Value(entry.fetched_at, alloc), alloc);
    sources.AddMember(rapidjson::Value(name, alloc), item, alloc);
  }
  document.AddMember("sources", sources, alloc);
  return WriteFileAtomically(path, json::Write(document, true) + "\n");
}

}  // namespace sluice::fetch
