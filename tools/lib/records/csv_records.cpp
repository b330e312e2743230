// CSV (RFC 4180) as records: rows are cut from the input buffer one at a time, their cells
// unescaped into one reused string (a CsvRow), and each row becomes an object keyed by the
// header.
#include <cstring>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "records/csv_cells.h"
#include "records/format_readers.h"
#include "records/record_slot.h"

namespace sluice::records {
namespace {

class RowScanner {
 public:
  RowScanner(InputBuffer& input, const std::string& origin, std::size_t bom_bytes,
             std::uint64_t max_row_bytes = kDefaultMaxRecordBytes)
      : input_(input), origin_(origin), bom_bytes_(bom_bytes), max_row_bytes_(max_row_bytes) {}

  // Reads the next row; false at the end of the input.
  Result<bool> Next(CsvRow& row);

 private:
  enum class Scan { kRow, kBlankLine, kNeedMore, kEnd };

  // Cuts one row from [p, end). A row that runs past the window asks for more input, and is
  // then scanned again from its start (rows are short; a long one grows the buffer, so the
  // rescans add up to a constant factor).
  Result<Scan> ScanRow(const char* p, const char* end, bool eof, CsvRow& row, const char** next);
  Result<Scan> ScanQuoted(const char*& p, const char* end, bool eof, CsvRow& row, const char*& line_begin);
  // Fails if an invalid UTF-8 sequence or a NUL byte is in the row, which ends before `next`.
  Status CheckUtf8(const char* next) const;
  // A line break ends a row: LF, CRLF or a lone CR. Sets *next past it.
  static Scan EndOfLine(const char* p, const char* end, bool eof, const char** next);
  std::uint64_t Column(const char* p, const char* line_begin, std::uint64_t line) const {
    return static_cast<std::uint64_t>(p - line_begin) + 1 + (line == 1 ? bom_bytes_ : 0);
  }
  Status Error(std::uint64_t line, std::uint64_t column, const std::string& what) const {
    return InputError(fmt::format("{}:{}:{}: {}", origin_, line, column, what));
  }

