#include "notify/fingerprint.h"

#include <cctype>

#include "core/hash.h"

namespace sluice::notify {
namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string NormalizeMessage(std::string_view message) {
  std::string out;
  std::size_t i = 0;
  while (i < message.size()) {
    char c = message[i];
    if (IsHex(c)) {
      std::size_t end = i;
      bool digit = false;
      for (; end < message.size() && IsHex(message[end]); ++end) digit = digit || IsDigit(message[end]);
      bool word_start = i == 0 || !std::isalnum(static_cast<unsigned char>(message[i - 1]));
      bool word_end = end == message.size() || !std::isalnum(static_cast<unsigned char>(message[end]));
      if (digit && end - i >= 7 && word_start && word_end) {
        out += '#';
        i = end;
        continue;
      }
    }
    if (IsDigit(c)) {
      while (i < message.size() && IsDigit(message[i])) ++i;
      out += '#';
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      while (i < message.size() && std::isspace(static_cast<unsigned char>(message[i]))) ++i;
      if (!out.empty()) out += ' ';
      continue;
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ++i;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string ErrorFingerprint(std::string_view pipeline, std::string_view failure_class, std::string_view message) {
  std::string key;
  key.append(pipeline).append("\n").append(failure_class).append("\n").append(NormalizeMessage(message));
  return Sha256Hex(key).substr(0, 16);
}

}  // namespace sluice::notify
