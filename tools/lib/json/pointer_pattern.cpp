#include "json/pointer_pattern.h"

#include <fnmatch.h>

#include <algorithm>

#include <fmt/format.h>

namespace sluice::json {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// RFC 6901: "~0" is '~', "~1" is '/', and a '~' before anything else is an error.
Result<std::string> Unescape(std::string_view token, std::size_t number) {
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] != '~') {
      out += token[i];
      continue;
    }
    if (i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
      continue;
    }
    return InputError(fmt::format("token {} \"{}\": '~' must be followed by 0 (for '~') or 1 (for '/')", number, token));
  }
  return out;
}

}  // namespace

std::vector<std::string> PointerPattern::names() const {
  std::vector<std::string> out;
  for (const auto& token : tokens) {
    if (!token.name.empty()) out.push_back(token.name);
  }
  return out;
}

bool PointerPattern::many() const {
  return std::any_of(tokens.begin(), tokens.end(), [](const PatternToken& token) { return token.many(); });
}

bool PatternToken::MatchesMember(std::string_view key) const {
  if (wildcard) return true;
  if (!glob) return text == key;
  return ::fnmatch(text.c_str(), std::string(key).c_str(), 0) == 0;
}

bool PatternToken::MatchesIndex(std::uint64_t index) const {
  if (wildcard) return true;
  if (glob) return false;
  const std::string& digits = text;
  // RFC 6901: an array index is "0" or digits without a leading zero.
  if (digits.empty() || digits.size() > 19 || (digits.size() > 1 && digits[0] == '0')) return false;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  return std::stoull(digits) == index;
}

Result<PointerPattern> ParsePointerPattern(std::string_view text) {
  PointerPattern pattern;
  pattern.text = std::string(text);
  if (text.empty()) return pattern;  // the whole document
  if (text[0] != '/') return InputError("a JSON pointer starts with '/' (\"/data/rows\"), or is \"\" for the whole document");
  std::size_t start = 1;
  for (std::size_t number = 1;; ++number) {
    std::size_t end = text.find('/', start);
    std::string_view raw = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    PatternToken token;
    if (raw == "*") {
      token.wildcard = true;
    } else if (!raw.empty() && raw.front() == '{' && raw.back() == '}') {
      std::string_view name = raw.substr(1, raw.size() - 2);
      if (name.empty() || !IsNameStart(name[0]) || !std::all_of(name.begin(), name.end(), IsNameChar)) {
        return InputError(fmt::format("token {} \"{}\": a wildcard's name is letters, digits and '_', not starting "
                                      "with a digit, as {{series}}", number, raw));
      }
      for (const auto& earlier : pattern.tokens) {
        if (earlier.name == name) return InputError(fmt::format("token {}: the wildcard {} is named twice", number, raw));
      }
      token.wildcard = true;
      token.name = std::string(name);
    } else if (raw.find_first_of("{}") != std::string_view::npos) {
      return InputError(fmt::format("token {} \"{}\": a wildcard is a whole token, as /{{series}}/, and its name is "
                                    "letters, digits and '_'", number, raw));
    } else {
      auto literal = Unescape(raw, number);
      if (!literal.ok()) return literal.status();
      token.text = std::move(literal).value();
      token.glob = token.text.find('*') != std::string::npos;
    }
    pattern.tokens.push_back(std::move(token));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return pattern;
}

}  // namespace sluice::json
