// Timestamps as sluice writes them: ISO 8601, UTC, milliseconds ("2026-11-29T09:00:00.000Z").
#pragma once

#include <chrono>
#include <string>

namespace sluice {

std::string FormatUtc(std::chrono::system_clock::time_point when);

}  // namespace sluice
