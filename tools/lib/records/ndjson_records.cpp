// NDJSON as records: each line is found with memchr, terminated in place and parsed in situ
// (RapidJSON decodes strings where they lie), so a short line costs no copy before its record.
#include <algorithm>
#include <cstring>
#include <string>

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "json/lone_surrogate.h"
#include "records/format_readers.h"
#include "records/record_slot.h"
#include "records/value_assembler.h"

namespace sluice::records {
namespace {

// For lines that nest deep: as for JSON documents (json_records.cpp), plus in situ (the line is
// ours to overwrite).
constexpr unsigned kParseFlags =
    rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
// RapidJSON's recursive parser is about 1.4x faster than the iterative one, and safe while the
// nesting is shallow: lines are parsed recursively with a depth limit, and a line that nests
// deeper is parsed again, iteratively, from a copy taken before the first parse changed it in
// situ. Only a line longer than the limit can nest that deep, so only such lines are copied.
constexpr unsigned kShallowParseFlags = rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;
constexpr std::size_t kMaxRecursiveDepth = 256;

class LineParser {
 public:
  LineParser(const std::string& origin, const RecordVisitor& visit, std::size_t max_depth)
      : origin_(origin), visit_(visit), max_depth_(max_depth) {}

  // Parses [begin, end), where *end == '\0'. `column_shift` counts bytes before `begin` on the
  // same line (a BOM), so columns are byte columns in the file. `invalid_utf8` is where the
  // line's first invalid UTF-8 sequence or NUL byte is, or null; `invalid_reason` says which.
  Status Parse(char* begin, char* end, std::uint64_t line, std::uint64_t column_shift, const char* invalid_utf8,
               const char* invalid_reason) {
    if (invalid_utf8 != nullptr) {
      return InputError(
          fmt::format("{}:{}:{}: {}", origin_, line, invalid_utf8 - begin + 1 + column_shift, invalid_reason));
    }
    char* first = begin;
    while (*first == ' ' || *first == '\t' || *first == '\r') ++first;
    if (first == end) return Status::Ok();  // a blank line
    auto column_of = [&](const char* p) { return static_cast<std::uint64_t>(p - begin) + 1 + column_shift; };

    std::size_t parsed = ParseRecord(first, end, line, column_of(first));
    if (reader_.HasParseError()) {
      const bool stopped = reader_.GetParseErrorCode() == rapidjson::kParseErrorTermination;
      const std::string what = stopped && assembler_.too_deep()         ? json::NestingMessage(max_depth_)
                               : stopped && assembler_.lone_surrogate() ? json::LoneSurrogateMessage()
                               : stopped && assembler_.number_too_big() ? json::kNumberTooBig
                                                                        : rapidjson::GetParseError_En(reader_.GetParseErrorCode());
      return InputError(fmt::format("{}:{}:{}: {}", origin_, line, column_of(first + reader_.GetErrorOffset()), what));
    }
    if (first + parsed != end) {
      // RapidJSON stopped at a NUL byte inside the line, taking it for the end.
      return InputError(fmt::format("{}:{}:{}: a NUL byte is not allowed in JSON text", origin_, line,
                                    column_of(first + parsed)));
    }
    return slot_.Deliver(visit_, assembler_);
  }

 private:
  // Parses the record in [first, end) into the slot; returns how many bytes the parser took.
  std::size_t ParseRecord(char* first, char* end, std::uint64_t line, std::uint64_t column) {
    const std::size_t length = end - first;
    const std::size_t shallow_depth = std::min(kMaxRecursiveDepth, max_depth_);
    if (length > shallow_depth) unchanged_line_.assign(first, length);
    assembler_.Begin(slot_.Start(line, column).value, shallow_depth);
    rapidjson::InsituStringStream shallow(first);
    reader_.Parse<kShallowParseFlags>(shallow, assembler_);
    // Too deep: parsed again iteratively, also when the limit is the source's, as the iterative
    // parser is the one that stops on the offending bracket itself (the message's column).
    if (!assembler_.too_deep()) return shallow.Tell();
    std::memcpy(first, unchanged_line_.data(), length);  // too deep implies longer than the limit
    assembler_.Begin(slot_.Start(line, column).value, max_depth_);
    rapidjson::InsituStringStream deep(first);
    reader_.Parse<kParseFlags>(deep, assembler_);
    return deep.Tell();
  }

  const std::string& origin_;
  const RecordVisitor& visit_;
  std::size_t max_depth_;
  rapidjson::Reader reader_;  // reused: its stack keeps its capacity between lines
  ValueAssembler assembler_;
  RecordSlot slot_;
  std::string unchanged_line_;  // a long line as it was before an in-situ parse
};

}  // namespace

Status ReadNdjsonRecords(InputBuffer& input, const std::string& origin, std::uint64_t max_record_bytes,
                         const RecordVisitor& visit, std::uint64_t first_line, bool at_start, std::size_t max_depth) {
  if (max_depth == 0) return UsageError(origin + ": the nesting limit must be at least 1");
  std::size_t bom = 0;
  if (at_start) {
    auto skipped = input.SkipByteOrderMark();
    if (!skipped.ok()) return skipped.status();
    bom = *skipped;
  }
  LineParser parser(origin, visit, max_depth);
  std::uint64_t line = first_line - 1;
  std::size_t searched = 0;  // bytes at the start of the window known to hold no newline
  for (;;) {
    char* begin = input.begin();
    std::size_t available = input.end() - begin;
    auto* newline = static_cast<char*>(std::memchr(begin + searched, '\n', available - searched));
    // A line over the limit ends the read here, before the buffer grows further (binary data,
    // which has no line breaks either, says so first).
    std::size_t line_bytes = newline != nullptr ? static_cast<std::size_t>(newline - begin) : available;
    if (line_bytes > max_record_bytes) {
      std::uint64_t invalid = input.first_invalid_utf8();
      std::uint64_t column = 1;
      std::string what = RecordTooLarge(max_record_bytes);
      if (invalid < input.OffsetOf(begin + line_bytes)) {
        column = invalid - input.OffsetOf(begin) + 1;
        what = input.InvalidTextReason();
      }
      return InputError(fmt::format("{}:{}:{}: {}", origin, line + 1, column + (line + 1 == first_line ? bom : 0), what));
    }
    if (newline == nullptr && !input.at_eof()) {
      searched = available;
      auto more = input.ReadMore();  // grows the buffer if one line fills it
      if (!more.ok()) return more.status();
      continue;
    }
    if (newline == nullptr) {
      if (available == 0) return Status::Ok();
      newline = input.end();  // the last line has no newline; the sentinel ends it
    }
    searched = 0;
    ++line;
    *newline = '\0';
    // Lines before this one were valid, so an invalid sequence before the newline is on it.
    std::uint64_t invalid = input.first_invalid_utf8();
    const char* invalid_here = invalid < input.OffsetOf(newline) ? begin + (invalid - input.OffsetOf(begin)) : nullptr;
    SLUICE_RETURN_IF_ERROR(
        parser.Parse(begin, newline, line, line == first_line ? bom : 0, invalid_here, input.InvalidTextReason()));
    input.Consume(newline == input.end() ? newline : newline + 1);
  }
}

}  // namespace sluice::records
