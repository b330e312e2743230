#include "github/pages.h"

#include <fmt/format.h>

#include "json/json.h"

namespace sluice::github {

std::string NextPageUrl(const std::string& link_header) {
  // <https://api.github.com/repositories/1/pulls?page=2>; rel="next", <...>; rel="last"
  std::size_t at = 0;
  while (at < link_header.size()) {
    std::size_t open = link_header.find('<', at);
    std::size_t close = link_header.find('>', open);
    if (open == std::string::npos || close == std::string::npos) break;
    std::size_t end = link_header.find(',', close);
    std::string params = link_header.substr(close + 1, end == std::string::npos ? std::string::npos : end - close - 1);
    if (params.find("rel=\"next\"") != std::string::npos) return link_header.substr(open + 1, close - open - 1);
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return "";
}

Result<rapidjson::Document> GetAllPages(Api& api, const std::string& path, const char* member, int max_pages) {
  rapidjson::Document all(rapidjson::kArrayType);
  std::string next = path + (path.find('?') == std::string::npos ? "?" : "&") + "per_page=100";
  for (int page = 0; page < max_pages && !next.empty(); ++page) {
    auto reply = api.Get(next);
    if (!reply.ok()) return reply.status();
    const rapidjson::Value* list = member != nullptr ? json::Member(reply->json, member) : &reply->json;
    if (list == nullptr || !list->IsArray()) {
      return ExternalError(fmt::format("GitHub's answer to GET {} is not a list", path));
    }
    for (auto& item : list->GetArray()) all.PushBack(rapidjson::Value(item, all.GetAllocator()), all.GetAllocator());
    std::string link;
    for (const auto& [name, value] : reply->headers) {
      if (name == "link") link = value;
    }
    next = NextPageUrl(link);
    // The Link header carries absolute URLs; the Api takes paths below its base URL.
    const std::string& base = api.config().base_url;
    if (!next.empty()) {
      if (next.rfind(base, 0) != 0) return ExternalError("GitHub's next page is not below " + base + ": " + next);
      next = next.substr(base.size());
    }
  }
  return all;
}

}  // namespace sluice::github
