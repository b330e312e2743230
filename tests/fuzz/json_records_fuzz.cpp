// A JSON data file as sluice-validate and sluice-diff read it: an array streamed record by
// record (or one document as one record), in memory and from a file through a tiny buffer.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "record_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  sluice::fuzz::CheckRecordStream("json_records", sluice::pipeline::DataFormat::kJson, text);
  return 0;
}
