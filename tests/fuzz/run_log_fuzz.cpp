// $SLUICE_RUN_LOG as sluice-notify reads it at the end of a run (every tool of the run appended a
// line; a tool that crashed may have left half of one): notify::ReadRunLog from a file, then the
// records of one pipeline as the notification picks them.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "notify/run_log.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  const auto file = sluice::fuzz::ScratchDirectory() / "run-log.ndjson";
  sluice::fuzz::WriteScratchFile(file, text);
  auto records = sluice::notify::ReadRunLog(file);
  if (!records.ok()) return 0;
  for (const auto& record : *records) {
    record.Count("rows");
    sluice::notify::StepsOf(*records, record.pipeline);
  }
  return 0;
}
