#include "core/clock.h"

#include <cctype>
#include <cstdio>
#include <ctime>

#include <date/date.h>
#include <fmt/format.h>

namespace sluice {
namespace {

constexpr int kFirstYear = 1678;
constexpr int kLastYear = 2261;

}  // namespace

std::string FormatUtc(std::chrono::system_clock::time_point when) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis % 1000));
}

Result<std::chrono::system_clock::time_point> ParseTimestamp(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) < 6) {
    s = 0;
    consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &consumed) < 5 || consumed == 0) {
      return InputError(fmt::format("'{}': expected ISO-8601 like 2026-12-07T09:30:00-08:00 or ...Z", text));
    }
  }
  std::size_t at = static_cast<std::size_t>(consumed);
  std::chrono::milliseconds fraction{0};
  if (at < text.size() && text[at] == '.') {
    int digits = 0;
    long long value = 0;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at, ++digits) {
      if (digits < 3) value = value * 10 + (text[at] - '0');
    }
    for (int i = digits; i < 3; ++i) value *= 10;
    fraction = std::chrono::milliseconds(value);
  }
  std::string zone = text.substr(at);
  int offset_minutes = 0;
  if (zone != "Z" && zone != "z") {
    int oh = 0, om = 0;
    char sign = zone.empty() ? '?' : zone[0];
    if ((sign != '+' && sign != '-') || std::sscanf(zone.c_str() + 1, "%2d:%2d", &oh, &om) != 2) {
      return InputError(fmt::format("'{}': give the offset (Z or +HH:MM): a time without one is ambiguous", text));
    }
    offset_minutes = (sign == '-' ? -1 : 1) * (oh * 60 + om);
  }
  date::year_month_day day{date::year(y), date::month(static_cast<unsigned>(mo)), date::day(static_cast<unsigned>(d))};
  if (!day.ok() || h > 23 || mi > 59 || s > 60) return InputError(fmt::format("'{}': not a valid date and time", text));
  // system_clock counts nanoseconds in 64 bits (libstdc++): about 1677-09-21 to 2262-04-11.
  // Further off, the sum below overflows; no time sluice keeps is near either end.
  if (y < kFirstYear || y > kLastYear) {
    return InputError(fmt::format("'{}': the year must be between {} and {}", text, kFirstYear, kLastYear));
  }
  return std::chrono::system_clock::time_point(date::sys_days(day)) + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(s) + fraction - std::chrono::minutes(offset_minutes);
}

}  // namespace sluice
