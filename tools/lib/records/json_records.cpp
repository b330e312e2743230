// A JSON document as records: a top-level array streams one element at a time through
// RapidJSON's iterative SAX reader, so memory holds one record, never the file.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "json/lone_surrogate.h"
#include "records/format_readers.h"
#include "records/nested_records.h"
#include "records/record_slot.h"
#include "records/tracked_stream.h"
#include "records/value_assembler.h"

namespace sluice::records {
namespace {

// SAX handler: the elements of a top-level array are the records; any other document is one.
class RecordSplitter {
 public:
  RecordSplitter(TrackedStream& stream, const RecordVisitor& visit, std::size_t max_depth)
      : stream_(stream), visit_(visit), max_depth_(max_depth) {}

  const Status& visit_status() const { return visit_status_; }
  bool too_deep() const { return assembler_.too_deep(); }
  bool lone_surrogate() const { return assembler_.lone_surrogate(); }
  bool number_too_big() const { return assembler_.number_too_big(); }

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

namespace {

// What the parse came to: the first of a read error, a record over the limit, invalid UTF-8,
// the handler's or visitor's error, a syntax error, a NUL byte.
template <typename Splitter>
Status Outcome(const rapidjson::Reader& reader, TrackedStream& stream, const Splitter& splitter, InputBuffer& input,
               const std::string& origin, std::uint64_t max_record_bytes, std::size_t max_depth) {
  auto error_at = [&](const Position& at, const std::string& what) {
    return InputError(fmt::format("{}:{}:{}: {}", origin, at.line, at.column, what));
  };
  if (!stream.read_status().ok()) return stream.read_status();
  if (stream.record_too_large()) {
    Position at = stream.record_start();
    return error_at(at, RecordTooLarge(max_record_bytes));
  }
  if (stream.ReachedInvalidUtf8()) {
    Position at = stream.PositionOf(input.first_invalid_utf8());
    return error_at(at, input.InvalidTextReason());
  }
  if (reader.HasParseError()) {
    rapidjson::ParseErrorCode code = reader.GetParseErrorCode();
    if (code == rapidjson::kParseErrorTermination && !splitter.visit_status().ok()) {
      // A scalar ends at the byte after it: when that byte starts an invalid UTF-8 sequence, the
      // error is the invalid byte's, as ReachedInvalidUtf8 finds when the read buffer happened to
      // hold the whole sequence (found by the nested_records fuzz target).
      const Position here = stream.Here();
      if (stream.StoppedAtInvalidUtf8()) {
        return error_at(here, input.InvalidTextReason());
      }
      return splitter.visit_status();
    }
    if (code == rapidjson::kParseErrorDocumentEmpty && stream.AtEnd()) return Status::Ok();  // no records
    const bool stopped = code == rapidjson::kParseErrorTermination;
    // Before StoppedAtInvalidUtf8, which may read on into a buffer moved elsewhere: the stream's
    // place is not to be asked after it.
    const Position at = stream.PositionOf(reader.GetErrorOffset());
    if (!stopped) {
      const Position here = stream.Here();
      if (stream.StoppedAtInvalidUtf8()) {
        return error_at(here, input.InvalidTextReason());
      }
    }
    const std::string what = stopped && splitter.too_deep()         ? json::NestingMessage(max_depth)
                             : stopped && splitter.lone_surrogate() ? json::LoneSurrogateMessage()
                             : stopped && splitter.number_too_big() ? json::kNumberTooBig
                                                                    : rapidjson::GetParseError_En(code);
    return error_at(at, what);
  }
  if (!stream.AtEnd()) {
    // RapidJSON takes a NUL byte for the end of the text; what follows it would go unread.
    Position at = stream.Here();
    return error_at(at, "a NUL byte is not allowed in JSON text");
  }
  return Status::Ok();
}

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
  return Outcome(reader, stream, splitter, input, origin, max_record_bytes, max_depth);
}

Status ReadJsonRecordsAt(InputBuffer& input, const std::string& origin, const ReadOptions& options,
                         const RecordVisitor& visit) {
  if (options.max_depth == 0) return UsageError(origin + ": the nesting limit must be at least 1");
  auto bom = input.SkipByteOrderMark();
  if (!bom.ok()) return bom.status();
  TrackedStream stream(input, options.max_record_bytes);
  NestedSplitter splitter(stream, visit, options, origin);
  rapidjson::Reader reader;
  stream.ExpectValue();
  reader.Parse<kParseFlags>(stream, splitter);
  SLUICE_RETURN_IF_ERROR(Outcome(reader, stream, splitter, input, origin, options.max_record_bytes, options.max_depth));
  if (splitter.arrays_found() == 0) {
    return InputError(fmt::format("{}: no array at {}: nothing in the document matches the records pointer", origin,
                                  options.records->text.empty() ? "the document's root" : options.records->text));
  }
  return Status::Ok();
}

}  // namespace sluice::records
