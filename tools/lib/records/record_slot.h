// The one Record a read fills again for every record, and the memory pool its value lives in.
// Records are visited one at a time, so one pool serves them all: a record costs no heap
// allocation once the pool has grown to the size of the largest record (up to a cap).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include <rapidjson/document.h>

#include "core/status.h"
#include "records/reader.h"
#include "records/value_assembler.h"

namespace sluice::records {

class RecordSlot {
 public:
  RecordSlot();

  // Empties the record for the next one, which starts at line:column.
  Record& Start(std::uint64_t line, std::uint64_t column);
  // Hands the record to the visitor; its memory is reused afterwards.
  Status Deliver(const RecordVisitor& visit);
  // The same for a record parsed from JSON, noting the keys it repeated.
  Status Deliver(const RecordVisitor& visit, const ValueAssembler& built);

 private:
  void GrowPoolIfOutgrown();

  std::size_t pool_bytes_;
  std::unique_ptr<char[]> pool_buffer_;
  std::unique_ptr<rapidjson::MemoryPoolAllocator<>> pool_;
  Record record_;
  std::uint64_t next_index_ = 0;
};

}  // namespace sluice::records
