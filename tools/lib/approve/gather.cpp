#include "approve/gather.h"

#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "github/names.h"
#include "github/pages.h"
#include "json/json.h"

namespace sluice::approve {
namespace {

std::string Login(const rapidjson::Value& object, const char* member) {
  const rapidjson::Value* user = json::Member(object, member);
  return user != nullptr && user->IsObject() ? json::StringOr(*user, "login") : "";
}

// GitHub's timestamps: "2026-12-07T17:30:00Z".
std::optional<Time> ParseTimestamp(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s) != 6) return std::nullopt;
  // Days from the civil date (Howard Hinnant's days_from_civil), so no time zone is involved.
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const long days = era * 146097L + static_cast<long>(doe) - 719468;
  return Time(std::chrono::seconds(days * 86400L + h * 3600L + mi * 60L + s));
}

Result<std::string> DecodeBase64(const std::string& text) {
  std::string compact;
  for (char c : text) {
    if (c != '\n' && c != '\r') compact += c;
  }
  if (compact.size() % 4 != 0) return ExternalError("GitHub sent a blob whose base64 is cut short");
  std::string out(compact.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(compact.data()), static_cast<int>(compact.size()));
  if (n < 0) return ExternalError("GitHub sent a blob that is not base64");
  std::size_t padding = compact.size() >= 2 ? (compact[compact.size() - 1] == '=') + (compact[compact.size() - 2] == '=') : 0;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

bool BinaryAllowed(const std::string& path, const std::vector<std::string>& extensions) {
  std::size_t dot = path.rfind('.');
  if (dot == std::string::npos) return false;
  std::string ext = path.substr(dot + 1);
  return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}

Result<std::vector<AppliedLabel>> Labels(github::Api& api, const rapidjson::Value& pull, int number) {
  std::vector<AppliedLabel> labels;
  if (const rapidjson::Value* list = json::Member(pull, "labels"); list != nullptr && list->IsArray()) {
    for (const auto& label : list->GetArray()) labels.push_back({json::StringOr(label, "name"), std::nullopt});
  }
  auto events = github::GetAllPages(api, api.RepoPath(fmt::format("/issues/{}/events", number)));
  if (!events.ok()) return events.status();
  for (const auto& event : events->GetArray()) {
    if (json::StringOr(event, "event") != "labeled") continue;
    const rapidjson::Value* label = json::Member(event, "label");
    if (label == nullptr) continue;
    std::string name = json::StringOr(*label, "name");
    for (auto& applied : labels) {  // the last time it was added counts
      if (github::SameLabel(applied.name, name)) applied.applied_at = ParseTimestamp(json::StringOr(event, "created_at"));
    }
  }
  return labels;
}

Status HeadChecks(github::Api& api, const std::string& sha, PullFacts& facts) {
  auto statuses = github::GetAllPages(api, api.RepoPath("/commits/" + sha + "/statuses"));
  if (!statuses.ok()) return statuses.status();
  std::map<std::string, bool> seen;  // GitHub lists the newest first: the first of a context counts
  for (const auto& status : statuses->GetArray()) {
    std::string context = json::StringOr(status, "context");
    if (seen[context]) continue;
    seen[context] = true;
    facts.statuses.push_back({context, json::StringOr(status, "state"), Login(status, "creator")});
  }
  auto runs = github::GetAllPages(api, api.RepoPath("/commits/" + sha + "/check-runs"), "check_runs");
  if (!runs.ok()) return runs.status();
  for (const auto& run : runs->GetArray()) {
    std::string outcome = json::StringOr(run, "status") == "completed" ? json::StringOr(run, "conclusion") : "pending";
    const rapidjson::Value* app = json::Member(run, "app");
    facts.check_runs.push_back({json::StringOr(run, "name"), outcome, app != nullptr ? json::StringOr(*app, "slug") : ""});
  }
  return Status::Ok();
}

Status Files(github::Api& api, int number, PullFacts& facts) {
  auto files = github::GetAllPages(api, api.RepoPath(fmt::format("/pulls/{}/files", number)), nullptr, 30);
  if (!files.ok()) return files.status();
  for (const auto& file : files->GetArray()) {
    ChangedFile changed{json::StringOr(file, "filename"), json::StringOr(file, "previous_filename"), "", "", false};
    changed.removed = json::StringOr(file, "status") == "removed";
    changed.blob = changed.removed ? "" : json::StringOr(file, "sha");
    facts.files.push_back(std::move(changed));
  }
  return Status::Ok();
}

Status Approvals(github::Api& api, int number, PullFacts& facts) {
  auto reviews = github::GetAllPages(api, api.RepoPath(fmt::format("/pulls/{}/reviews", number)));
  if (!reviews.ok()) return reviews.status();
  std::map<std::string, std::string> latest;  // login -> state of the latest review of the head
  for (const auto& review : reviews->GetArray()) {
    if (json::StringOr(review, "commit_id") != facts.head_sha) continue;
    std::string state = json::StringOr(review, "state");
    if (state == "APPROVED" || state == "CHANGES_REQUESTED" || state == "DISMISSED") latest[Login(review, "user")] = state;
  }
  for (const auto& [login, state] : latest) {
    if (state == "APPROVED") facts.approved_by.push_back(login);
  }
  return Status::Ok();
}

}  // namespace

