// The reading thread's half of ReadNestedInParallel: a byte-level walk of a JSON document that
// follows a records pointer (ReadOptions::records) and finds, without parsing them, where each
// element of a matched array lies, and each value off the pointer's path, so that worker threads
// can parse and check them (internal header).
//
// It checks the document's skeleton (the objects and arrays along the path, their keys, commas
// and colons) itself, strictly; the values it hands out it only delimits, by brackets and
// strings, and whoever takes them must parse them in full. It gives up (failed()) at anything it
// does not take for certain the way RapidJSON's reader would: a key on the path with an escape,
// a control or non-ASCII byte, a byte order mark, a match that is not an array, nesting past the
// limit, a syntax error. Then the one-thread reader (nested_records.h) takes over, and says what
// is wrong, if anything is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "json/pointer_pattern.h"

namespace sluice::records {

// A value the scanner delimited: an element of a matched array (a record), or a value off the
// pointer's path (only to be checked for being valid JSON).
struct ScannedValue {
  std::uint64_t begin = 0, end = 0;  // input offsets: [begin, end)
  std::uint64_t line = 0, column = 0;  // of its first byte, 1-based (columns count bytes)
  // Objects and arrays may nest this many levels inside it (ReadOptions::max_depth less the
  // containers around it).
  std::size_t depth_left = 0;
  bool record = false;
};

// A wildcard of the records pointer and what it matched for one array (nested_records.h: the
// record gets it as a field).
struct ScannedBinding {
  std::string name;
  std::string member;       // the member name matched, when `is_index` is false
  bool is_index = false;
  std::uint64_t index = 0;  // the array index matched, when `is_index`
};

class NestedScanner {
 public:
  class Sink {
   public:
    virtual ~Sink() = default;
    virtual void Value(const ScannedValue& value) = 0;
    // The records array that starts now, and the wildcards' bindings on the way to it.
    virtual void ArrayBegins(const std::vector<ScannedBinding>& bindings) = 0;
    virtual void ArrayEnds() = 0;
  };

  NestedScanner(const json::PointerPattern& records, std::size_t max_depth, Sink& sink);

  // Scans the next `size` bytes of the input (the scanner keeps its state between calls).
  // Returns false once it has given up.
  bool Scan(const char* bytes, std::size_t size);
  // The input ended: false unless the document was complete.
  bool Finish();

  bool failed() const { return state_ == State::kFailed; }
  // Where the value being delimited starts (an input offset), while in one: the bytes from there
  // on are still needed.
  bool in_value() const { return state_ == State::kInValue; }
  std::uint64_t value_begin() const { return value_.begin; }
  std::uint64_t offset() const { return offset_; }
  std::uint64_t arrays_found() const { return arrays_found_; }

 private:
  enum class State {
    kValue, kObjectStart, kKey, kAfterKey, kObjectNext, kObjectKey, kArrayStart, kArrayNext, kInValue, kAfterRoot,
    kFailed,
  };
  enum class ValueKind { kContainer, kString, kScalar };
  struct Frame {
    bool is_object = false;
    bool holds_records = false;
    int matched = -1;  // pattern tokens its path matched; -1 off the path (never kept)
    std::uint64_t next_index = 0;
    std::string key;
  };

  // One byte outside a delimited value; false when scanning must stop (gave up).
  bool Step(char c);
  // A value begins at byte `c`.
  bool BeginValue(char c);
  // Delimits the value being scanned from `p` on; returns where it stopped in [p, end].
  const char* ScanValue(const char* p, const char* end);
  // The value ends at `after` (the scan of this call started at `from`, at offset_).
  const char* FinishValue(const char* from, const char* after);
  void EndValue(std::uint64_t end);
  void AfterValue();
  bool CloseContainer();
  bool Fail();
  void NewLine(std::uint64_t at) {
    ++line_;
    line_start_ = at + 1;
  }

  const json::PointerPattern& records_;
  const std::size_t max_depth_;
  Sink& sink_;
  State state_ = State::kValue;
  std::vector<Frame> frames_;
  std::string key_;
  ScannedValue value_;
  ValueKind kind_ = ValueKind::kScalar;
  std::size_t nesting_ = 0;  // brackets open inside the value being delimited
  bool in_string_ = false, escaped_ = false;
  std::uint64_t offset_ = 0;  // of the next byte
  std::uint64_t line_ = 1, line_start_ = 0;
  std::uint64_t arrays_found_ = 0;
};

}  // namespace sluice::records
