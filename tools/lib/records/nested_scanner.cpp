#include "records/nested_scanner.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace sluice::records {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// What may follow the first byte of a number, true, false or null (its parser judges the rest).
bool IsScalarByte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.';
}

}  // namespace

NestedScanner::NestedScanner(const json::PointerPattern& records, std::size_t max_depth, Sink& sink)
    : records_(records), max_depth_(max_depth), sink_(sink) {}

bool NestedScanner::Scan(const char* bytes, std::size_t size) {
  const char* p = bytes;
  const char* end = bytes + size;
  while (p < end) {
    if (state_ == State::kInValue) {
      p = ScanValue(p, end);
      continue;
    }
    if (!Step(*p)) return false;
    ++p;
    ++offset_;
  }
  return state_ != State::kFailed;
}

bool NestedScanner::Finish() {
  if (state_ == State::kInValue && kind_ == ValueKind::kScalar) EndValue(offset_);
  return state_ == State::kAfterRoot;
}

bool NestedScanner::Fail() {
  state_ = State::kFailed;
  return false;
}

bool NestedScanner::Step(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (state_ == State::kKey) {
    if (c == '"') {
      frames_.back().key = key_;
      state_ = State::kAfterKey;
      return true;
    }
    // An escape would need decoding before the key is matched, and a byte outside printable
    // ASCII checking as RapidJSON does: the one-thread reader does both.
    if (c == '\\' || byte < 0x20 || byte >= 0x80) return Fail();
    key_.push_back(c);
    return true;
  }
  if (IsSpace(c)) {
    if (c == '\n') NewLine(offset_);
    return state_ != State::kFailed;
  }
  switch (state_) {
    case State::kValue:
      return BeginValue(c);
    case State::kObjectStart:
    case State::kObjectKey:
      if (c == '"') {
        key_.clear();
        state_ = State::kKey;
        return true;
      }
      if (c == '}' && state_ == State::kObjectStart) return CloseContainer();
      return Fail();
    case State::kAfterKey:
      if (c != ':') return Fail();
      state_ = State::kValue;
      return true;
    case State::kObjectNext:
      if (c == ',') {
        state_ = State::kObjectKey;
        return true;
      }
      return c == '}' ? CloseContainer() : Fail();
    case State::kArrayStart:
      return c == ']' ? CloseContainer() : BeginValue(c);
    case State::kArrayNext:
      if (c == ',') {
        state_ = State::kValue;
        return true;
      }
      return c == ']' ? CloseContainer() : Fail();
    default:  // kAfterRoot, kFailed
      return Fail();
  }
}

bool NestedScanner::BeginValue(char c) {
  const std::size_t tokens = records_.tokens.size();
  bool record = false;
  int child = 0;  // the document's root is on the path
  if (!frames_.empty()) {
    Frame& parent = frames_.back();
    if (parent.holds_records) {
      record = true;
      ++parent.next_index;
    } else {
      const auto m = static_cast<std::size_t>(parent.matched);
      bool match = parent.is_object ? records_.MatchesMember(m, parent.key) : records_.MatchesIndex(m, parent.next_index);
      if (!parent.is_object) ++parent.next_index;
      child = match ? parent.matched + 1 : -1;
    }
  }
  const bool container = c == '{' || c == '[';
  if (!record && child >= 0 && (container || static_cast<std::size_t>(child) == tokens)) {
    // A container along the path, or the records array itself.
    const bool holds_records = static_cast<std::size_t>(child) == tokens;
    if (holds_records && c != '[') return Fail();  // not an array of records: the reader says so
    if (frames_.size() + 1 > max_depth_) return Fail();
    if (holds_records) {
      std::vector<ScannedBinding> bindings;
      for (std::size_t d = 0; d < tokens; ++d) {
        if (records_.tokens[d].name.empty()) continue;
        const Frame& frame = frames_[d];
        ScannedBinding binding;
        binding.name = records_.tokens[d].name;
        binding.is_index = !frame.is_object;
        if (frame.is_object) {
          binding.member = frame.key;
        } else {
          binding.index = frame.next_index - 1;
        }
        bindings.push_back(std::move(binding));
      }
      ++arrays_found_;
      sink_.ArrayBegins(bindings);
    }
    Frame frame;
    frame.is_object = c == '{';
    frame.holds_records = holds_records;
    frame.matched = child;
    frames_.push_back(std::move(frame));
    state_ = c == '{' ? State::kObjectStart : State::kArrayStart;
    return true;
  }
  // A record, or a value off the path: delimited here, parsed by whoever takes it.
  if (!container && c != '"' && !IsScalarByte(c)) return Fail();
  value_ = ScannedValue{};
  value_.begin = offset_;
  value_.line = line_;
  value_.column = offset_ - line_start_ + 1;
  value_.depth_left = max_depth_ > frames_.size() ? max_depth_ - frames_.size() : 0;
  value_.record = record;
  kind_ = container ? ValueKind::kContainer : c == '"' ? ValueKind::kString : ValueKind::kScalar;
  nesting_ = container ? 1 : 0;
  in_string_ = c == '"';
  escaped_ = false;
  state_ = State::kInValue;
  return true;
}

