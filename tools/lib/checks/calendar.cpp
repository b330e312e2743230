#include "checks/calendar.h"

#include <cmath>

#include <fmt/format.h>

#include "core/env.h"

namespace sluice::checks {
namespace {

// Reads `count` digits at `text[at]`; nullopt unless all are digits.
std::optional<int> Digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// "HH:MM[:SS[.fff]]" then the zone; returns the offset from midnight UTC.
std::optional<std::chrono::seconds> ParseTimeOfDay(std::string_view text) {
  auto hours = Digits(text, 0, 2);
  auto minutes = Digits(text, 3, 2);
  if (!hours || !minutes || text.size() < 5 || text[2] != ':' || *hours > 23 || *minutes > 59) return std::nullopt;
  std::size_t at = 5;
  int seconds = 0;
  if (at < text.size() && text[at] == ':') {
    auto parsed = Digits(text, at + 1, 2);
    if (!parsed || *parsed > 60) return std::nullopt;
    seconds = *parsed;
    at += 3;
    if (at < text.size() && text[at] == '.') {
      ++at;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;  // fractions are dropped
    }
  }
  std::chrono::seconds local = std::chrono::hours(*hours) + std::chrono::minutes(*minutes) + std::chrono::seconds(seconds);
  std::string_view zone = text.substr(at);
  if (zone.empty() || zone == "Z" || zone == "z") return local;
  auto zone_hours = Digits(zone, 1, 2);
  auto zone_minutes = Digits(zone, 4, 2);
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !zone_hours || !zone_minutes) {
    return std::nullopt;
  }
  std::chrono::seconds offset = std::chrono::hours(*zone_hours) + std::chrono::minutes(*zone_minutes);
  return zone[0] == '+' ? local - offset : local + offset;
}

}  // namespace

std::optional<date::sys_days> ParseCivilDate(std::string_view text) {
  auto year = Digits(text, 0, 4);
  auto month = Digits(text, 5, 2);
  auto day = Digits(text, 8, 2);
  if (!year || !month || !day || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (text.size() > 10 && text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
  date::year_month_day civil{date::year{*year}, date::month{static_cast<unsigned>(*month)},
                             date::day{static_cast<unsigned>(*day)}};
  if (!civil.ok()) return std::nullopt;
  return date::sys_days(civil);
}

std::optional<date::sys_days> CivilDateOf(const rapidjson::Value* value) {
  if (value == nullptr || !value->IsString()) return std::nullopt;
  return ParseCivilDate(std::string_view(value->GetString(), value->GetStringLength()));
}

std::string FormatCivilDate(date::sys_days day) { return date::format("%F", day); }

std::optional<std::chrono::system_clock::time_point> ParseInstant(std::string_view text) {
  auto day = ParseCivilDate(text);
  if (!day) return std::nullopt;
  std::chrono::system_clock::time_point midnight = *day;
  if (text.size() == 10) return midnight;
  auto time = ParseTimeOfDay(text.substr(11));
  if (!time) return std::nullopt;
  return midnight + *time;
}

Result<std::chrono::system_clock::time_point> CheckNow(const CheckSpec& spec) {
  auto configured = Environment::Process().Get("SLUICE_NOW");
  if (!configured || configured->empty()) return std::chrono::system_clock::now();
  auto now = ParseInstant(*configured);
  if (!now) {
    return ConfigError(fmt::format("{}: {}: SLUICE_NOW='{}' is not an ISO date or date-time (e.g. 2026-11-03T09:00:00Z)",
                                   spec.manifest_path, spec.pointer, *configured));
  }
  return *now;
}

std::string DisplayKey(std::string_view key) {
  std::string text;
  for (char c : key) {
    if (c == '\x1f') {
      text += ", ";
    } else {
      text += c;
    }
  }
  return text;
}

std::string FormatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "infinity" : "-infinity";
  if (std::nearbyint(value) == value && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
  return fmt::format("{:.10g}", value);
}

}  // namespace sluice::checks
