// Calendar dates as the history checks read them (complete, freshness, value_change per_day),
// the clock they measure age against, and how they word keys and numbers for people.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

#include "checks/check.h"

namespace sluice::checks {

// "2026-11-03", or the date part of a timestamp ("2026-11-03T09:00:00Z", "2026-11-03 09:00").
// The date is taken as written: no time zone conversion. nullopt for anything else.
std::optional<date::sys_days> ParseCivilDate(std::string_view text);
std::optional<date::sys_days> CivilDateOf(const rapidjson::Value* value);
std::string FormatCivilDate(date::sys_days day);

// "2026-11-03" (midnight UTC) or "2026-11-03T10:00[:00[.000]]" followed by "Z", "+hh:mm",
// "-hh:mm" or nothing (UTC).
std::optional<std::chrono::system_clock::time_point> ParseInstant(std::string_view text);

// "Now" for checks: $SLUICE_NOW when set (reruns and tests), else the system clock. A
// SLUICE_NOW that does not parse is a ConfigError naming the check.
Result<std::chrono::system_clock::time_point> CheckNow(const CheckSpec& spec);

// A KeyOf key for people: the parts joined by ", " ("2026-11-01, Alameda").
std::string DisplayKey(std::string_view key);

// 120 -> "120", 0.25 -> "0.25"; integral values never in exponent form below 1e15.
std::string FormatNumber(double value);

}  // namespace sluice::checks
