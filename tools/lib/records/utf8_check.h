// UTF-8 validation of the bytes as they are read, separately from parsing. A NUL byte counts as
// invalid too: it is valid UTF-8, but no text format sluice reads (JSON, NDJSON, CSV) has one, and
// a file of NULs (a truncated download, a disk that lost its blocks) must not read as no records.
//
// Why not RapidJSON's kParseValidateEncodingFlag: it checks byte by byte through the input
// stream and cost 19% of reading a JSON array (10% of NDJSON) when measured; most data is
// ASCII, which this skips eight bytes at a time. It also covers CSV, which RapidJSON never sees.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::records {

class Utf8Check {
 public:
  // Checks the next `size` bytes of the input, which start at input offset `offset`. Returns
  // false at the first invalid sequence or NUL byte; invalid_offset() then says where it starts,
  // and invalid_is_nul() which of the two it is.
  bool Feed(const char* bytes, std::size_t size, std::uint64_t offset);
  // At the end of the input: false if it ends inside a sequence.
  bool Finish();
  std::uint64_t invalid_offset() const { return invalid_offset_; }
  bool invalid_is_nul() const { return invalid_is_nul_; }

 private:
  unsigned need_ = 0;  // continuation bytes still expected
  unsigned char low_ = 0x80, high_ = 0xBF;  // the range the next continuation byte must be in
  std::uint64_t sequence_start_ = 0;
  std::uint64_t invalid_offset_ = 0;
  bool invalid_is_nul_ = false;
};

}  // namespace sluice::records