  InputBuffer& input_;
  const std::string& origin_;
  std::size_t bom_bytes_;
  std::uint64_t max_row_bytes_;
  std::uint64_t line_ = 1;  // where the next row starts
};

Result<bool> RowScanner::Next(CsvRow& row) {
  for (;;) {
    const char* next = nullptr;
    auto scan = ScanRow(input_.begin(), input_.end(), input_.at_eof(), row, &next);
    if (!scan.ok()) return scan.status();
    switch (*scan) {
      case Scan::kEnd: return false;
      case Scan::kNeedMore: {
        if (static_cast<std::uint64_t>(input_.end() - input_.begin()) > max_row_bytes_) {
          SLUICE_RETURN_IF_ERROR(CheckUtf8(input_.end()));  // binary data says so first
          return Error(line_, 1, RecordTooLarge(max_row_bytes_));
        }
        auto more = input_.ReadMore();
        if (!more.ok()) return more.status();
        break;
      }
      case Scan::kBlankLine:
        input_.Consume(next);
        ++line_;
        break;
      case Scan::kRow:
        SLUICE_RETURN_IF_ERROR(CheckUtf8(next));
        if (row.bytes > max_row_bytes_) return Error(line_, 1, RecordTooLarge(max_row_bytes_));
        row.offset = input_.OffsetOf(input_.begin());
        row.raw = std::string_view(input_.begin(), row.bytes);
        input_.Consume(next);
        row.line = line_;
        line_ += row.line_breaks + 1;
        return true;
    }
  }
}

Status RowScanner::CheckUtf8(const char* next) const {
  std::uint64_t invalid = input_.first_invalid_utf8();
  if (invalid >= input_.OffsetOf(next)) return Status::Ok();
  // Rows before this one were valid, so the sequence starts in this row.
  const char* at = input_.begin() + (invalid - input_.OffsetOf(input_.begin()));
  std::uint64_t line = line_;
  const char* line_begin = input_.begin();
  for (const char* p = line_begin; p < at; ++p) {
    if (*p == '\n') {
      ++line;
      line_begin = p + 1;
    }
  }
  return Error(line, Column(at, line_begin, line), input_.InvalidTextReason());
}

RowScanner::Scan RowScanner::EndOfLine(const char* p, const char* end, bool eof, const char** next) {
  if (*p == '\n') {
    *next = p + 1;
    return Scan::kRow;
  }
  if (p + 1 == end && !eof) return Scan::kNeedMore;  // is the CR followed by LF?
  *next = p + 1 < end && p[1] == '\n' ? p + 2 : p + 1;
  return Scan::kRow;
}

Result<RowScanner::Scan> RowScanner::ScanRow(const char* p, const char* end, bool eof, CsvRow& row,
                                             const char** next) {
  if (p == end) return eof ? Scan::kEnd : Scan::kNeedMore;
  if (*p == '\n' || *p == '\r') {
    Scan blank = EndOfLine(p, end, eof, next);
    return blank == Scan::kRow ? Scan::kBlankLine : blank;
  }
  row.text.clear();
  row.ends.clear();
  row.columns.clear();
  row.line_breaks = 0;
  const char* const start = p;
  const char* line_begin = p;
  for (;;) {
    row.columns.push_back(Column(p, line_begin, line_ + row.line_breaks));
    if (p < end && *p == '"') {
      auto quoted = ScanQuoted(p, end, eof, row, line_begin);
      if (!quoted.ok() || *quoted != Scan::kRow) return quoted;
    } else {
      const char* stop = p;
      while (stop < end && *stop != ',' && *stop != '\n' && *stop != '\r') ++stop;
      row.text.append(p, stop - p);  // (pointer, length): the iterator form is much slower
      p = stop;
    }
    row.ends.push_back(row.text.size());
    if (p == end) {
      if (!eof) return Scan::kNeedMore;
      row.bytes = static_cast<std::uint64_t>(p - start);
      *next = p;  // the last row needs no line break
      return Scan::kRow;
    }
    if (*p != ',') {
      row.bytes = static_cast<std::uint64_t>(p - start);
      return EndOfLine(p, end, eof, next);
    }
    ++p;
  }
}

Result<RowScanner::Scan> RowScanner::ScanQuoted(const char*& p, const char* end, bool eof, CsvRow& row,
                                                const char*& line_begin) {
  std::uint64_t open_line = line_ + row.line_breaks;
  std::uint64_t open_column = Column(p, line_begin, open_line);
  ++p;
  for (;;) {
    const char* quote = static_cast<const char*>(std::memchr(p, '"', end - p));
    if (quote == nullptr) {
      if (!eof) return Scan::kNeedMore;
      return Error(open_line, open_column, "the quoted cell that starts here is never closed");
    }
    for (const char* b = p; (b = static_cast<const char*>(std::memchr(b, '\n', quote - b))) != nullptr;) {
      ++row.line_breaks;
      line_begin = ++b;
    }
    row.text.append(p, quote - p);
    if (quote + 1 == end && !eof) return Scan::kNeedMore;  // "" is an escaped quote
    if (quote + 1 < end && quote[1] == '"') {
      row.text += '"';
      p = quote + 2;
      continue;
    }
    p = quote + 1;
    break;
  }
  if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
    std::uint64_t line = line_ + row.line_breaks;
    return Error(line, Column(p, line_begin, line), "a closing quote must be followed by a comma or a line break");
  }
  return Scan::kRow;
}

Result<std::vector<std::string>> ReadHeader(RowScanner& scanner, CsvRow& row, const std::string& origin) {
  std::vector<std::string> header;
  auto found = scanner.Next(row);
  if (!found.ok()) return found.status();
  if (!*found) return header;  // an empty file: no header, no records
  std::unordered_map<std::string_view, std::size_t> seen;
  for (std::size_t i = 0; i < row.size(); ++i) {
    auto [it, inserted] = seen.emplace(row.cell(i), i);
    if (!inserted) {
      return InputError(fmt::format("{}:{}:{}: column name \"{}\" appears twice in the header (columns {} and {})",
                                    origin, row.line, row.columns[i], row.cell(i), it->second + 1, i + 1));
    }
    header.emplace_back(row.cell(i));
  }
  return header;
}

std::vector<CellType> ColumnTypes(const std::vector<std::string>& header, const CsvTyping& typing) {
  std::vector<CellType> types(header.size(), CellType::kString);
  for (const auto& [name, type] : typing.columns) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) types[i] = type;
    }
  }
  return types;
}

