#include "schema/format.h"

#include <cctype>

namespace sluice::schema::detail {
namespace {

bool Digits(std::string_view s, std::size_t from, std::size_t count, int& out) {
  if (from + count > s.size()) return false;
  out = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// RFC 3339 full-date: YYYY-MM-DD with a real day of that month.
bool IsDate(std::string_view s) {
  int year, month, day;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!Digits(s, 0, 4, year) || !Digits(s, 5, 2, month) || !Digits(s, 8, 2, day)) return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  return month != 2 || day < 29 || IsLeap(year);
}

// RFC 3339 full-time: HH:MM:SS[.frac](Z|+HH:MM|-HH:MM); a leap second is accepted.
bool IsTime(std::string_view s) {
  int hour, minute, second;
  if (s.size() < 9 || s[2] != ':' || s[5] != ':') return false;
  if (!Digits(s, 0, 2, hour) || !Digits(s, 3, 2, minute) || !Digits(s, 6, 2, second)) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  std::size_t i = 8;
  if (i < s.size() && s[i] == '.') {
    std::size_t start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return false;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) return i + 1 == s.size();
  int offset_hour, offset_minute;
  if (i >= s.size() || (s[i] != '+' && s[i] != '-') || s.size() != i + 6 || s[i + 3] != ':') return false;
  return Digits(s, i + 1, 2, offset_hour) && Digits(s, i + 4, 2, offset_minute) && offset_hour < 24 && offset_minute < 60;
}

bool IsDateTime(std::string_view s) {
  return s.size() > 11 && (s[10] == 'T' || s[10] == 't') && IsDate(s.substr(0, 10)) && IsTime(s.substr(11));
}

// A pragmatic address check: one '@', a non-empty local part and a dotted domain.
bool IsEmail(std::string_view s) {
  auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  return !domain.empty() && domain.front() != '.' && domain.back() != '.' && domain.find("..") == std::string_view::npos;
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t start = i;
    int value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) value = value * 10 + (s[i++] - '0');
    std::size_t length = i - start;
    if (length == 0 || value > 255 || (length > 1 && s[start] == '0')) return false;
    ++parts;
    if (i == s.size()) break;
    if (s[i] != '.') return false;
    ++i;
  }
  return parts == 4;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

FormatTest FindFormatTest(std::string_view name) {
  if (name == "date") return IsDate;
  if (name == "date-time") return IsDateTime;
  if (name == "time") return IsTime;
  if (name == "email") return IsEmail;
  if (name == "ipv4") return IsIpv4;
  if (name == "uuid") return IsUuid;
  return nullptr;
}

}  // namespace sluice::schema::detail
