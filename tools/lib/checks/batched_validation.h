// Schema validation on the other cores while the reader parses the next records.
//
// The reader reuses a record's memory as soon as the visitor returns, so each record is copied
// into a batch; a full batch goes to a worker thread, which validates its records. Verdicts
// come back in record order, on the caller's thread, so the first failures stay the first
// examples, exactly as if every record had been validated in turn. At most a few batches are in
// flight (the caller waits for the oldest when all are taken): memory stays flat in file size.
//
// Records too large to copy cheaply, or too deeply nested to copy safely, are validated on the
// caller's thread, after the batches queued before them (the order still holds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/ordered_workers.h"
#include "records/reader.h"
#include "schema/validator.h"

namespace sluice::checks {

// A record as the batch keeps it, and whether it is valid.
struct QueuedRecord {
  const rapidjson::Value* value = nullptr;  // the copy (or the caller's record, when inline)
  std::uint64_t index = 0;
  std::uint64_t line = 0;
  std::uint64_t column = 0;
  std::uint64_t duplicate_keys = 0;  // > 0: not validated (the check fails it as ambiguous)
  std::string first_duplicate_key;
  bool valid = true;

  // The record's place and value as they are, with `valid` to fill in.
  static QueuedRecord Of(const records::Record& record, bool valid) {
    return {&record.value, record.index, record.line, record.column, record.duplicate_keys,
            record.first_duplicate_key, valid};
  }
};

class BatchedValidation {
 public:
  // Called once per record, in record order, with its verdict. `record.value` lives until the
  // call returns (re-validate it there to list its errors).
  using Verdict = std::function<void(const QueuedRecord& record)>;

  // `workers` threads validate batches; 0 validates every record on the caller's thread as it
  // comes. The validator must outlive this object.
  BatchedValidation(const schema::Validator& validator, std::size_t workers, Verdict verdict);
  ~BatchedValidation();  // waits for the workers; verdicts not yet delivered are dropped
  BatchedValidation(const BatchedValidation&) = delete;
  BatchedValidation& operator=(const BatchedValidation&) = delete;

  void Add(const records::Record& record);
  // Delivers every outstanding verdict. Call before reading the results.
  void Finish();

  // Worker threads for this machine: one fewer than WorkerThreads() (the reader keeps one), at
  // most 7; SLUICE_THREADS=<n> sets the total, and 1 turns batching off.
  static std::size_t DefaultWorkers();

 private:
  struct Batch;

  void ValidateInline(const records::Record& record);
  std::unique_ptr<Batch> TakeSpare();
  void Submit();
  void DeliverOldest();
  void Deliver(const Batch& batch);

  const schema::Validator& validator_;
  Verdict verdict_;
  std::size_t workers_;
  std::unique_ptr<Batch> filling_;
  std::deque<std::unique_ptr<Batch>> in_flight_;  // handed to the workers, oldest first
  std::vector<std::unique_ptr<Batch>> spare_;
  std::unique_ptr<OrderedWorkers<Batch>> pool_;  // started with the first full batch; last, so it stops first
};

}  // namespace sluice::checks
