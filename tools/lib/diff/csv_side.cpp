#include "diff/csv_side.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "json/json.h"

namespace sluice::diff {
namespace {

// How RowHasher::AppendSized writes a length.
void AppendSize(std::string& out, std::size_t size) {
  auto size32 = static_cast<std::uint32_t>(size);
  out.append(reinterpret_cast<const char*>(&size32), sizeof size32);
}

constexpr std::size_t kFirstWindow = 4096;

// Whether a cell is written quoted in the canonical form: it holds a comma, a quote or a line break.
bool NeedsQuotes(std::string_view cell) {
  for (char c : cell) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
  }
  return false;
}

}  // namespace

Status ReadCsvSide(const DataInput& side, std::vector<std::string>& header, const records::CsvRowVisitor& visit) {
  records::ReadOptions options;  // cells stay text: the diff shows what the file says
  options.buffer_bytes = 256 * 1024;
  options.max_record_bytes = side.max_record_bytes;
  if (side.path) return records::ReadCsvRows(*side.path, options, visit, header);
  if (side.bytes) return records::ReadCsvRowsFromString(*side.bytes, side.origin, options, visit, header);
  header.clear();
  return Status::Ok();  // a side that does not exist has no rows
}

CsvRowReading::CsvRowReading(const std::vector<std::string>& header, const RowHasher& hasher)
    : header_(header), hasher_(hasher) {
  std::string names;
  for (const auto& name : header_) {
    bool ignored = hasher_.IsIgnored(name);
    ignored_.push_back(ignored);
    any_ignored_ = any_ignored_ || ignored;
    if (ignored) continue;
    AppendSize(names, name.size());
    names += name;
  }
  columns_tweak_ = hasher_.HashBytes(names);
}

std::uint64_t CsvRowReading::Hash(const records::CsvRow& row) {
  if (!any_ignored_ && row.raw.find('"') == std::string_view::npos) return hasher_.HashBytes(row.raw, columns_tweak_);
  scratch_.clear();
  bool first = true;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (ignored_[i]) continue;
    if (!first) scratch_ += ',';
    first = false;
    std::string_view cell = row.cell(i);
    if (!NeedsQuotes(cell)) {
      scratch_ += cell;
      continue;
    }
    // Quoted, each quote doubled: copied a run between quotes at a time, not a byte at a time.
    scratch_ += '"';
    for (std::size_t at = 0;;) {
      std::size_t quote = cell.find('"', at);
      if (quote == std::string_view::npos) {
        scratch_ += cell.substr(at);
        break;
      }
      scratch_ += cell.substr(at, quote + 1 - at);
      scratch_ += '"';
      at = quote + 1;
    }
    scratch_ += '"';
  }
  return hasher_.HashBytes(scratch_, columns_tweak_);
}

Status CsvRowReading::FindKey(const std::vector<std::string>& key, const std::string& origin, std::uint64_t line) {
  key_columns_.clear();
  for (const auto& field : key) {
    int column = ColumnOf(field);
    if (column < 0) return MissingKeyField(key, field, origin, line);
    key_columns_.push_back(static_cast<std::size_t>(column));
  }
  return Status::Ok();
}

void CsvRowReading::KeyText(const records::CsvRow& row, std::string& out) const {
  out.clear();
  for (std::size_t k = 0; k < key_columns_.size(); ++k) {
    if (k > 0) out += '\x1f';
    out += row.cell(key_columns_[k]);
  }
}

int CsvRowReading::ColumnOf(const std::string& name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

CsvRowFetcher::~CsvRowFetcher() {
  if (fd_ >= 0) ::close(fd_);
}

// A window from `offset` holds the row when the row ends before the window does; otherwise the
// window doubles (a row cut at the window's end could look complete, or unclosed).
Status CsvRowFetcher::Fetch(std::uint64_t offset) {
  std::string_view input;
  if (side_.bytes) {
    if (offset > side_.bytes->size()) return InternalError(fmt::format("{}: no row at byte {}", side_.origin, offset));
    input = std::string_view(*side_.bytes).substr(offset);
  } else if (side_.path && fd_ < 0) {
    fd_ = ::open(side_.path->c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return InputError(fmt::format("{}: cannot open: {}", side_.origin, std::strerror(errno)));
  }
  for (std::size_t window = kFirstWindow;; window *= 2) {
    std::string_view view;
    bool whole = false;  // the view runs to the end of the input
    if (side_.bytes) {
      view = input.substr(0, window);
      whole = view.size() == input.size();
    } else {
      window_.resize(window);
      ssize_t n = ::pread(fd_, window_.data(), window, static_cast<off_t>(offset));
      if (n < 0) return InputError(fmt::format("{}: cannot read: {}", side_.origin, std::strerror(errno)));
      view = std::string_view(window_.data(), static_cast<std::size_t>(n));
      whole = static_cast<std::size_t>(n) < window;
    }
    Status scanned = records::ScanCsvRow(view, row_);
    if (scanned.ok() && (whole || row_.bytes < view.size())) return Status::Ok();
    if (whole) return scanned.ok() ? InternalError("a CSV row read again did not end") : scanned;
  }
}

Status CsvRowFetcher::Record(std::uint64_t offset, const std::vector<std::string>& header, rapidjson::Document& out) {
  SLUICE_RETURN_IF_ERROR(Fetch(offset));
  records::CsvRecordOf(header, row_, out);
  return Status::Ok();
}

Result<std::string> CsvRowFetcher::RowJson(std::uint64_t offset, const std::vector<std::string>& header) {
  rapidjson::Document record;
  SLUICE_RETURN_IF_ERROR(Record(offset, header, record));
  return json::Write(record);
}

}  // namespace sluice::diff
