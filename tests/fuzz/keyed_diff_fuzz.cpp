// sluice-diff on two versions of a data file: diff::DiffFile on the two sides, then every report
// (JSON, Markdown within its budget, text). The input is
//   <format> [<key,fields>] [<trend field>] LF <old bytes> NUL <new bytes>
// with format json, ndjson or csv (anything else: json); no key compares rows as a multiset; no
// NUL makes both sides the same bytes. The JSON report must parse. The first line must be UTF-8:
// key and trend fields come from the manifest, a JSON document read with its encoding checked.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "diff/diff.h"
#include "diff/report.h"
#include "fuzz_input.h"
#include "json/json.h"
#include "records/utf8_check.h"

namespace {

using sluice::pipeline::DataFormat;

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, separator);) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

std::optional<sluice::diff::FileRequest> RequestOf(std::string_view text) {
  sluice::diff::FileRequest request;
  std::size_t header_end = text.find('\n');
  std::string header(text.substr(0, header_end));
  std::string_view body = header_end == std::string_view::npos ? std::string_view() : text.substr(header_end + 1);

  sluice::records::Utf8Check utf8;
  if (!utf8.Feed(header.data(), header.size(), 0) || !utf8.Finish()) return std::nullopt;
  std::vector<std::string> words = Split(header, ' ');
  request.format = !words.empty() && words[0] == "csv"      ? DataFormat::kCsv
                   : !words.empty() && words[0] == "ndjson" ? DataFormat::kNdjson
                                                            : DataFormat::kJson;
  if (words.size() > 1) request.key = Split(words[1], ',');
  if (words.size() > 2) request.trend_field = words[2];
  request.ignored = {"updated_at"};  // as the demo marks its volatile field

  std::size_t separator = body.find('\0');
  std::string old_bytes(body.substr(0, separator));
  std::string new_bytes(separator == std::string_view::npos ? body : body.substr(separator + 1));
  request.name = "fuzz";
  request.display_path = "data/fuzz";
  request.old_side = sluice::diff::DataInput::Bytes(old_bytes, "data/fuzz@HEAD");
  request.new_side = sluice::diff::DataInput::Bytes(new_bytes, "data/fuzz");
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  auto request = RequestOf(text);
  if (!request) return 0;
  auto diff = sluice::diff::DiffFile(*request);
  if (!diff.ok()) return 0;

  sluice::diff::DiffReport report;
  report.pipeline = "fuzz";
  report.files.push_back(std::move(*diff));
  auto machine = sluice::json::Parse(sluice::diff::ReportJson(report), "report");
  if (!machine.ok()) sluice::fuzz::Broken("keyed_diff", "the JSON report does not parse: " + machine.status().message());
  constexpr std::size_t kBudget = 4000;  // small, so the trimming path runs too
  if (sluice::diff::ReportMarkdown(report, kBudget).size() > kBudget) {
    sluice::fuzz::Broken("keyed_diff", "the Markdown report is over its budget");
  }
  sluice::diff::ReportText(report);
  return 0;
}