// The hot loop: every byte of every record passes here once.
const char* NestedScanner::ScanValue(const char* p, const char* end) {
  const char* q = p;
  const std::uint64_t base = offset_;
  auto offset_of = [&](const char* at) { return base + static_cast<std::uint64_t>(at - p); };
  if (kind_ == ValueKind::kScalar) {
    while (q < end && IsScalarByte(*q)) ++q;
    offset_ = offset_of(q);
    if (q < end) EndValue(offset_);  // the byte after it is the skeleton's again
    return q;
  }
#ifdef __SSE2__
  // Sixteen bytes at a time: only the bytes that can change the state are looked at one by one.
  while (end - q >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    auto is = [&v](char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
    const __m128i brackets = _mm_or_si128(_mm_or_si128(is('{'), is('}')), _mm_or_si128(is('['), is(']')));
    unsigned mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(is('"'), is('\\')), _mm_or_si128(is('\n'), brackets))));
    if (escaped_) {  // the chunk's first byte is escaped
      escaped_ = false;
      if (*q == '\n') NewLine(offset_of(q));
      mask &= ~1u;
    }
    while (mask != 0) {
      const int i = __builtin_ctz(mask);
      mask &= mask - 1;
      const char* at = q + i;
      const char c = *at;
      if (c == '\n') {
        NewLine(offset_of(at));
      } else if (in_string_) {
        if (c == '\\') {
          if (i == 15) {
            escaped_ = true;
          } else {
            if (at[1] == '\n') NewLine(offset_of(at + 1));
            mask &= ~(1u << (i + 1));
          }
        } else if (c == '"') {
          in_string_ = false;
          if (nesting_ == 0) return FinishValue(p, at + 1);
        }
      } else if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        ++nesting_;
      } else if (c == '}' || c == ']') {
        if (--nesting_ == 0) return FinishValue(p, at + 1);
      }
    }
    q += 16;
  }
#endif
  while (q < end) {
    const char c = *q++;
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '"') {
        in_string_ = false;
        if (nesting_ == 0) {  // the value was this string
          offset_ = offset_of(q);
          EndValue(offset_);
          return q;
        }
        continue;
      } else if (c == '\\') {
        escaped_ = true;
        continue;
      }
      if (c == '\n') NewLine(offset_of(q - 1));
      continue;
    }
    switch (c) {
      case '"':
        in_string_ = true;
        break;
      case '{':
      case '[':
        ++nesting_;
        break;
      case '}':
      case ']':
        if (--nesting_ == 0) {
          offset_ = offset_of(q);
          EndValue(offset_);
          return q;
        }
        break;
      case '\n':
        NewLine(offset_of(q - 1));
        break;
      default:
        break;
    }
  }
  offset_ = offset_of(q);
  return q;
}

const char* NestedScanner::FinishValue(const char* from, const char* after) {
  offset_ += static_cast<std::uint64_t>(after - from);
  EndValue(offset_);
  return after;
}

void NestedScanner::EndValue(std::uint64_t end) {
  value_.end = end;
  sink_.Value(value_);
  AfterValue();
}

void NestedScanner::AfterValue() {
  if (frames_.empty()) {
    state_ = State::kAfterRoot;
  } else {
    state_ = frames_.back().is_object ? State::kObjectNext : State::kArrayNext;
  }
}

bool NestedScanner::CloseContainer() {
  if (frames_.back().holds_records) sink_.ArrayEnds();
  frames_.pop_back();
  AfterValue();
  return true;
}

}  // namespace sluice::records
