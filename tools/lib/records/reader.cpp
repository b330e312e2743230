#include "records/reader.h"

#include "records/format_readers.h"
#include "records/input_buffer.h"

namespace sluice::records {
namespace {

Status ReadFrom(InputBuffer& input, const std::string& origin, pipeline::DataFormat format,
                const ReadOptions& options, const RecordVisitor& visit, std::vector<std::string>* header) {
  if (header != nullptr) header->clear();
  switch (format) {
    case pipeline::DataFormat::kJson: return ReadJsonRecords(input, origin, visit, options.max_depth);
    case pipeline::DataFormat::kNdjson: return ReadNdjsonRecords(input, origin, visit, 1, true, options.max_depth);
    case pipeline::DataFormat::kCsv: return ReadCsvRecords(input, origin, options.csv_typing, visit, header);
  }
  return InternalError(origin + ": unknown data format");
}

}  // namespace

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
