// A JSON document as records: a top-level array streams one element at a time through
// RapidJSON's iterative SAX reader, so memory holds one record, never the file.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "json/lone_surrogate.h"
#include "records/format_readers.h"
#include "records/record_slot.h"
#include "records/value_assembler.h"

namespace sluice::records {
namespace {

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
  // top-level array) before it takes the bracket, which comes after ExpectValue.
  static bool IsBetweenValues(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ',' || c == '[' || c == ']' || c == '}';
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

// SAX handler: the elements of a top-level array are the records; any other document is one.
class RecordSplitter {
 public:
  RecordSplitter(TrackedStream& stream, const RecordVisitor& visit, std::size_t max_depth)
      : stream_(stream), visit_(visit), max_depth_(max_depth) {}

  const Status& visit_status() const { return visit_status_; }
  bool too_deep() const { return assembler_.too_deep(); }
  bool lone_surrogate() const { return assembler_.lone_surrogate(); }

  bool Null() { return Scalar([&] { return assembler_.Null(); }); }
  bool Bool(bool b) { return Scalar([&] { return assembler_.Bool(b); }); }
  bool Int(int i) { return Scalar([&] { return assembler_.Int(i); }); }
  bool Uint(unsigned u) { return Scalar([&] { return assembler_.Uint(u); }); }
  bool Int64(std::int64_t i) { return Scalar([&] { return assembler_.Int64(i); }); }
  bool Uint64(std::uint64_t u) { return Scalar([&] { return assembler_.Uint64(u); }); }
  bool Double(double d) { return Scalar([&] { return assembler_.Double(d); }); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return Scalar([&] { return assembler_.RawNumber(s, n, copy); });
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return Scalar([&] { return assembler_.String(s, n, copy); });
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return assembler_.Key(s, n, copy); }

  bool StartObject() {
    BeginContainer();
    return assembler_.StartObject();
  }
  bool StartArray() {
    if (!in_record_ && !seen_top_) {
      seen_top_ = true;
      splitting_ = true;
      stream_.ExpectValue();
      return true;
    }
    BeginContainer();
    return assembler_.StartArray();
  }
  bool EndObject(rapidjson::SizeType n) { return assembler_.EndObject(n) && AfterValue(); }
  bool EndArray(rapidjson::SizeType n) {
    if (!in_record_) return true;  // the top-level array closes
    return assembler_.EndArray(n) && AfterValue();
  }

 private:
  template <typename Event>
  bool Scalar(Event event) {
    if (!in_record_) BeginRecord(stream_.marked());
    return event() && AfterValue();
  }
  // RapidJSON calls StartObject/StartArray before taking the bracket: the stream is on it.
  void BeginContainer() {
    if (in_record_) return;
    stream_.ForgetMark();
    BeginRecord(stream_.Here());
  }
  void BeginRecord(Position at) {
    seen_top_ = true;
    in_record_ = true;
    stream_.RecordStarts(at);
    // Depth counts from the document's root: the top-level array being split is one level.
    assembler_.Begin(slot_.Start(at.line, at.column).value, splitting_ ? max_depth_ - 1 : max_depth_);
  }
  bool AfterValue() {
    if (!assembler_.complete()) return true;
    in_record_ = false;
    if (!stream_.RecordEnds()) return false;  // ReadJsonRecords reports it
    visit_status_ = slot_.Deliver(visit_, assembler_);
    if (!visit_status_.ok()) return false;  // RapidJSON stops with kParseErrorTermination
    if (splitting_) stream_.ExpectValue();
    return true;
  }

  TrackedStream& stream_;
  const RecordVisitor& visit_;
  std::size_t max_depth_;
  RecordSlot slot_;
  ValueAssembler assembler_;
  Status visit_status_;
  bool seen_top_ = false;   // the first value of the document has begun
  bool splitting_ = false;  // the document is an array: its elements are the records
  bool in_record_ = false;
};

}  // namespace

Status ReadJsonRecords(InputBuffer& input, const std::string& origin, std::uint64_t max_record_bytes,
                       const RecordVisitor& visit, std::size_t max_depth) {
  if (max_depth == 0) return UsageError(origin + ": the nesting limit must be at least 1");
  auto bom = input.SkipByteOrderMark();
  if (!bom.ok()) return bom.status();
  TrackedStream stream(input, max_record_bytes);
  RecordSplitter splitter(stream, visit, max_depth);
  rapidjson::Reader reader;
  stream.ExpectValue();
  reader.Parse<kParseFlags>(stream, splitter);
  if (!stream.read_status().ok()) return stream.read_status();
  if (stream.record_too_large()) {
    Position at = stream.record_start();
    return InputError(fmt::format("{}:{}:{}: {}", origin, at.line, at.column, RecordTooLarge(max_record_bytes)));
  }
  if (stream.ReachedInvalidUtf8()) {
    Position at = stream.PositionOf(input.first_invalid_utf8());
    return InputError(fmt::format("{}:{}:{}: {}", origin, at.line, at.column, input.InvalidTextReason()));
  }
  if (reader.HasParseError()) {
    rapidjson::ParseErrorCode code = reader.GetParseErrorCode();
    if (code == rapidjson::kParseErrorTermination && !splitter.visit_status().ok()) return splitter.visit_status();
    if (code == rapidjson::kParseErrorDocumentEmpty && stream.AtEnd()) return Status::Ok();  // no records
    const bool stopped = code == rapidjson::kParseErrorTermination;
    if (!stopped) {
      const Position here = stream.Here();
      if (stream.StoppedAtInvalidUtf8()) {
        return InputError(fmt::format("{}:{}:{}: {}", origin, here.line, here.column, input.InvalidTextReason()));
      }
    }
    Position at = stream.PositionOf(reader.GetErrorOffset());
    const std::string what = stopped && splitter.too_deep()         ? json::NestingMessage(max_depth)
                             : stopped && splitter.lone_surrogate() ? json::LoneSurrogateMessage()
                                                                    : rapidjson::GetParseError_En(code);
    return InputError(fmt::format("{}:{}:{}: {}", origin, at.line, at.column, what));
  }
  if (!stream.AtEnd()) {
    // RapidJSON takes a NUL byte for the end of the text; what follows it would go unread.
    Position at = stream.Here();
    return InputError(fmt::format("{}:{}:{}: a NUL byte is not allowed in JSON text", origin, at.line, at.column));
  }
  return Status::Ok();
}

}  // namespace sluice::records
