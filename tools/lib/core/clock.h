// Timestamps as sluice writes them: ISO 8601, UTC, milliseconds ("2026-11-29T09:00:00.000Z").
#pragma once

#include <chrono>
#include <string>

#include "core/status.h"

namespace sluice {

std::string FormatUtc(std::chrono::system_clock::time_point when);

// Parses an ISO-8601 instant with its offset: "2026-12-07T09:30:00-08:00", "...Z", with or
// without seconds and a fraction ("2026-11-29T09:00:00.000Z", as FormatUtc writes). A time
// without an offset is ambiguous and refused. Errors are InputErrors that quote `text`.
Result<std::chrono::system_clock::time_point> ParseTimestamp(const std::string& text);

}  // namespace sluice
