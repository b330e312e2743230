#include "records/tracked_stream.h"

namespace sluice::records {

bool TrackedStream::StoppedAtInvalidUtf8() {
  constexpr std::uint64_t kLongestSequence = 4;
  const std::uint64_t offset = Tell();
  while (!stopped_at_invalid_utf8() && !input_.at_eof() && input_.OffsetOf(input_.end()) < offset + kLongestSequence) {
    if (auto more = input_.ReadMore(); !more.ok()) break;  // then the parser's own error stands
  }
  return input_.first_invalid_utf8() <= offset;
}

// Out of line: runs once per chunk, and for the few bytes between records.
void TrackedStream::TakeSlowly(Ch c) {
  if (mark_pending_ && !IsBetweenValues(c)) {
    mark_pending_ = false;
    mark_ = Here();
  }
  if (cur_ != end_ && ++cur_ == end_) Refill();
  limit_ = mark_pending_ ? cur_ + 1 : end_;
}

void TrackedStream::Refill() {
  CountLinesTo(end_);
  if (stopped_at_invalid_utf8()) return;  // the window already ends there: act as the end
  if (in_record_ && input_.OffsetOf(end_) - record_start_.offset > max_record_bytes_) {
    too_large_ = true;  // act as the end: the parser stops, the caller reports the record
    return;
  }
  input_.Consume(end_);
  while (input_.begin() == input_.end() && !input_.at_eof()) {
    auto more = input_.ReadMore();
    if (!more.ok()) {
      read_status_ = more.status();  // seen as the end; the caller reports this first
      break;
    }
  }
  TakeWindow();
}

// The parser never sees an invalid UTF-8 sequence: the window is cut short before it, so
// the parser stops there as at the end of the input.
void TrackedStream::TakeWindow() {
  cur_ = input_.begin();
  end_ = input_.end();
  std::uint64_t invalid = input_.first_invalid_utf8();
  if (invalid != InputBuffer::kAllValid) {
    std::uint64_t window_start = input_.OffsetOf(cur_);
    end_ = cur_ + (invalid > window_start ? std::min<std::uint64_t>(invalid - window_start, end_ - cur_) : 0);
    *end_ = '\0';
  }
  counted_ = cur_;
  limit_ = mark_pending_ ? cur_ + 1 : end_;
}

}  // namespace sluice::records
