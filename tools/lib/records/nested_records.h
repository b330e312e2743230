// Records inside a JSON document (ReadOptions::records): a SAX handler that follows the pointer
// patterns as the parser descends, builds a value only for each element of a matched array (and
// for each captured scalar), and passes over everything else by counting brackets, so a 1 GiB
// document costs the memory of one record (internal header).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "records/reader.h"
#include "records/record_slot.h"
#include "records/tracked_stream.h"
#include "records/value_assembler.h"

namespace sluice::records {

class NestedSplitter {
 public:
  NestedSplitter(TrackedStream& stream, const RecordVisitor& visit, const ReadOptions& options, std::string origin);

  // An error of this handler (a match that is not an array, a wildcard's field the record
  // already has) or of the visitor; the parse stopped there.
  const Status& visit_status() const { return status_; }
  bool too_deep() const { return too_deep_ || assembler_.too_deep(); }
  bool lone_surrogate() const { return assembler_.lone_surrogate() || captured_assembler_.lone_surrogate(); }
  bool number_too_big() const { return assembler_.number_too_big() || captured_assembler_.number_too_big(); }
  std::uint64_t arrays_found() const { return arrays_found_; }

  bool Null() { return Scalar([](ValueAssembler& a) { return a.Null(); }); }
  bool Bool(bool b) { return Scalar([b](ValueAssembler& a) { return a.Bool(b); }); }
  bool Int(int i) { return Scalar([i](ValueAssembler& a) { return a.Int(i); }); }
  bool Uint(unsigned u) { return Scalar([u](ValueAssembler& a) { return a.Uint(u); }); }
  bool Int64(std::int64_t i) { return Scalar([i](ValueAssembler& a) { return a.Int64(i); }); }
  bool Uint64(std::uint64_t u) { return Scalar([u](ValueAssembler& a) { return a.Uint64(u); }); }
  bool Double(double d) { return Scalar([d](ValueAssembler& a) { return a.Double(d); }); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return Scalar([&](ValueAssembler& a) { return a.RawNumber(s, n, copy); });
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return Scalar([&](ValueAssembler& a) { return a.String(s, n, copy); });
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy);
  bool StartObject() { return StartContainer(true); }
  bool StartArray() { return StartContainer(false); }
  bool EndObject(rapidjson::SizeType n) { return in_record_ ? assembler_.EndObject(n) && AfterValue() : EndContainer(); }
  bool EndArray(rapidjson::SizeType n) { return in_record_ ? assembler_.EndArray(n) && AfterValue() : EndContainer(); }

 private:
  // An open container on the way to a match.
  struct Frame {
    bool is_object = false;
    bool holds_records = false;  // the records pattern matched it: its elements are records
    std::uint64_t next_index = 0;  // arrays: the index of the next element
    std::string key;               // objects: the member being read
    std::vector<int> matched;      // per pattern: tokens its path matched, -1 when off the path
  };

  template <typename Event>
  bool Scalar(Event event) {
    if (in_record_) return event(assembler_) && AfterValue();
    if (skip_depth_ > 0) return true;
    if (ElementIsRecord()) {
      BeginRecord(stream_.marked());
      return event(assembler_) && AfterValue();
    }
    if (!MatchChild()) return ExpectNextElement();
    if (child_[0] == static_cast<int>(Length(0))) return NotAnArray("a single value", stream_.marked());
    for (std::size_t p = 1; p < patterns_.size(); ++p) {
      if (child_[p] != static_cast<int>(Length(p))) continue;
      captured_.SetNull();
      captured_.GetAllocator().Clear();  // one scalar at a time
      captured_assembler_.Begin(captured_);
      if (!event(captured_assembler_)) return false;  // a lone surrogate, a number beyond a double
      if (!Deliver(p, stream_.marked())) return false;
    }
    return ExpectNextElement();
  }
  bool StartContainer(bool is_object);
  bool EndContainer();
  // The value starting now is an element of the records array: advances its index.
  bool ElementIsRecord();
  // Fills child_ for the value starting now; false when it is on no pattern's path.
  bool MatchChild();
  std::size_t Length(std::size_t pattern) const { return patterns_[pattern]->tokens.size(); }
  bool Deeper();
  // A scalar is reported where the stream marked its first byte (its event comes after its
  // bytes): inside an array (not of records) whose elements may complete a pattern, the stream
  // marks each element's start, as a Key does for its value. Returns true.
  bool ExpectNextElement();
  void BeginRecord(Position at);
  bool AfterValue();
  bool AddBindings(Record& record);
  bool Deliver(std::size_t pattern, Position at);
  bool NotAnArray(const char* what, Position at);
  // The member name (or index) the path takes out of frames_[depth].
  std::string KeyAt(std::size_t depth) const;
  std::string PathTo(std::size_t depth) const;  // the pointer of the child of frames_[depth - 1]

  TrackedStream& stream_;
  const RecordVisitor& visit_;
  const ReadOptions& options_;
  std::string origin_;
  std::vector<const json::PointerPattern*> patterns_;  // the records pattern, then the captures
  std::vector<Frame> frames_;
  std::vector<int> child_;
  std::size_t skip_depth_ = 0;  // containers open inside a value off every path
  RecordSlot slot_;
  Record* record_ = nullptr;
  ValueAssembler assembler_;
  rapidjson::Document captured_;
  ValueAssembler captured_assembler_;
  Status status_;
  bool in_record_ = false;
  bool too_deep_ = false;
  std::uint64_t arrays_found_ = 0;
};

}  // namespace sluice::records
