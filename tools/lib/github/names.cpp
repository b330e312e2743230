#include "github/names.h"

#include <algorithm>

namespace sluice::github {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string_view WithoutBotSuffix(std::string_view login) {
  constexpr std::string_view kSuffix = "[bot]";
  if (login.size() > kSuffix.size() && EqualNoCase(login.substr(login.size() - kSuffix.size()), kSuffix)) {
    login.remove_suffix(kSuffix.size());
  }
  return login;
}

}  // namespace

bool SameLabel(std::string_view a, std::string_view b) { return EqualNoCase(a, b); }

bool HasLabel(const std::vector<std::string>& labels, std::string_view name) {
  return std::any_of(labels.begin(), labels.end(), [&](const std::string& label) { return SameLabel(label, name); });
}

bool SameLogin(std::string_view a, std::string_view b) {
  return !a.empty() && EqualNoCase(WithoutBotSuffix(a), WithoutBotSuffix(b));
}

bool IsActionsBot(std::string_view login) { return SameLogin(login, "github-actions[bot]"); }

}  // namespace sluice::github
