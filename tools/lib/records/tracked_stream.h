// RapidJSON's input stream over an InputBuffer, knowing where things are: the JSON readers'
// (json_records.cpp, nested_records.cpp) shared floor (internal header).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include <rapidjson/reader.h>

#include "core/status.h"
#include "records/input_buffer.h"

namespace sluice::records {

// Iterative: nesting depth costs heap, not call stack. Numbers as text, converted correctly
// rounded by json::SendNumber (json/number_text.h says why not RapidJSON's own): a
// diff must not see 0.1 turn into 0.10000000000000002 between two reads of the same text.
// UTF-8 is checked by InputBuffer as it reads (utf8_check.h), faster than RapidJSON's flag.
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;

struct Position {
  std::uint64_t line = 1;
  std::uint64_t column = 1;
  std::uint64_t offset = 0;  // in the input
};

// RapidJSON's input stream concept over an InputBuffer, knowing where things are. Lines are
// counted lazily with memchr, only up to where a position is asked for (once per record), so
// the per-byte path is one comparison, as in RapidJSON's own FileReadStream: everything else
// (refilling, noting where a record starts) happens when cur_ reaches limit_.
class TrackedStream {
 public:
  using Ch = char;

  TrackedStream(InputBuffer& input, std::uint64_t max_record_bytes) : input_(input), max_record_bytes_(max_record_bytes) {
    TakeWindow();
    if (cur_ == end_) Refill();
  }

  Ch Peek() const { return *cur_; }  // '\0' at the end: the sentinel InputBuffer keeps
  Ch Take() {
    Ch c = *cur_;
    if (cur_ + 1 < limit_) {
      ++cur_;
    } else {
      TakeSlowly(c);
    }
    return c;
  }
  std::size_t Tell() const { return input_.OffsetOf(cur_); }
  // Output members the concept names; a reader never calls them.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }

  // Remember where the next value starts. A scalar's events come after its bytes are taken,
  // so its start is caught as the first byte taken that cannot sit between values.
  void ExpectValue() {
    mark_pending_ = true;
    limit_ = cur_ + 1;  // every Take goes through TakeSlowly until the value starts
  }
  void ForgetMark() {
    mark_pending_ = false;
    limit_ = end_;
  }
  Position marked() const { return mark_; }

  Position Here() {
    CountLinesTo(cur_);
    return {line_, Tell() - line_start_ + 1, Tell()};
  }

  // The record being read starts at `at`: from here on the stream ends (as at the end of the
  // input) once the record has taken more than max_record_bytes, so one record cannot take the
  // memory; record_too_large() then says so.
  void RecordStarts(Position at) {
    record_start_ = at;
    in_record_ = true;
  }
  // The record ended; false when it was over the limit after all (a record shorter than a chunk).
  bool RecordEnds() {
    in_record_ = false;
    if (Tell() - record_start_.offset > max_record_bytes_) too_large_ = true;
    return !too_large_;
  }
  bool record_too_large() const { return too_large_; }
  Position record_start() const { return record_start_; }
  // RapidJSON reports offsets on the line being read (its tokens hold no raw newline).
  Position PositionOf(std::uint64_t offset) {
    Position here = Here();
    if (offset >= line_start_ && offset <= Tell()) here.column = offset - line_start_ + 1;
    return here;
  }
  bool AtEnd() const { return cur_ == end_ && input_.at_eof() && !stopped_at_invalid_utf8(); }
  const Status& read_status() const { return read_status_; }
  // The window ends before an invalid UTF-8 sequence; the parser has reached it when cur_ has.
  bool stopped_at_invalid_utf8() const { return input_.first_invalid_utf8() != InputBuffer::kAllValid; }
  bool ReachedInvalidUtf8() const { return stopped_at_invalid_utf8() && cur_ == end_; }
  // After the parser stopped with an error: whether an invalid UTF-8 sequence starts where it
  // stopped (Here()). The parser refuses a byte above 0x7F outside a string, or in a \u escape,
  // at once, and when the read buffer ended right after it, the check has not yet seen whether
  // its sequence goes on right; so this reads a few bytes further first, and the error is the
  // same whatever the buffer's size. The stream is not to be read after this call.
  bool StoppedAtInvalidUtf8();

 private:
  // Besides whitespace and commas: RapidJSON calls EndObject/EndArray (and StartArray for the
  // top-level array) before it takes the bracket, which comes after ExpectValue; a member's
  // value is expected from its key on (nested_records.cpp), before the colon.
  static bool IsBetweenValues(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ',' || c == '[' || c == ']' || c == '}' || c == ':';
  }
  void TakeSlowly(Ch c);
  void TakeWindow();
  void CountLinesTo(const char* to) {
    while (counted_ < to) {
      const void* newline = std::memchr(counted_, '\n', to - counted_);
      if (newline == nullptr) {
        counted_ = to;
        break;
      }
      counted_ = static_cast<const char*>(newline) + 1;
      ++line_;
      line_start_ = input_.OffsetOf(counted_);
    }
  }
  void Refill();

  InputBuffer& input_;
  const std::uint64_t max_record_bytes_;
  Position record_start_;
  bool in_record_ = false;
  bool too_large_ = false;
  char* cur_ = nullptr;
  char* end_ = nullptr;
  char* limit_ = nullptr;           // end_, or cur_ + 1 while a record start is awaited
  const char* counted_ = nullptr;  // lines are counted up to here
  std::uint64_t line_ = 1;
  std::uint64_t line_start_ = 0;  // input offset of the first byte of line_
  bool mark_pending_ = false;
  Position mark_;
  Status read_status_;
};

}  // namespace sluice::records
