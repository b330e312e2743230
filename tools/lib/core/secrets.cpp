#include "core/secrets.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>

namespace sluice {
namespace {

std::mutex& RegistryMutex() {
  static std::mutex mutex;
  return mutex;
}

std::vector<std::string>& Registry() {
  static std::vector<std::string> secrets;
  return secrets;
}

// Query parameters that carry credentials in the URLs sluice meets: Azure SAS (sig), AWS
// presigned URLs (X-Amz-*), Slack and generic tokens.
constexpr std::array<std::string_view, 12> kSecretParams = {
    "sig", "signature", "token", "access_token", "key", "api_key", "apikey", "code",
    "x-amz-signature", "x-amz-credential", "x-amz-security-token", "password"};

bool IsSecretParam(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kSecretParams.begin(), kSecretParams.end(), lower) != kSecretParams.end();
}

void ReplaceAll(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + with.size())) {
    text.replace(pos, what.size(), with);
  }
}

// Masks user:password@ in every scheme://...@ found in free text, and credential query values.
std::string RedactUrlsInText(std::string text) {
  size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string::npos) {
    size_t start = pos + 3;
    size_t end = start;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '"' &&
           text[end] != '\'' && text[end] != '>' && text[end] != ')') {
      ++end;
    }
    size_t scheme_begin = pos;
    while (scheme_begin > 0 && (std::isalnum(static_cast<unsigned char>(text[scheme_begin - 1])) ||
                                text[scheme_begin - 1] == '+' || text[scheme_begin - 1] == '.' ||
                                text[scheme_begin - 1] == '-')) {
      --scheme_begin;
    }
    std::string redacted = RedactUrl(std::string_view(text).substr(scheme_begin, end - scheme_begin));
    text.replace(scheme_begin, end - scheme_begin, redacted);
    pos = scheme_begin + redacted.size();
  }
  return text;
}

}  // namespace

void RegisterSecret(std::string_view secret) {
  if (secret.size() < 4) return;
  std::lock_guard lock(RegistryMutex());
  auto& secrets = Registry();
  if (std::find(secrets.begin(), secrets.end(), secret) == secrets.end()) secrets.emplace_back(secret);
  // Longest first, so that a secret containing another is masked whole.
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::vector<std::string> RegisteredSecrets() {
  std::lock_guard lock(RegistryMutex());
  return Registry();
}

void ClearSecretsForTesting() {
  std::lock_guard lock(RegistryMutex());
  Registry().clear();
}

std::string RedactUrl(std::string_view url) {
  std::string out(url);
  size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    size_t authority = scheme_end + 3;
    size_t authority_end = out.find_first_of("/?#", authority);
    if (authority_end == std::string::npos) authority_end = out.size();
    size_t at = out.rfind('@', authority_end);
    if (at != std::string::npos && at >= authority) {
      out.replace(authority, at - authority, kMaskText);
    }
  }
  size_t query = out.find('?');
  if (query == std::string::npos) return out;
  size_t fragment = out.find('#', query);
  size_t end = fragment == std::string::npos ? out.size() : fragment;
  std::string rebuilt = out.substr(0, query + 1);
  size_t pos = query + 1;
  bool first = true;
  while (pos <= end) {
    size_t amp = out.find('&', pos);
    if (amp == std::string::npos || amp > end) amp = end;
    std::string_view pair(out.data() + pos, amp - pos);
    if (!first) rebuilt += '&';
    first = false;
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && IsSecretParam(pair.substr(0, eq))) {
      rebuilt.append(pair.substr(0, eq + 1));
      rebuilt.append(kMaskText);
    } else {
      rebuilt.append(pair);
    }
    pos = amp + 1;
  }
  if (fragment != std::string::npos) rebuilt += out.substr(fragment);
  return rebuilt;
}

std::string Mask(std::string_view text) {
  std::string out(text);
  {
    std::lock_guard lock(RegistryMutex());
    for (const auto& secret : Registry()) ReplaceAll(out, secret, kMaskText);
  }
  return RedactUrlsInText(std::move(out));
}

}  // namespace sluice