// The rows after the header, each checked against the header's width. `visit(const CsvRow&)`.
template <typename Visitor>
Status ReadRows(InputBuffer& input, const std::string& origin, std::uint64_t max_row_bytes,
                std::vector<std::string>& header, Visitor&& visit) {
  header.clear();
  auto bom = input.SkipByteOrderMark();
  if (!bom.ok()) return bom.status();
  RowScanner scanner(input, origin, *bom, max_row_bytes);
  CsvRow row;
  auto names = ReadHeader(scanner, row, origin);
  if (!names.ok()) return names.status();
  header = std::move(*names);
  for (std::uint64_t index = 0;; ++index) {
    auto found = scanner.Next(row);
    if (!found.ok()) return found.status();
    if (!*found) return Status::Ok();
    if (row.size() != header.size()) {
      return InputError(fmt::format("{}:{}:1: the row has {} fields, the header has {}", origin, row.line,
                                    row.size(), header.size()));
    }
    row.index = index;
    SLUICE_RETURN_IF_ERROR(visit(static_cast<const CsvRow&>(row)));
  }
}

}  // namespace

Status ReadCsvRecords(InputBuffer& input, const std::string& origin, const CsvTyping& typing,
                      std::uint64_t max_record_bytes, const RecordVisitor& visit, std::vector<std::string>* header_out) {
  // The header is in *header_out while the rows are visited, as callers may look at it.
  std::vector<std::string> local;
  std::vector<std::string>& header = header_out != nullptr ? *header_out : local;
  std::vector<CellType> types;
  bool typed = false;
  RecordSlot slot;
  return ReadRows(input, origin, max_record_bytes, header, [&](const CsvRow& row) {
    if (!typed) types = ColumnTypes(header, typing), typed = true;
    Record& record = slot.Start(row.line, 1);
    auto& allocator = record.value.GetAllocator();
    record.value.SetObject();
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string& name = header[i];
      rapidjson::Value key(name.data(), static_cast<rapidjson::SizeType>(name.size()), allocator);
      rapidjson::Value value = CellValue(row.cell(i), types[i], allocator);
      record.value.AddMember(key, value, allocator);
    }
    return slot.Deliver(visit);
  });
}

Status ReadCsvRows(const std::filesystem::path& path, const ReadOptions& options, const CsvRowVisitor& visit,
                   std::vector<std::string>& header) {
  auto input = InputBuffer::OpenFile(path, options.buffer_bytes);
  if (!input.ok()) return input.status();
  return ReadRows(*input, path.string(), options.max_record_bytes, header, visit);
}

Status ReadCsvRowsFromString(std::string_view bytes, const std::string& origin, const ReadOptions& options,
                             const CsvRowVisitor& visit, std::vector<std::string>& header) {
  InputBuffer input = InputBuffer::FromMemory(bytes, options.buffer_bytes);
  return ReadRows(input, origin, options.max_record_bytes, header, visit);
}

Status ScanCsvRow(std::string_view raw, CsvRow& row) {
  InputBuffer input = InputBuffer::FromMemory(raw, raw.size() + 1);
  static const std::string kOrigin = "(a CSV row)";
  RowScanner scanner(input, kOrigin, 0, ~std::uint64_t{0});  // a row that was read before
  auto found = scanner.Next(row);
  if (!found.ok()) return found.status();
  if (!*found) return InternalError("a CSV row read again was empty");
  return Status::Ok();
}

void CsvRecordOf(const std::vector<std::string>& header, const CsvRow& row, rapidjson::Document& out) {
  auto& allocator = out.GetAllocator();
  out.SetObject();
  for (std::size_t i = 0; i < row.size() && i < header.size(); ++i) {
    rapidjson::Value key(header[i].data(), static_cast<rapidjson::SizeType>(header[i].size()), allocator);
    rapidjson::Value value = CellValue(row.cell(i), CellType::kString, allocator);
    out.AddMember(key, value, allocator);
  }
}

}  // namespace sluice::records
