#include "record_stream.h"

#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fuzz_input.h"

namespace sluice::fuzz {
namespace {

// What is compared of a record: its place and shape, not a serialisation of its value (writing a
// deeply nested value recurses, and that is the writer's business, not the reader's).
struct Seen {
  std::uint64_t index, line, column, duplicate_keys;
  std::string first_duplicate_key;
  int type;
  std::uint64_t members;

  bool operator==(const Seen&) const = default;
  std::string Describe() const {
    return fmt::format("record {} at {}:{} (type {}, {} members, {} repeated keys)", index, line, column, type,
                       members, duplicate_keys);
  }
};

Seen SeenOf(const records::Record& record) {
  const auto& value = record.value;
  std::uint64_t members = value.IsObject() ? value.MemberCount() : value.IsArray() ? value.Size() : 0;
  return {record.index, record.line,  record.column, record.duplicate_keys, record.first_duplicate_key,
          static_cast<int>(value.GetType()), members};
}

struct Outcome {
  std::vector<Seen> records;
  std::vector<std::string> header;
  Status status;
};

}  // namespace

void CheckRecordStream(const char* target, pipeline::DataFormat format, std::string_view text,
                       const records::ReadOptions& options) {
  const std::filesystem::path file = ScratchDirectory() / "records.data";
  WriteScratchFile(file, text);
  const std::string origin = file.string();  // ReadRecords names the file by its path

  Outcome memory, chunked;
  memory.status = records::ReadRecordsFromString(
      std::string(text), origin, format, options,
      [&](records::Record& record) {
        memory.records.push_back(SeenOf(record));
        return Status::Ok();
      },
      &memory.header);

  records::ReadOptions tiny = options;
  tiny.buffer_bytes = 1 + text.size() % 13;  // 1 to 13 bytes: every boundary gets crossed
  chunked.status = records::ReadRecords(
      file, format, tiny,
      [&](records::Record& record) {
        chunked.records.push_back(SeenOf(record));
        return Status::Ok();
      },
      &chunked.header);

  if (memory.status.ok() != chunked.status.ok() || memory.status.message() != chunked.status.message()) {
    Broken(target, fmt::format("the readers disagree on the outcome: in memory \"{}\", from the file (buffer {}) \"{}\"",
                               memory.status.message(), tiny.buffer_bytes, chunked.status.message()));
  }
  if (memory.header != chunked.header) Broken(target, "the readers disagree on the CSV header");
  if (memory.records.size() != chunked.records.size()) {
    Broken(target, fmt::format("in memory {} records, from the file (buffer {}) {}", memory.records.size(),
                               tiny.buffer_bytes, chunked.records.size()));
  }
  for (std::size_t i = 0; i < memory.records.size(); ++i) {
    if (!(memory.records[i] == chunked.records[i])) {
      Broken(target, fmt::format("in memory {}, from the file (buffer {}) {}", memory.records[i].Describe(),
                                 tiny.buffer_bytes, chunked.records[i].Describe()));
    }
  }
}

}  // namespace sluice::fuzz
