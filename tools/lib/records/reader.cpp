#include "records/reader.h"

#include <fmt/format.h>

#include "records/format_readers.h"
#include "records/input_buffer.h"

namespace sluice::records {
namespace {

std::string SizeText(std::uint64_t bytes) {
  if (bytes % (1 << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
  if (bytes % (1 << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes % (1 << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

Status ReadFrom(InputBuffer& input, const std::string& origin, pipeline::DataFormat format,
                const ReadOptions& options, const RecordVisitor& visit, std::vector<std::string>* header) {
  if (header != nullptr) header->clear();
  if (options.records && format != pipeline::DataFormat::kJson) {
    return UsageError(fmt::format("{}: a records pointer ({}) applies to format json only", origin, options.records->text));
  }
  switch (format) {
    case pipeline::DataFormat::kJson:
      if (options.records) return ReadJsonRecordsAt(input, origin, options, visit);
      return ReadJsonRecords(input, origin, options.max_record_bytes, visit, options.max_depth);
    case pipeline::DataFormat::kNdjson:
      return ReadNdjsonRecords(input, origin, options.max_record_bytes, visit, 1, true, options.max_depth);
    case pipeline::DataFormat::kCsv:
      return ReadCsvRecords(input, origin, options.csv_typing, options.max_record_bytes, visit, header);
  }
  return InternalError(origin + ": unknown data format");
}

}  // namespace

std::string RecordTooLarge(std::uint64_t limit) {
  return fmt::format("record larger than max_record_bytes ({}): a file without line breaks, or binary data? If "
                     "records really are this large, raise the source's max_record_bytes in the manifest",
                     SizeText(limit));
}

Status ReadRecords(const std::filesystem::path& path, pipeline::DataFormat format, const ReadOptions& options,
                   const RecordVisitor& visit, std::vector<std::string>* header) {
  auto input = InputBuffer::OpenFile(path, options.buffer_bytes);
  if (!input.ok()) return input.status();
  return ReadFrom(*input, path.string(), format, options, visit, header);
}

Status ReadRecordsFromString(const std::string& bytes, const std::string& origin, pipeline::DataFormat format,
                             const ReadOptions& options, const RecordVisitor& visit,
                             std::vector<std::string>* header) {
  InputBuffer input = InputBuffer::FromMemory(bytes, options.buffer_bytes);
  return ReadFrom(input, origin, format, options, visit, header);
}

}  // namespace sluice::records
