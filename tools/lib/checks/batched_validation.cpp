#include "checks/batched_validation.h"

#include <algorithm>
#include <vector>

#include "json/json.h"

namespace sluice::checks {
namespace {

// A batch is handed over when it holds this many records or this many bytes of copies,
// whichever comes first: large enough that the hand-over costs nothing next to validating
// it, small enough that the few batches in flight stay a few MiB.
constexpr std::size_t kBatchRecords = 4096;
constexpr std::size_t kBatchBytes = 1 << 20;
// A record whose parsed value takes more is validated where it is: copying it would double
// its memory, and nesting deep enough to need that much would recurse deeply in a copy too.
constexpr std::size_t kMaxCopiedRecordBytes = 64 * 1024;
constexpr std::size_t kMaxWorkers = 7;

using Allocator = rapidjson::MemoryPoolAllocator<>;

}  // namespace

struct BatchedValidation::Batch {
  struct Entry {
    QueuedRecord record;
    rapidjson::Value copy;
  };

  // The pool keeps this buffer across rounds (Clear frees only chunks beyond it), and a batch
  // is handed over before it outgrows it: reused memory, where fresh chunks cost a page fault
  // per 4 KiB, which doubled the CPU time of validating on two threads.
  std::unique_ptr<char[]> buffer{new char[kBatchBytes + kMaxCopiedRecordBytes + 4096]};
  Allocator memory{buffer.get(), kBatchBytes + kMaxCopiedRecordBytes + 4096};
  std::vector<Entry> entries;  // the first `used` belong to this round
  std::size_t used = 0;
  const schema::Validator* validator = nullptr;

  Entry& Next() {
    if (used == entries.size()) entries.emplace_back();
    return entries[used++];
  }
  bool full() const { return used >= kBatchRecords || memory.Size() >= kBatchBytes; }
  void Reset() {
    used = 0;
    memory.Clear();  // the copies die with it; entries are overwritten before they are read again
  }
  void Run() {  // on a worker thread
    for (std::size_t i = 0; i < used; ++i) {
      Entry& entry = entries[i];
      entry.record.value = &entry.copy;
      entry.record.valid = entry.record.duplicate_keys > 0 || validator->IsValid(entry.copy);
    }
  }
};

BatchedValidation::BatchedValidation(const schema::Validator& validator, std::size_t workers, Verdict verdict)
    : validator_(validator), verdict_(std::move(verdict)), workers_(std::min(workers, kMaxWorkers)) {}

BatchedValidation::~BatchedValidation() {
  pool_.reset();  // joins the workers before the batches they may hold go
}

std::size_t BatchedValidation::DefaultWorkers() {
  std::size_t threads = WorkerThreads();
  return threads > 1 ? std::min(threads - 1, kMaxWorkers) : 0;
}

void BatchedValidation::Add(const records::Record& record) {
  if (workers_ == 0) {
    ValidateInline(record);
    return;
  }
  // RapidJSON offers the allocator only through a non-const Document; Size() only reads it.
  if (const_cast<rapidjson::Document&>(record.value).GetAllocator().Size() > kMaxCopiedRecordBytes) {
    Finish();  // what came before is delivered first
    ValidateInline(record);
    return;
  }
  if (!filling_) filling_ = TakeSpare();
  Batch::Entry& entry = filling_->Next();
  QueuedRecord& queued = entry.record;
  queued.index = record.index;
  queued.line = record.line;
  queued.column = record.column;
  queued.duplicate_keys = record.duplicate_keys;
  queued.first_duplicate_key = record.first_duplicate_key;
  if (record.duplicate_keys == 0) {
    json::DeepCopy(record.value, entry.copy, filling_->memory);  // bounded: kMaxCopiedRecordBytes
  } else {
    entry.copy.SetNull();
  }
  if (filling_->full()) Submit();
}

void BatchedValidation::Finish() {
  if (filling_ && filling_->used > 0) {
    if (pool_) {
      Submit();
    } else {
      // Fewer records than one batch: not worth a thread.
      filling_->Run();
      Deliver(*filling_);
      filling_->Reset();
    }
  }
  while (!in_flight_.empty()) DeliverOldest();
}

void BatchedValidation::ValidateInline(const records::Record& record) {
  verdict_(QueuedRecord::Of(record, record.duplicate_keys > 0 || validator_.IsValid(record.value)));
}

std::unique_ptr<BatchedValidation::Batch> BatchedValidation::TakeSpare() {
  if (spare_.empty()) {
    auto batch = std::make_unique<Batch>();
    batch->validator = &validator_;
    return batch;
  }
  std::unique_ptr<Batch> batch = std::move(spare_.back());
  spare_.pop_back();
  return batch;
}

void BatchedValidation::Submit() {
  if (!pool_) pool_ = std::make_unique<OrderedWorkers<Batch>>(workers_);
  if (in_flight_.size() >= 2 * workers_ + 1) DeliverOldest();
  pool_->Submit(filling_.get());
  in_flight_.push_back(std::move(filling_));
}

void BatchedValidation::DeliverOldest() {
  std::unique_ptr<Batch> batch = std::move(in_flight_.front());
  in_flight_.pop_front();
  pool_->CollectOldest();  // the oldest submitted is `batch`
  Deliver(*batch);
  batch->Reset();
  spare_.push_back(std::move(batch));
}

void BatchedValidation::Deliver(const Batch& batch) {
  for (std::size_t i = 0; i < batch.used; ++i) verdict_(batch.entries[i].record);
}

}  // namespace sluice::checks
