#include "github/branches.h"

#include <algorithm>

#include "github/pages.h"
#include "json/json.h"

namespace sluice::github {
namespace {

void AddCheck(BranchRules& rules, const std::string& context) {
  if (std::find(rules.required_checks.begin(), rules.required_checks.end(), context) == rules.required_checks.end()) {
    rules.required_checks.push_back(context);
  }
}

Status ClassicProtection(Api& api, const std::string& branch, BranchRules& rules) {
  auto reply = api.Get(api.RepoPath("/branches/" + branch), {404});
  if (!reply.ok()) return reply.status();
  if (reply->status == 404 || !reply->json.IsObject()) return Status::Ok();
  const rapidjson::Value* protection = json::Member(reply->json, "protection");
  const rapidjson::Value* required = protection != nullptr && protection->IsObject()
                                         ? json::Member(*protection, "required_status_checks")
                                         : nullptr;
  if (required == nullptr || !required->IsObject() || json::StringOr(*required, "enforcement_level") == "off") {
    return Status::Ok();
  }
  if (const rapidjson::Value* contexts = json::Member(*required, "contexts"); contexts != nullptr && contexts->IsArray()) {
    for (const auto& context : contexts->GetArray()) {
      if (context.IsString()) AddCheck(rules, context.GetString());
    }
  }
  return Status::Ok();
}

Status Rulesets(Api& api, const std::string& branch, BranchRules& rules) {
  auto list = GetAllPages(api, api.RepoPath("/rules/branches/" + branch));
  if (!list.ok()) return list.status();
  for (const auto& rule : list->GetArray()) {
    std::string type = json::StringOr(rule, "type");
    const rapidjson::Value* parameters = json::Member(rule, "parameters");
    if (type == "merge_queue") rules.merge_queue = true;
    if (parameters == nullptr || !parameters->IsObject()) continue;
    if (type == "pull_request") {
      const rapidjson::Value* count = json::Member(*parameters, "required_approving_review_count");
      if (count != nullptr && count->IsInt()) rules.required_reviews = std::max(rules.required_reviews, count->GetInt());
    }
    if (type == "required_status_checks") {
      const rapidjson::Value* checks = json::Member(*parameters, "required_status_checks");
      if (checks == nullptr || !checks->IsArray()) continue;
      for (const auto& check : checks->GetArray()) {
        if (check.IsObject()) AddCheck(rules, json::StringOr(check, "context"));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<BranchRules> ReadBranchRules(Api& api, const std::string& branch) {
  BranchRules rules;
  SLUICE_RETURN_IF_ERROR(ClassicProtection(api, branch, rules));
  SLUICE_RETURN_IF_ERROR(Rulesets(api, branch, rules));
  return rules;
}

}  // namespace sluice::github