std::string TextProblem(std::string_view content) {
  for (std::size_t i = 0; i < content.size(); ++i) {
    auto c = static_cast<unsigned char>(content[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      return fmt::format("holds control character 0x{:02x} at byte {}: not plain text, so not published unseen", c, i);
    }
  }
  return "";
}

Result<std::vector<rapidjson::Document>> OpenSluicePulls(github::Api& api) {
  auto list = github::GetAllPages(api, api.RepoPath("/pulls?state=open&sort=created&direction=asc"));
  if (!list.ok()) return list.status();
  std::vector<rapidjson::Document> pulls;
  for (const auto& pull : list->GetArray()) {
    const rapidjson::Value* head = json::Member(pull, "head");
    if (head == nullptr || json::StringOr(*head, "ref").rfind("sluice/", 0) != 0) continue;
    rapidjson::Document copy;
    copy.CopyFrom(pull, copy.GetAllocator());
    pulls.push_back(std::move(copy));
  }
  return pulls;
}

Result<rapidjson::Document> Pull(github::Api& api, int number) {
  auto reply = api.Get(api.RepoPath(fmt::format("/pulls/{}", number)));
  if (!reply.ok()) return reply.status();
  return std::move(reply->json);
}

Status ReadFileContents(github::Api& api, const std::vector<std::string>& binary_extensions, PullFacts& facts) {
  std::map<std::string, std::string> problems;  // blob -> problem: a blob shared by files is read once
  for (ChangedFile& file : facts.files) {
    if (file.removed || file.blob.empty() || BinaryAllowed(file.path, binary_extensions)) continue;
    auto known = problems.find(file.blob);
    if (known == problems.end()) {
      auto reply = api.Get(api.RepoPath("/git/blobs/" + file.blob));
      if (!reply.ok()) return reply.status();
      auto content = DecodeBase64(json::StringOr(reply->json, "content"));
      if (!content.ok()) return content.status();
      known = problems.emplace(file.blob, TextProblem(*content)).first;
    }
    file.problem = known->second;
  }
  facts.contents_read = true;
  return Status::Ok();
}

Result<PullFacts> GatherFacts(github::Api& api, const rapidjson::Value& pull) {
  PullFacts facts;
  const rapidjson::Value* number = json::Member(pull, "number");
  const rapidjson::Value* head = json::Member(pull, "head");
  if (number == nullptr || !number->IsInt() || head == nullptr) return ExternalError("GitHub's PR answer has no number or head");
  facts.number = number->GetInt();
  facts.branch = json::StringOr(*head, "ref");
  facts.head_sha = json::StringOr(*head, "sha");
  facts.author = Login(pull, "user");
  const rapidjson::Value* draft = json::Member(pull, "draft");
  facts.draft = draft != nullptr && draft->IsBool() && draft->GetBool();
  auto labels = Labels(api, pull, facts.number);
  if (!labels.ok()) return labels.status();
  facts.labels = std::move(labels).value();
  SLUICE_RETURN_IF_ERROR(HeadChecks(api, facts.head_sha, facts));
  SLUICE_RETURN_IF_ERROR(Files(api, facts.number, facts));
  SLUICE_RETURN_IF_ERROR(Approvals(api, facts.number, facts));
  return facts;
}

}  // namespace sluice::approve
