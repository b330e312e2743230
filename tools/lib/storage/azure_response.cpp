#include "storage/azure_response.h"

#include <cstdlib>

#include <fmt/format.h>

#include "core/secrets.h"

namespace sluice::storage::azure {
namespace {

std::string DecodeEntities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const std::size_t end = text.find(';', i);
    if (end == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    std::string_view entity = text.substr(i + 1, end - i - 1);
    if (entity == "amp") out += '&';
    else if (entity == "lt") out += '<';
    else if (entity == "gt") out += '>';
    else if (entity == "quot") out += '"';
    else if (entity == "apos") out += '\'';
    else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      const unsigned long code = std::strtoul(std::string(entity.substr(hex ? 2 : 1)).c_str(), nullptr, hex ? 16 : 10);
      // UTF-8 of the code point.
      if (code < 0x80) {
        out += static_cast<char>(code);
      } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      }
    } else {
      out += text.substr(i, end - i + 1);
    }
    i = end;
  }
  return out;
}

std::string FirstLine(std::string text) {
  const std::size_t end = text.find_first_of("\r\n");
  if (end != std::string::npos) text.resize(end);
  return text;
}

}  // namespace

std::vector<std::string> XmlTexts(std::string_view xml, std::string_view tag) {
  std::vector<std::string> texts;
  const std::string open = fmt::format("<{}>", tag), close = fmt::format("</{}>", tag);
  std::size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    const std::size_t start = pos + open.size();
    const std::size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    texts.push_back(DecodeEntities(xml.substr(start, end - start)));
    pos = end + close.size();
  }
  return texts;
}

std::string XmlText(std::string_view xml, std::string_view tag) {
  std::vector<std::string> texts = XmlTexts(xml, tag);
  return texts.empty() ? "" : texts.front();
}

std::string ErrorCode(const http::Response& response) {
  if (auto code = response.Header("x-ms-error-code"); code && !code->empty()) return *code;
  return XmlText(response.body, "Code");
}

Status ResponseFailure(const http::Response& response, const FailureContext& context) {
  const std::string code = ErrorCode(response);
  std::string message = FirstLine(XmlText(response.body, "Message"));
  while (!message.empty() && (message.back() == '.' || message.back() == ' ')) message.pop_back();
  std::string text = fmt::format("{} at {}: HTTP {}", context.action, context.url, response.status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += ": " + message;
  if (response.status == 401 || response.status == 403) {
    // Azurite answers a bad signature with AuthorizationFailure where the service says
    // AuthenticationFailed; its message says "authenticate" in both.
    const bool signature = code == "AuthenticationFailed" || code == "NoAuthenticationInformation" ||
                           message.find("authenticate") != std::string::npos;
    text += signature ? fmt::format(". The credentials were refused: check {} for account '{}' (a SAS must not have "
                                    "expired; a key must be key1 or key2 of that account) and that the clock is right",
                                    context.credential_variable, context.account)
                      : fmt::format(". The credentials lack a permission: {} must allow read, add, create, write, "
                                    "delete and list on container '{}'",
                                    context.credential_variable, context.container);
    return ConfigError(Mask(text));
  }
  if (response.status == 404 && code == "ContainerNotFound") {
    text += fmt::format(". Create the container first (az storage container create --account-name {} --name {}) or "
                        "fix the container in the az:// URL",
                        context.account, context.container);
    return ConfigError(Mask(text));
  }
  if (response.status >= 500) text += " (after retries; the service is failing: rerun later, the run is idempotent)";
  return ExternalError(Mask(text));
}

}  // namespace sluice::storage::azure
