// Small pieces of Markdown the diff renderers share: escaped cells, value and number display.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::diff {

// Text made safe for a Markdown table cell in a PR body: secrets masked; | < > escaped; @ broken
// so that data cannot mention (notify) people; emphasis and link characters escaped; newlines
// become spaces; cut after `max_chars` bytes (on a UTF-8 boundary) with an ellipsis.
std::string CellText(std::string_view text, std::size_t max_chars = 60);

// A value held as compact JSON, shown as people read it: strings without quotes.
std::string ValueText(const std::string& value_json, std::size_t max_chars = 60);

// The key fields' values (a JSON object) joined by " · ".
std::string KeyText(const std::string& key_json);

std::string SignedNumber(double value);
std::string PercentText(const std::optional<double>& percent, const std::optional<double>& delta);
// For a change between the same number written differently (CellChange::same_value), where
// "+0.0%" would read as a change of value: "same value, text changed" ("06029" -> "6029"), or
// "same value, type changed" ("5" -> 5).
std::string SameValueText(const std::string& old_json, const std::string& new_json);
std::string Count(std::uint64_t n);  // 100000 -> "100,000"

}  // namespace sluice::diff
