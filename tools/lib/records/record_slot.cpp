#include "records/record_slot.h"

#include <algorithm>

namespace sluice::records {
namespace {

constexpr std::size_t kInitialPoolBytes = 64 * 1024;
// A pool kept between records never exceeds this; a larger record allocates chunks that are
// freed when it is done.
constexpr std::size_t kMaxKeptPoolBytes = 8 * 1024 * 1024;

}  // namespace

RecordSlot::RecordSlot()
    : pool_bytes_(kInitialPoolBytes),
      pool_buffer_(new char[kInitialPoolBytes]),
      pool_(std::make_unique<rapidjson::MemoryPoolAllocator<>>(pool_buffer_.get(), kInitialPoolBytes)) {}

Record& RecordSlot::Start(std::uint64_t line, std::uint64_t column) {
  // A fresh Document over the pool (no allocation), even if the visitor moved the last one out.
  record_.value = rapidjson::Document(pool_.get());
  pool_->Clear();
  record_.index = next_index_;
  record_.line = line;
  record_.column = column;
  record_.duplicate_keys = 0;
  record_.first_duplicate_key.clear();
  record_.verdict.reset();
  return record_;
}

Status RecordSlot::Deliver(const RecordVisitor& visit) {
  ++next_index_;
  Status status = visit(record_);
  GrowPoolIfOutgrown();
  return status;
}

Status RecordSlot::Deliver(const RecordVisitor& visit, const ValueAssembler& built) {
  record_.duplicate_keys = built.duplicate_keys();
  if (built.duplicate_keys() > 0) record_.first_duplicate_key = built.first_duplicate_key();
  return Deliver(visit);
}

void RecordSlot::GrowPoolIfOutgrown() {
  std::size_t used = pool_->Capacity();
  if (used <= pool_bytes_ || pool_bytes_ >= kMaxKeptPoolBytes) return;
  std::size_t bigger = pool_bytes_;
  while (bigger < used && bigger < kMaxKeptPoolBytes) bigger *= 2;
  record_.value = rapidjson::Document();  // let go of the old pool before it goes
  pool_.reset();
  pool_buffer_.reset(new char[bigger]);
  pool_bytes_ = bigger;
  pool_ = std::make_unique<rapidjson::MemoryPoolAllocator<>>(pool_buffer_.get(), bigger);
}

}  // namespace sluice::records
