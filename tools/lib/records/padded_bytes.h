// Bytes that simdjson can parse where they lie (internal header): the blocks the parallel readers
// (parallel_ndjson.cpp, parallel_nested.cpp) hand to their worker threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

#include <simdjson.h>

namespace sluice::records {

// Unlike std::string, growing it does not zero what fread overwrites at once, and it keeps
// simdjson's padding (zeroed) past its end, so any part of it parses without a copy.
class PaddedBytes {
 public:
  std::string_view view() const { return {data_.get(), size_}; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Room for `more` bytes past the end; write them there, then Grow by as many as written.
  char* Extend(std::size_t more) {
    Reserve(size_ + more);
    return data_.get() + size_;
  }
  void Grow(std::size_t written) { SetSize(size_ + written); }
  void Truncate(std::size_t size) { SetSize(size); }
  void Assign(std::string_view text) {
    Reserve(text.size());
    std::memcpy(data_.get(), text.data(), text.size());
    SetSize(text.size());
  }
  // Drops the first `count` bytes.
  void DropFront(std::size_t count) {
    std::memmove(data_.get(), data_.get() + count, size_ - count);
    SetSize(size_ - count);
  }

 private:
  void SetSize(std::size_t size) {
    size_ = size;
    std::memset(data_.get() + size_, 0, simdjson::SIMDJSON_PADDING);
  }
  void Reserve(std::size_t size) {
    if (size + simdjson::SIMDJSON_PADDING <= capacity_) return;
    std::size_t capacity = std::max(size + simdjson::SIMDJSON_PADDING, 2 * capacity_);
    std::unique_ptr<char[]> bigger(new char[capacity]);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0, capacity_ = 0;
};

}  // namespace sluice::records
