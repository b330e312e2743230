#include "records/input_buffer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace sluice::records {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::size_t kMinimumChunk = 4;  // room for a BOM, whatever a test asks for

}  // namespace

InputBuffer::InputBuffer(std::size_t chunk_bytes, std::string origin)
    : origin_(std::move(origin)),
      storage_(new char[std::max(chunk_bytes, kMinimumChunk) + 1]),
      capacity_(std::max(chunk_bytes, kMinimumChunk)),
      begin_(storage_.get()),
      end_(storage_.get()) {
  *end_ = '\0';
}

Result<InputBuffer> InputBuffer::OpenFile(const std::filesystem::path& path, std::size_t chunk_bytes) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return InputError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  }
  InputBuffer input(chunk_bytes, path.string());
  input.file_.reset(file);
  // Our buffer is the only one needed; stdio's would copy every byte twice.
  std::setvbuf(file, nullptr, _IONBF, 0);
  return input;
}

InputBuffer InputBuffer::FromMemory(std::string_view bytes, std::size_t chunk_bytes) {
  InputBuffer input(chunk_bytes, "");
  input.memory_ = bytes;
  return input;
}

Result<std::size_t> InputBuffer::ReadInto(char* to, std::size_t capacity) {
  if (!file_) {
    std::size_t n = std::min(capacity, memory_.size());
    std::memcpy(to, memory_.data(), n);
    memory_.remove_prefix(n);
    return n;
  }
  std::size_t n = std::fread(to, 1, capacity, file_.get());
  if (n == 0 && std::ferror(file_.get())) {
    return InputError(fmt::format("{}: cannot read: {}", origin_, std::strerror(errno)));
  }
  return n;
}

Result<bool> InputBuffer::ReadMore() {
  if (eof_) return false;
  std::size_t unread = end_ - begin_;
  if (unread == capacity_) {
    // One line or row fills the buffer: grow it (the only way memory grows).
    std::size_t bigger = capacity_ * 2;
    std::unique_ptr<char[]> grown(new char[bigger + 1]);
    std::memcpy(grown.get(), begin_, unread);
    storage_offset_ = OffsetOf(begin_);
    storage_ = std::move(grown);
    capacity_ = bigger;
  } else if (begin_ != storage_.get()) {
    std::memmove(storage_.get(), begin_, unread);
    storage_offset_ = OffsetOf(begin_);
  }
  begin_ = storage_.get();
  end_ = begin_ + unread;
  auto added = ReadInto(end_, capacity_ - unread);
  if (!added.ok()) return added.status();
  if (first_invalid_utf8_ == kAllValid) {
    bool valid = *added > 0 ? utf8_.Feed(end_, *added, OffsetOf(end_)) : utf8_.Finish();
    if (!valid) first_invalid_utf8_ = utf8_.invalid_offset();
  }
  end_ += *added;
  *end_ = '\0';
  if (*added == 0) eof_ = true;
  return *added > 0;
}

const char* InputBuffer::InvalidTextReason() const {
  return utf8_.invalid_is_nul() ? "NUL byte (binary data?)" : "invalid UTF-8 (is the file in another encoding?)";
}

Result<std::size_t> InputBuffer::SkipByteOrderMark() {
  while (static_cast<std::size_t>(end_ - begin_) < kUtf8Bom.size() && !eof_) {
    auto more = ReadMore();
    if (!more.ok()) return more.status();
  }
  if (std::string_view(begin_, end_ - begin_).substr(0, kUtf8Bom.size()) != kUtf8Bom) return std::size_t{0};
  begin_ += kUtf8Bom.size();
  return kUtf8Bom.size();
}

}  // namespace sluice::records
