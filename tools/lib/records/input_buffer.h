// Bytes of a file (or of a string in memory) read a chunk at a time into one buffer that grows
// only when a single line or row does not fit: the memory a read needs is flat in file size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "records/utf8_check.h"

namespace sluice::records {

class InputBuffer {
 public:
  static Result<InputBuffer> OpenFile(const std::filesystem::path& path, std::size_t chunk_bytes);
  // `bytes` must outlive the buffer; it is copied in chunks like a file so that parsers may
  // write into the window (NDJSON lines are parsed in place).
  static InputBuffer FromMemory(std::string_view bytes, std::size_t chunk_bytes);

  // The bytes read and not yet consumed. *end() is always '\0', a sentinel past the data.
  char* begin() const { return begin_; }
  char* end() const { return end_; }
  // Marks everything before `to` (within the window) as consumed.
  void Consume(const char* to) { begin_ = storage_.get() + (to - storage_.get()); }

  // Reads more bytes after end(). The unconsumed window moves to the front of the buffer, and
  // the buffer doubles when the window fills it, so pointers into the window are invalid after
  // the call. Returns false once the input is exhausted (nothing was added).
  Result<bool> ReadMore();
  bool at_eof() const { return eof_; }

  // Byte offset in the input of `p`, a pointer into the window.
  std::uint64_t OffsetOf(const char* p) const { return storage_offset_ + (p - storage_.get()); }

  // Input offset of the first byte that is not text among the bytes read so far: the start of
  // an invalid UTF-8 sequence (an unfinished sequence at the end counts) or a NUL byte; or
  // kAllValid. Every byte is checked as it is read, so a reader only compares this with the end
  // of what it is about to hand on.
  static constexpr std::uint64_t kAllValid = ~std::uint64_t{0};
  std::uint64_t first_invalid_utf8() const { return first_invalid_utf8_; }
  // What is at first_invalid_utf8(), for messages: "NUL byte (binary data?)" or "invalid UTF-8
  // (is the file in another encoding?)".
  const char* InvalidTextReason() const;

  // Skips a UTF-8 byte order mark at the very start; returns how many bytes it skipped.
  Result<std::size_t> SkipByteOrderMark();

 private:
  struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };

  InputBuffer(std::size_t chunk_bytes, std::string origin);
  Result<std::size_t> ReadInto(char* to, std::size_t capacity);

  std::unique_ptr<std::FILE, FileCloser> file_;
  std::string_view memory_;  // what is left to read when the input is in memory
  std::string origin_;       // for I/O error messages
  std::unique_ptr<char[]> storage_;
  std::size_t capacity_ = 0;          // data bytes storage_ holds (plus one for the sentinel)
  std::uint64_t storage_offset_ = 0;  // input offset of storage_[0]
  char* begin_ = nullptr;
  char* end_ = nullptr;
  bool eof_ = false;
  Utf8Check utf8_;
  std::uint64_t first_invalid_utf8_ = kAllValid;
};

}  // namespace sluice::records
