// JSON numbers converted from their text: sluice's JSON readers parse with RapidJSON's
// kParseNumbersAsStringsFlag and hand each number's text to SendNumber. RapidJSON 1.1's own
// conversion is either not correctly rounded (its default: a 26-digit integer written back
// reads as another double) or, with kParseFullPrecisionFlag, calls __builtin_clz(0),
// undefined, on a zero with a large exponent ("0e62"); both found by fuzzing. std::from_chars
// is correctly rounded (0.1 reads back as 0.1, which a diff relies on) and defined for all.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <system_error>

namespace sluice::json {

// Sends the number `text` (valid JSON, as RapidJSON has checked it) to a RapidJSON handler as
// RapidJSON would: an integer that fits 64 bits as Int64 or Uint64, any other number as Double.
// A number beyond a double's range ("1e400", "18478.9e308") is refused, as RapidJSON refuses it
// when it converts numbers itself: `too_big` is set and false returned, so the parser stops
// (kParseErrorTermination) and the caller says kNumberTooBig. Infinity has no JSON form: written
// back, it would vanish from the output.
template <typename Handler>
bool SendNumber(Handler& handler, const char* text, std::size_t length, bool& too_big) {
  const char* end = text + length;
  const bool integral = std::none_of(text, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; });
  if (integral && length > 0 && *text == '-') {
    std::int64_t i = 0;
    if (auto [stop, error] = std::from_chars(text, end, i); error == std::errc() && stop == end) return handler.Int64(i);
  } else if (integral) {
    std::uint64_t u = 0;
    if (auto [stop, error] = std::from_chars(text, end, u); error == std::errc() && stop == end) return handler.Uint64(u);
  }
  double d = 0;
  if (auto [stop, error] = std::from_chars(text, end, d); error != std::errc() || stop != end) {
    // Out of range: too small, and strtod says how it rounds (to zero or a subnormal); or too
    // large: strtod says infinity.
    d = std::strtod(std::string(text, length).c_str(), nullptr);
  }
  if (!std::isfinite(d)) {
    too_big = true;
    return false;
  }
  return handler.Double(d);
}

// What a reader says of such a number, after "<origin>:<line>:<column>: " (RapidJSON's words).
inline constexpr const char* kNumberTooBig = "Number too big to be stored in double.";

}  // namespace sluice::json
