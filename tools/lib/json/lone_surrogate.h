// RapidJSON 1.1 refuses a lone high surrogate escape ("\ud800") but decodes a lone low one
// ("\udc00") into the bytes ED B0 80, which are not UTF-8: written back, they make JSON that no
// reader accepts (sluice's own included). Every JSON reader of sluice refuses such a string at
// read, as simdjson does (the NDJSON fast lane), so no writer ever meets one.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>

namespace sluice::json {

// In a string decoded from valid UTF-8, ED followed by A0-BF can come only from such an escape.
// memchr first: most strings have no ED byte at all.
inline bool HoldsLoneSurrogate(const char* text, std::size_t length) {
  const char* end = text + length;
  for (const char* p = text; (p = static_cast<const char*>(std::memchr(p, 0xED, end - p))) != nullptr; ++p) {
    if (p + 1 < end && (static_cast<unsigned char>(p[1]) & 0xE0) == 0xA0) return true;
  }
  return false;
}

// The message for such a string, after "<origin>:<line>:<column>: " (the place is where the
// string ends: RapidJSON tells no more).
std::string LoneSurrogateMessage();

}  // namespace sluice::json
