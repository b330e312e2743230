#include "fetch/content_check.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <memory>

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/filereadstream.h>
#include <rapidjson/reader.h>

#include "core/secrets.h"
#include "json/json.h"

namespace sluice::fetch {
namespace {

using pipeline::DataFormat;

constexpr size_t kHeadBytes = 4096;

std::string ReadHead(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(kHeadBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}

std::string_view SkipBomAndSpace(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  return text;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

Status Mismatch(DataFormat format, std::string_view what, std::string_view head) {
  return ExternalError(fmt::format("expected {} data but the upstream sent {}; first bytes: \"{}\"",
                                   pipeline::DataFormatName(format), what, Mask(PrintableExcerpt(head))));
}

// Content types that can never carry the declared format. Absent or generic types
// (text/plain, application/octet-stream) are judged by the bytes alone.
Status CheckContentType(DataFormat format, std::string_view content_type, std::string_view head) {
  std::string type = Lower(content_type.substr(0, content_type.find(';')));
  if (type == "text/html" || type == "application/xhtml+xml") {
    return Mismatch(format, fmt::format("an HTML page (Content-Type: {})", type), head);
  }
  if (type == "text/xml" || type == "application/xml") {
    return Mismatch(format, fmt::format("XML (Content-Type: {})", type), head);
  }
  if (format == DataFormat::kCsv && (type == "application/json" || type == "application/problem+json")) {
    return Mismatch(format, fmt::format("JSON (Content-Type: {}), often an error object", type), head);
  }
  return Status::Ok();
}

// Parses the whole file with a SAX reader that keeps nothing, so a 1 GiB file costs a buffer.
Status CheckJsonFile(const std::filesystem::path& path, std::string_view head) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return InputError(fmt::format("cannot read {}", path.string()));
  std::array<char, 1 << 16> buffer{};
  rapidjson::FileReadStream stream(file.get(), buffer.data(), buffer.size());
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> ignore;
  rapidjson::ParseResult parsed = reader.Parse<rapidjson::kParseIterativeFlag>(stream, ignore);
  if (parsed) return Status::Ok();
  // Line and column: count newlines up to the offset in a second, streaming pass.
  std::ifstream in(path, std::ios::binary);
  json::TextPosition position;
  for (size_t i = 0; i < parsed.Offset() && in; ++i) {
    int c = in.get();
    if (c == '\n') {
      ++position.line;
      position.column = 1;
    } else if (c != EOF) {
      ++position.column;
    }
  }
  return ExternalError(fmt::format("malformed JSON at line {}, column {}: {} (a truncated or damaged body?); "
                                   "first bytes: \"{}\"",
                                   position.line, position.column, rapidjson::GetParseError_En(parsed.Code()),
                                   Mask(PrintableExcerpt(head))));
}

Status CheckNdjsonFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  size_t number = 0;
  size_t records = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (SkipBomAndSpace(line).empty()) continue;
    rapidjson::Reader reader;
    rapidjson::BaseReaderHandler<> ignore;
    rapidjson::StringStream stream(line.c_str());
    rapidjson::ParseResult parsed = reader.Parse<rapidjson::kParseIterativeFlag>(stream, ignore);
    if (!parsed) {
      return ExternalError(fmt::format("malformed NDJSON at line {}, column {}: {}; the line starts \"{}\"", number,
                                       parsed.Offset() + 1, rapidjson::GetParseError_En(parsed.Code()),
                                       Mask(PrintableExcerpt(line))));
    }
    ++records;
  }
  if (records == 0) return ExternalError("the NDJSON body holds no records");
  return Status::Ok();
}

Status CheckCsvHead(std::string_view head) {
  if (head.find('\0') != std::string_view::npos) {
    return ExternalError(fmt::format("expected csv text but the body contains NUL bytes (binary data?); "
                                     "first bytes: \"{}\"",
                                     Mask(PrintableExcerpt(head))));
  }
  std::string_view text = head.substr(0, 3) == "\xEF\xBB\xBF" ? head.substr(3) : head;
  std::string_view header = text.substr(0, text.find('\n'));
  if (SkipBomAndSpace(header).empty()) return ExternalError("the CSV body has an empty header line");
  return Status::Ok();
}

}  // namespace

std::string PrintableExcerpt(std::string_view bytes, size_t limit) {
  std::string out;
  for (unsigned char c : bytes.substr(0, limit)) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else if (c == '"') out += "\\\"";
    else out += static_cast<char>(c);
  }
  if (bytes.size() > limit) out += "…";
  return out;
}

Status CheckContent(const std::filesystem::path& path, DataFormat format, std::string_view content_type) {
  std::string head = ReadHead(path);
  std::string_view start = SkipBomAndSpace(head);
  if (start.empty()) return ExternalError("the body is empty");
  SLUICE_RETURN_IF_ERROR(CheckContentType(format, content_type, head));
  if (start.front() == '<') return Mismatch(format, "what looks like an HTML or XML page", head);
  switch (format) {
    case DataFormat::kJson: return CheckJsonFile(path, head);
    case DataFormat::kNdjson: return CheckNdjsonFile(path);
    case DataFormat::kCsv: return CheckCsvHead(head);
  }
  return Status::Ok();
}

}  // namespace sluice::fetch
