// GitHub's error answers in words (the format is documented in "Troubleshooting the REST API":
// message, optional errors[] with resource/field/code/message, documentation_url).
#include <fmt/format.h>

#include "core/secrets.h"
#include "github/api.h"
#include "json/json.h"

namespace sluice::github {
namespace {

std::string OneError(const rapidjson::Value& error) {
  if (error.IsString()) return error.GetString();
  if (!error.IsObject()) return "";
  std::string message = json::StringOr(error, "message");
  if (!message.empty()) return message;
  std::string field = json::StringOr(error, "field"), code = json::StringOr(error, "code");
  std::string resource = json::StringOr(error, "resource");
  std::string where = resource.empty() ? field : field.empty() ? resource : resource + "." + field;
  return where.empty() ? code : where + ": " + code;
}

// Advice for the statuses a data-PR run meets, where GitHub's own message does not say it.
std::string Advice(long status) {
  switch (status) {
    case 401: return "; the token was refused: check that it is set and has not expired";
    case 403: return "; the token lacks a permission: the workflow needs `contents: write` and `pull-requests: write`";
    case 404: return "; check the repository name and that the token can see it";
    default: return "";
  }
}

}  // namespace

std::string DescribeError(const std::string& method, const std::string& path, long status, const std::string& body) {
  std::string text = fmt::format("{} {}: HTTP {}", method, path, status);
  auto parsed = json::Parse(body, "response");
  if (parsed.ok() && parsed->IsObject()) {
    std::string message = json::StringOr(*parsed, "message");
    if (!message.empty()) text += ": " + message;
    const rapidjson::Value* errors = json::Member(*parsed, "errors");
    if (errors != nullptr && errors->IsArray() && !errors->Empty()) {
      std::string details;
      for (const auto& error : errors->GetArray()) {
        std::string one = OneError(error);
        if (one.empty()) continue;
        details += (details.empty() ? "" : "; ") + one;
      }
      if (!details.empty()) text += " (" + details + ")";
    }
  } else if (!body.empty()) {
    text += ": " + body.substr(0, 200);
  }
  return Mask(text + Advice(status));
}

}  // namespace sluice::github
