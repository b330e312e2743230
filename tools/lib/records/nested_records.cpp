#include "records/nested_records.h"

#include <fmt/format.h>

namespace sluice::records {

NestedSplitter::NestedSplitter(TrackedStream& stream, const RecordVisitor& visit, const ReadOptions& options,
                               std::string origin)
    : stream_(stream), visit_(visit), options_(options), origin_(std::move(origin)) {
  patterns_.push_back(&*options.records);
  for (const auto& capture : options.captures) patterns_.push_back(&capture);
}

bool NestedSplitter::ElementIsRecord() {
  if (frames_.empty() || !frames_.back().holds_records) return false;
  ++frames_.back().next_index;
  return true;
}

bool NestedSplitter::MatchChild() {
  child_.assign(patterns_.size(), -1);
  bool on_a_path = false;
  if (frames_.empty()) {  // the document's root
    std::fill(child_.begin(), child_.end(), 0);
    return true;
  }
  Frame& parent = frames_.back();
  for (std::size_t p = 0; p < patterns_.size(); ++p) {
    int m = parent.matched[p];
    if (m < 0 || static_cast<std::size_t>(m) >= Length(p)) continue;
    bool match = parent.is_object ? patterns_[p]->MatchesMember(m, parent.key)
                                  : patterns_[p]->MatchesIndex(m, parent.next_index);
    if (match) {
      child_[p] = m + 1;
      on_a_path = true;
    }
  }
  if (!parent.is_object) ++parent.next_index;
  return on_a_path;
}

bool NestedSplitter::Key(const char* s, rapidjson::SizeType n, bool copy) {
  if (in_record_) return assembler_.Key(s, n, copy);
  if (skip_depth_ > 0) return true;
  Frame& parent = frames_.back();
  parent.key.assign(s, n);
  // A value that completes a pattern is reported at its first byte: have the stream note it.
  for (std::size_t p = 0; p < patterns_.size(); ++p) {
    int m = parent.matched[p];
    if (m >= 0 && static_cast<std::size_t>(m) + 1 == Length(p) && patterns_[p]->MatchesMember(m, parent.key)) {
      stream_.ExpectValue();
      break;
    }
  }
  return true;
}

// Containers may nest max_depth deep counting from the document's root, as in a flat file.
bool NestedSplitter::Deeper() {
  if (frames_.size() + skip_depth_ + 1 > options_.max_depth) {
    too_deep_ = true;
    return false;
  }
  return true;
}

bool NestedSplitter::StartContainer(bool is_object) {
  if (in_record_) return is_object ? assembler_.StartObject() : assembler_.StartArray();
  // RapidJSON calls StartObject/StartArray before taking the bracket: the stream is on it.
  if (skip_depth_ > 0) {
    if (!Deeper()) return false;
    ++skip_depth_;
    return true;
  }
  if (ElementIsRecord()) {
    stream_.ForgetMark();
    BeginRecord(stream_.Here());
    return is_object ? assembler_.StartObject() : assembler_.StartArray();
  }
  if (!MatchChild()) {
    if (!Deeper()) return false;
    skip_depth_ = 1;
    return true;
  }
  stream_.ForgetMark();
  if (child_[0] == static_cast<int>(Length(0)) && is_object) return NotAnArray("an object", stream_.Here());
  for (std::size_t p = 1; p < patterns_.size(); ++p) {
    if (child_[p] != static_cast<int>(Length(p))) continue;
    // A capture takes scalars: a container reads as an empty one, for the check to refuse.
    if (is_object) {
      captured_.SetObject();
    } else {
      captured_.SetArray();
    }
    if (!Deliver(p, stream_.Here())) return false;
  }
  if (!Deeper()) return false;
  Frame frame;
  frame.is_object = is_object;
  frame.matched = child_;
  if (child_[0] == static_cast<int>(Length(0))) {
    frame.holds_records = true;
    ++arrays_found_;
    stream_.ExpectValue();
  }
  frames_.push_back(std::move(frame));
  return frames_.back().holds_records || ExpectNextElement();
}

bool NestedSplitter::EndContainer() {
  if (skip_depth_ > 0) {
    --skip_depth_;
    return skip_depth_ > 0 || ExpectNextElement();
  }
  if (frames_.back().holds_records) stream_.ForgetMark();
  frames_.pop_back();
  return ExpectNextElement();
}

bool NestedSplitter::ExpectNextElement() {
  if (frames_.empty() || frames_.back().is_object || frames_.back().holds_records) return true;
  const Frame& array = frames_.back();
  for (std::size_t p = 0; p < patterns_.size(); ++p) {
    if (array.matched[p] >= 0 && static_cast<std::size_t>(array.matched[p]) + 1 == Length(p)) {
      stream_.ExpectValue();
      break;
    }
  }
  return true;
}

void NestedSplitter::BeginRecord(Position at) {
  in_record_ = true;
  stream_.RecordStarts(at);
  record_ = &slot_.Start(at.line, at.column);
  // Depth counts from the document's root: the containers around the records are levels too.
  assembler_.Begin(record_->value, options_.max_depth - frames_.size());
}

bool NestedSplitter::AfterValue() {
  if (!assembler_.complete()) return true;
  in_record_ = false;
  if (!stream_.RecordEnds()) return false;  // ReadJsonRecordsAt reports it
  if (!AddBindings(*record_)) return false;
  status_ = slot_.Deliver(visit_, assembler_);
  if (!status_.ok()) return false;  // RapidJSON stops with kParseErrorTermination
  stream_.ExpectValue();
  return true;
}

std::string NestedSplitter::KeyAt(std::size_t depth) const {
  const Frame& frame = frames_[depth];
  return frame.is_object ? frame.key : std::to_string(frame.next_index - 1);
}

std::string NestedSplitter::PathTo(std::size_t depth) const {
  std::string pointer;
  for (std::size_t d = 0; d < depth; ++d) pointer += "/" + json::EscapePointerToken(KeyAt(d));
  return pointer;
}

// The records array is frames_[n] for a pattern of n tokens, and token d took the path out of
// frames_[d]: that member's name (or index) is the wildcard's value.
bool NestedSplitter::AddBindings(Record& record) {
  const json::PointerPattern& pattern = *patterns_[0];
  for (std::size_t d = 0; d < pattern.tokens.size(); ++d) {
    const std::string& name = pattern.tokens[d].name;
    if (name.empty()) continue;
    rapidjson::Value& value = record.value;
    if (!value.IsObject()) {
      status_ = InputError(fmt::format("{}:{}:{}: the record at {} is not an object, so the wildcard {{{}}} of the records "
                                       "pointer {} cannot become its field", origin_, record.line, record.column,
                                       PathTo(pattern.tokens.size() + 1), name, pattern.text));
      return false;
    }
    if (value.HasMember(rapidjson::StringRef(name.data(), name.size()))) {
      status_ = InputError(fmt::format("{}:{}:{}: the record at {} already has a field \"{}\", the name of the wildcard "
                                       "{{{}}} of the records pointer {}: rename the wildcard", origin_, record.line,
                                       record.column, PathTo(pattern.tokens.size() + 1), name, name, pattern.text));
      return false;
    }
    auto& allocator = record.value.GetAllocator();
    const Frame& frame = frames_[d];
    rapidjson::Value field(name.data(), static_cast<rapidjson::SizeType>(name.size()), allocator);
    if (frame.is_object) {
      value.AddMember(field, rapidjson::Value(frame.key.data(), static_cast<rapidjson::SizeType>(frame.key.size()), allocator),
                      allocator);
    } else {
      value.AddMember(field, rapidjson::Value(frame.next_index - 1), allocator);
    }
  }
  return true;
}

bool NestedSplitter::Deliver(std::size_t pattern, Position at) {
  if (!options_.on_capture) return true;
  CapturedValue found;
  found.capture = pattern - 1;
  const auto& tokens = patterns_[pattern]->tokens;
  for (std::size_t d = 0; d < tokens.size(); ++d) {
    if (!tokens[d].name.empty()) found.bindings.emplace_back(tokens[d].name, KeyAt(d));
  }
  found.value = &captured_;
  found.pointer = PathTo(frames_.size());
  found.line = at.line;
  found.column = at.column;
  status_ = options_.on_capture(found);
  return status_.ok();
}

bool NestedSplitter::NotAnArray(const char* what, Position at) {
  status_ = InputError(fmt::format("{}:{}:{}: {} is {}, not an array of records (the records pointer {})", origin_, at.line,
                                   at.column, frames_.empty() ? "the document" : PathTo(frames_.size()), what,
                                   patterns_[0]->text));
  return false;
}

}  // namespace sluice::records
