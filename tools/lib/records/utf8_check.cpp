#include "records/utf8_check.h"

#include <cstring>

namespace sluice::records {

bool Utf8Check::Feed(const char* bytes, std::size_t size, std::uint64_t offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes);
  const auto* end = p + size;
  while (p < end) {
    if (need_ == 0) {
      // ASCII without NUL eight bytes at a time: no byte has its high bit set, and none is zero
      // (the classic test: a zero byte borrows in word - 0x01..01 where word's own bit is clear).
      while (end - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        if ((word & 0x8080808080808080ULL) != 0) break;
        if (((word - 0x0101010101010101ULL) & ~word & 0x8080808080808080ULL) != 0) break;
        p += 8;
      }
      if (p == end) break;
      unsigned char c = *p;
      if (c == 0) {
        invalid_offset_ = offset + (p - reinterpret_cast<const unsigned char*>(bytes));
        invalid_is_nul_ = true;
        return false;
      }
      if (c < 0x80) {
        ++p;
        continue;
      }
      // Lead bytes and the range of their first continuation byte, per RFC 3629 (no overlong
      // forms, no surrogates, nothing above U+10FFFF).
      sequence_start_ = offset + (p - reinterpret_cast<const unsigned char*>(bytes));
      low_ = 0x80;
      high_ = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        need_ = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need_ = 2;
        if (c == 0xE0) low_ = 0xA0;
        if (c == 0xED) high_ = 0x9F;
      } else if (c >= 0xF0 && c <= 0xF4) {
        need_ = 3;
        if (c == 0xF0) low_ = 0x90;
        if (c == 0xF4) high_ = 0x8F;
      } else {
        invalid_offset_ = sequence_start_;
        return false;
      }
      ++p;
      continue;
    }
    if (*p < low_ || *p > high_) {
      invalid_offset_ = sequence_start_;
      return false;
    }
    low_ = 0x80;
    high_ = 0xBF;
    --need_;
    ++p;
  }
  return true;
}

bool Utf8Check::Finish() {
  if (need_ == 0) return true;
  invalid_offset_ = sequence_start_;
  return false;
}

}  // namespace sluice::records
