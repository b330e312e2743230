// The diff engine: every change class, on files written for each test.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "diff/cells.h"
#include "diff/csv_side.h"
#include "diff/diff.h"
#include "diff/key_index.h"
#include "diff/passes.h"
#include "diff/report.h"
#include "diff/trend.h"
#include "json/json.h"
#include "records/reader.h"
#include "support/temp_dir.h"

using namespace sluice;
using namespace sluice::diff;

namespace {

struct Files {
  TempDir dir;
  Result<FileDiff> Diff(const std::string& old_text, const std::string& new_text, const std::string& ext,
                        std::vector<std::string> key = {}, std::vector<std::string> ignored = {}) {
    FileRequest request;
    request.old_side = DataInput::File(dir.Write("old." + ext, old_text));
    request.new_side = DataInput::File(dir.Write("new." + ext, new_text));
    request.display_path = "new." + ext;
    request.format = pipeline::FormatFromExtension("x." + ext);
    request.key = std::move(key);
    request.ignored = std::move(ignored);
    return DiffFile(request);
  }
};

const std::string kOld = "date,county,cases\n2026-11-01,Alameda,100\n2026-11-01,Butte,50\n2026-11-02,Alameda,110\n";

}  // namespace

TEST_CASE("identical files have no change", "[diff]") {
  Files f;
  auto d = f.Diff(kOld, kOld, "csv", {"date", "county"});
  REQUIRE(d.ok());
  CHECK_FALSE(d->has_changes());
  CHECK_FALSE(d->order_changed);
  CHECK(d->rows_before == 3);
  CHECK(d->unchanged == 3);
}

TEST_CASE("a changed numeric cell carries its absolute and percent delta", "[diff]") {
  Files f;
  auto d = f.Diff(kOld, "date,county,cases\n2026-11-01,Alameda,150\n2026-11-01,Butte,50\n2026-11-02,Alameda,110\n", "csv",
                  {"date", "county"});
  REQUIRE(d.ok());
  REQUIRE(d->changed.size() == 1);
  const auto& row = d->changed[0];
  CHECK(row.key_json == R"({"date":"2026-11-01","county":"Alameda"})");
  CHECK(row.old_line == 2);
  REQUIRE(row.cells.size() == 1);
  CHECK(row.cells[0].field == "cases");
  CHECK(row.cells[0].old_json == "\"100\"");
  CHECK(row.cells[0].new_json == "\"150\"");
  CHECK(*row.cells[0].delta == Approx(50));
  CHECK(*row.cells[0].percent == Approx(50));
}

TEST_CASE("rows added and removed are listed with their lines", "[diff]") {
  Files f;
  auto d = f.Diff(kOld, "date,county,cases\n2026-11-01,Alameda,100\n2026-11-02,Alameda,110\n2026-11-03,Alameda,120\n", "csv",
                  {"date", "county"});
  REQUIRE(d.ok());
  REQUIRE(d->added.size() == 1);
  CHECK(d->added[0].line == 4);
  CHECK(d->added[0].row_json.find("2026-11-03") != std::string::npos);
  REQUIRE(d->removed.size() == 1);
  CHECK(d->removed[0].line == 3);
  CHECK(d->changed.empty());
  CHECK(d->has_changes());
}

TEST_CASE("a column added or removed is schema drift, not a change of every row", "[diff]") {
  Files f;
  auto d = f.Diff(kOld, "date,county,deaths\n2026-11-01,Alameda,1\n2026-11-01,Butte,2\n2026-11-02,Alameda,3\n", "csv",
                  {"date", "county"});
  REQUIRE(d.ok());
  CHECK(d->columns_added == std::vector<std::string>{"deaths"});
  CHECK(d->columns_removed == std::vector<std::string>{"cases"});
  CHECK(d->changed.empty());
  CHECK(d->unchanged == 3);
  CHECK(d->has_changes());
}

TEST_CASE("the same rows in another order are an order-only change", "[diff]") {
  Files f;
  std::string reordered = "date,county,cases\n2026-11-02,Alameda,110\n2026-11-01,Alameda,100\n2026-11-01,Butte,50\n";
  SECTION("with a key") {
    auto d = f.Diff(kOld, reordered, "csv", {"date", "county"});
    REQUIRE(d.ok());
    CHECK(d->order_only());
    CHECK_FALSE(d->has_changes());
  }
  SECTION("without a key") {
    auto d = f.Diff(kOld, reordered, "csv");
    REQUIRE(d.ok());
    CHECK(d->order_only());
    CHECK(d->added.empty());
  }
}

TEST_CASE("without a key rows compare as a multiset", "[diff]") {
  Files f;
  auto d = f.Diff("a,b\n1,2\n1,2\n3,4\n", "a,b\n1,2\n3,4\n5,6\n", "csv");
  REQUIRE(d.ok());
  REQUIRE(d->removed.size() == 1);  // one of the two 1,2 rows
  CHECK(d->removed[0].row_json == R"({"a":"1","b":"2"})");
  REQUIRE(d->added.size() == 1);
  CHECK(d->added[0].line == 4);
  CHECK(d->unchanged == 2);
  CHECK_FALSE(d->order_changed);
}

TEST_CASE("duplicate keys on either side are reported as collisions", "[diff]") {
  Files f;
  auto d = f.Diff(kOld + "2026-11-01,Butte,51\n", kOld + "2026-11-02,Alameda,111\n", "csv", {"date", "county"});
  REQUIRE(d.ok());
  CHECK(d->collision_count == 2);
  REQUIRE(d->collisions.size() == 2);
  CHECK(d->collisions[0].side == "old");
  CHECK(d->collisions[0].first_line == 3);
  CHECK(d->collisions[0].line == 5);
  CHECK(d->collisions[1].side == "new");
  CHECK(d->collisions[1].key_json == R"({"date":"2026-11-02","county":"Alameda"})");
  CHECK(d->collisions[1].first_line == 4);
}

TEST_CASE("a record without a key field is an input error naming file and line", "[diff]") {
  Files f;
  auto d = f.Diff("{\"id\":1,\"v\":2}\n", "{\"id\":1,\"v\":2}\n{\"v\":3}\n", "ndjson", {"id"});
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().exit_code() == 2);
  CHECK_THAT(d.status().message(), Catch::Contains("new.ndjson:2") && Catch::Contains("\"id\""));
}

TEST_CASE("a change in volatile fields only is no change", "[diff]") {
  Files f;
  std::string before = R"([{"id":1,"cases":5,"updated_at":"2026-11-01T00:00:00Z"},{"id":2,"cases":6,"updated_at":"2026-11-01T00:00:00Z"}])";
  std::string after = R"([{"id":1,"cases":5,"updated_at":"2026-11-02T00:00:00Z"},{"id":2,"cases":6,"updated_at":"2026-11-02T00:00:00Z"}])";
  SECTION("keyed") {
    auto d = f.Diff(before, after, "json", {"id"}, {"updated_at"});
    REQUIRE(d.ok());
    CHECK_FALSE(d->has_changes());
  }
  SECTION("unkeyed") {
    auto d = f.Diff(before, after, "json", {}, {"updated_at"});
    REQUIRE(d.ok());
    CHECK_FALSE(d->has_changes());
  }
  SECTION("and counts when not ignored") {
    auto d = f.Diff(before, after, "json", {"id"});
    REQUIRE(d.ok());
    CHECK(d->changed.size() == 2);
  }
}

TEST_CASE("numbers compare by value and fields in another order are the same row", "[diff]") {
  Files f;
  auto d = f.Diff("{\"id\":1,\"v\":2}\n", "{\"v\":2.0,\"id\":1}\n", "ndjson", {"id"});
  REQUIRE(d.ok());
  CHECK_FALSE(d->has_changes());
  CHECK(d->unchanged == 1);
}

TEST_CASE("CSV quoting, embedded newlines and Unicode survive the diff", "[diff]") {
  Files f;
  std::string before = "id,note\n1,\"a, \"\"quoted\"\"\nline\"\n2,Zürich 東京\n";
  std::string after = "id,note\n1,\"a, \"\"quoted\"\"\nline two\"\n2,Zürich 東京 🚀\n";
  auto d = f.Diff(before, after, "csv", {"id"});
  REQUIRE(d.ok());
  REQUIRE(d->changed.size() == 2);
  CHECK(d->changed[0].cells[0].old_json == R"("a, \"quoted\"\nline")");
  CHECK(d->changed[0].cells[0].new_json == R"("a, \"quoted\"\nline two")");
  CHECK(d->changed[1].old_line == 4);
  CHECK(d->changed[1].cells[0].new_json == "\"Zürich 東京 🚀\"");
  std::string md = ReportMarkdown(DiffReport{"", "", {*d}});
  CHECK_THAT(md, Catch::Contains("Zürich 東京 🚀"));
}

TEST_CASE("a huge cell (1 MiB) is compared, and cut short in Markdown", "[diff]") {
  Files f;
  std::string big(1 << 20, 'x');
  auto d = f.Diff("id,blob\n1," + big + "\n", "id,blob\n1," + big + "y\n", "csv", {"id"});
  REQUIRE(d.ok());
  REQUIRE(d->changed.size() == 1);
  CHECK(d->changed[0].cells[0].new_json.size() == big.size() + 3);
  std::string md = ReportMarkdown(DiffReport{"", "", {*d}});
  CHECK(md.size() < 4000);
  CHECK_THAT(md, Catch::Contains("…"));
}

TEST_CASE("a JSON document is compared by pointer", "[diff]") {
  Files f;
  auto d = f.Diff(R"({"total": 10, "meta": {"source": "a", "gone": 1}, "list": [1, 2], "generated": "t1"})",
                  R"({"total": 12, "meta": {"source": "a", "new": true}, "list": [1, 2, 3], "generated": "t2"})", "json",
                  {}, {"generated"});
  REQUIRE(d.ok());
  CHECK(d->kind == FileKind::kDocument);
  REQUIRE(d->pointers.size() == 4);
  CHECK(d->pointers[0].pointer == "/total");
  CHECK(d->pointers[0].change == "changed");
  CHECK(*d->pointers[0].percent == Approx(20));
  CHECK(d->pointers[1].pointer == "/meta/gone");
  CHECK(d->pointers[1].change == "removed");
  CHECK(d->pointers[2].pointer == "/meta/new");
  CHECK(d->pointers[2].change == "added");
  CHECK(d->pointers[3].pointer == "/list/2");
}

TEST_CASE("largest percent changes come first, a change from zero ranks highest", "[diff]") {
  Files f;
  auto d = f.Diff("id,v\n1,100\n2,100\n3,0\n4,abc\n", "id,v\n1,101\n2,300\n3,5\n4,abd\n", "csv", {"id"});
  REQUIRE(d.ok());
  REQUIRE(d->changed.size() == 4);
  CHECK(d->changed[0].key_json == R"({"id":"3"})");
  CHECK(d->changed[1].key_json == R"({"id":"2"})");
  CHECK(d->changed[2].key_json == R"({"id":"1"})");
  CHECK(d->changed[3].key_json == R"({"id":"4"})");
}

TEST_CASE("a file new at the revision shows every row as added", "[diff]") {
  TempDir dir;
  FileRequest request;
  request.old_side = DataInput::Missing("data.csv@HEAD");
  request.new_side = DataInput::File(dir.Write("data.csv", kOld));
  request.format = pipeline::DataFormat::kCsv;
  request.key = {"date", "county"};
  auto d = DiffFile(request);
  REQUIRE(d.ok());
  CHECK_FALSE(d->old_exists);
  CHECK(d->added.size() == 3);
  CHECK(d->has_changes());
}

TEST_CASE("Markdown of 100k changed rows stays under GitHub's body limit and says it was cut", "[diff][markdown]") {
  Files f;
  std::string before = "id,v,w\n", after = "id,v,w\n";
  for (int i = 0; i < 100000; ++i) {
    before += std::to_string(i) + "," + std::to_string(i) + ",a\n";
    after += std::to_string(i) + "," + std::to_string(i + 1) + ",b\n";
  }
  for (int i = 0; i < 200; ++i) after += "x" + std::to_string(i) + ",1,c\n";
  auto d = f.Diff(before, after, "csv", {"id"});
  REQUIRE(d.ok());
  CHECK(d->changed.size() == 100000);
  DiffReport report{"cases", "HEAD", {}};
  for (int i = 0; i < 30; ++i) report.files.push_back(*d);  // many files: the global budget must hold too
  std::string md = ReportMarkdown(report);
  CHECK(md.size() < 65536);
  CHECK_THAT(md, Catch::Contains("Truncated") && Catch::Contains("JSON report"));
  CHECK_THAT(md, Catch::Contains("100,000"));
}

TEST_CASE("Markdown cannot mention people or inject HTML from data", "[diff][markdown]") {
  Files f;
  auto d = f.Diff("id,v\n1,a\n", "id,v\n1,@octocat <img src=x> | *b*\n", "csv", {"id"});
  REQUIRE(d.ok());
  std::string md = ReportMarkdown(DiffReport{"", "", {*d}});
  CHECK_THAT(md, !Catch::Contains("@octocat") && !Catch::Contains("<img") && Catch::Contains("\\|"));
}

TEST_CASE("the key index finds every key after growing", "[diff]") {
  KeyIndex index;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    std::string key = "k" + std::to_string(i);
    index.Insert(key, i * 2654435761u).row_index = i;
  }
  for (std::uint32_t i = 0; i < 5000; ++i) {
    KeyEntry* entry = index.Find("k" + std::to_string(i), i * 2654435761u);
    REQUIRE(entry != nullptr);
    CHECK(entry->row_index == i);
  }
  CHECK(index.Find("missing", 12345) == nullptr);
}

TEST_CASE("the trend renders as a Mermaid xychart", "[diff]") {
  Trend trend{"cases", {{"2026-11-01", "a", 10}, {"2026-11-02", "b", 12.5}, {"new", "", 30}}};
  std::string chart = TrendMermaid(trend);
  CHECK_THAT(chart, Catch::Contains("```mermaid\nxychart-beta"));
  CHECK_THAT(chart, Catch::Contains(R"(x-axis ["2026-11-01", "2026-11-02", "new"])"));
  CHECK_THAT(chart, Catch::Contains("line [10, 12.5, 30]"));
}

TEST_CASE("the same number written differently says so instead of +0.0%", "[diff]") {
  Files f;
  auto d = f.Diff("id,fips,rate,big\n1,06029,1.0,100000000000000000000\n",
                  "id,fips,rate,big\n1,6029,1,100000000000000000001\n", "csv", {"id"});
  REQUIRE(d.ok());
  REQUIRE(d->changed.size() == 1);
  const auto& cells = d->changed[0].cells;
  REQUIRE(cells.size() == 3);
  CHECK(cells[0].same_value);  // "06029" -> "6029"
  CHECK(cells[1].same_value);  // "1.0" -> "1"
  CHECK(*cells[1].delta == 0);
  CHECK_FALSE(cells[2].same_value);  // equal as doubles, not as numbers
  DiffReport report{"", "", {*d}};
  std::string md = ReportMarkdown(report);
  CHECK_THAT(md, Catch::Contains("| same value, text changed |"));
  CHECK_THAT(ReportText(report), Catch::Contains("(same value, text changed)"));
  CHECK_THAT(ReportJson(report), Catch::Contains(R"("field":"fips","old":"06029","new":"6029","delta":0.0,"percent":0.0,"same_value":true)"));
  auto doc = f.Diff(R"({"n": "5", "m": "0.50"})", R"({"n": 5, "m": "0.5"})", "json");
  REQUIRE(doc.ok());
  REQUIRE(doc->pointers.size() == 2);
  CHECK(doc->pointers[0].same_value);
  std::string doc_md = ReportMarkdown(DiffReport{"", "", {*doc}});
  CHECK_THAT(doc_md, Catch::Contains("same value, type changed") && Catch::Contains("same value, text changed"));
  CHECK_THAT(doc_md, !Catch::Contains("+0.0%"));
}

// CSV rows are compared without a JSON value per row (csv_side.h). These tests hold that path to
// the record reader and the record passes on files made to be awkward.
namespace {

struct CsvPair {
  std::string old_text, new_text;
};

std::string CsvCell(const std::string& cell, bool quote_anyway) {
  bool special = cell.find_first_of(",\"\r\n") != std::string::npos;
  if (!special && !quote_anyway) return cell;
  std::string out = "\"";
  for (char c : cell) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string CsvText(const std::vector<std::vector<std::string>>& rows, std::mt19937& random) {
  std::string eol = random() % 3 == 0 ? "\r\n" : random() % 5 == 0 ? "\r" : "\n";
  std::string text = random() % 4 == 0 ? "\xEF\xBB\xBF" : "";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (r > 0 && random() % 15 == 0) text += eol;  // an empty line, skipped
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      if (c > 0) text += ',';
      text += CsvCell(rows[r][c], random() % 6 == 0);
    }
    if (r + 1 < rows.size() || random() % 3 != 0) text += eol;
  }
  return text;
}

// An old table and a new one with cells changed, rows added, removed, repeated and moved,
// quoting changed, and sometimes its columns in another order.
CsvPair RandomCsvPair(std::mt19937& random) {
  const std::vector<std::string> values = {"a", "b", "1", "01", "1.0", "x,y", "say \"hi\"", "two\nlines", "cr\rlf",
                                           "Zürich 東京", "", " ", "\"", "a\"b"};
  auto value = [&] { return values[random() % values.size()]; };
  std::vector<std::string> header = {"id", "v", "w", "note"};
  std::vector<std::vector<std::string>> old_rows = {header}, new_rows;
  int rows = static_cast<int>(random() % 40);
  for (int i = 0; i < rows; ++i) {
    std::string id = random() % 10 == 0 ? std::to_string(random() % 5) : std::to_string(i);  // some repeat
    old_rows.push_back({id, value(), value(), value()});
  }
  new_rows.push_back(header);
  for (std::size_t i = 1; i < old_rows.size(); ++i) {
    auto row = old_rows[i];
    switch (random() % 8) {
      case 0: continue;                                   // removed
      case 1: row[1 + random() % 3] = value(); break;     // a cell changed
      case 2: new_rows.push_back({std::to_string(100 + i), value(), value(), value()}); break;  // added
      case 3: if (new_rows.size() > 1) std::swap(row, new_rows.back()); break;  // moved
      default: break;
    }
    new_rows.push_back(row);
  }
  if (random() % 4 == 0) {  // columns in another order
    for (auto& row : new_rows) std::swap(row[1], row[3]);
  }
  return {CsvText(old_rows, random), CsvText(new_rows, random)};
}

// Every field a report shows, and what the passes learnt.
std::string Outcome(const Status& status, const FileDiff& d, const PassFacts& facts) {
  if (!status.ok()) return "error: " + status.message();
  return ReportJson(DiffReport{"", "", {d}}) + fmt::format(" old:{} new:{} total:{}", fmt::join(facts.old_fields.names(), ","),
                                                             fmt::join(facts.new_fields.names(), ","), facts.new_total);
}

}  // namespace

TEST_CASE("CSV rows cut for the diff are the records the reader makes, with their place in the file", "[diff][csv]") {
  std::mt19937 random(7);
  TempDir dir;
  for (int round = 0; round < 300; ++round) {
    std::string text = RandomCsvPair(random).new_text;
    auto path = dir.Write("t.csv", text);
    records::ReadOptions options;
    options.buffer_bytes = 1 + random() % 64;  // rows cross the buffer's edge
    std::vector<std::string> records_read, rows_read, header;
    REQUIRE(records::ReadRecords(path, pipeline::DataFormat::kCsv, options, [&](records::Record& r) {
      records_read.push_back(fmt::format("{}@{}#{}", json::Write(r.value), r.line, r.index));
      return Status::Ok();
    }).ok());
    REQUIRE(records::ReadCsvRows(path, options, [&](const records::CsvRow& row) {
      rapidjson::Document record;
      records::CsvRecordOf(header, row, record);
      rows_read.push_back(fmt::format("{}@{}#{}", json::Write(record), row.line, row.index));
      CHECK(row.raw == std::string_view(text).substr(row.offset, row.bytes));
      records::CsvRow again;
      REQUIRE(records::ScanCsvRow(row.raw, again).ok());
      CHECK(again.text == row.text);
      CHECK(again.ends == row.ends);
      return Status::Ok();
    }, header).ok());
    CHECK(rows_read == records_read);
  }
}

TEST_CASE("CSV rows and records fail alike on malformed CSV", "[diff][csv]") {
  TempDir dir;
  for (std::string text : {"a,b\n1,2,3\n", "a,b\n1,\"2\n", "a,b\n1,\"2\"x\n", "a,a\n1,2\n", "a,b\n1,\xff\n",
                           "\xEF\xBB\xBF" "a,b\r\n1,\"x\"\"\r\ny\"z\r\n"}) {
    auto path = dir.Write("bad.csv", text);
    std::vector<std::string> header;
    Status rows = records::ReadCsvRows(path, {}, [](const records::CsvRow&) { return Status::Ok(); }, header);
    Status records_status = records::ReadRecords(path, pipeline::DataFormat::kCsv, {}, [](records::Record&) { return Status::Ok(); });
    REQUIRE_FALSE(rows.ok());
    CHECK(rows.message() == records_status.message());
  }
}

TEST_CASE("the CSV passes give the record passes' diff on awkward tables", "[diff][csv]") {
  std::mt19937 random(11);
  TempDir dir;
  for (int round = 0; round < 400; ++round) {
    CsvPair pair = RandomCsvPair(random);
    FileRequest request;
    request.format = pipeline::DataFormat::kCsv;
    bool in_memory = random() % 3 == 0;  // data read from git
    request.old_side = in_memory ? DataInput::Bytes(pair.old_text, "old.csv@HEAD") : DataInput::File(dir.Write("old.csv", pair.old_text));
    request.new_side = DataInput::File(dir.Write("new.csv", pair.new_text));
    if (random() % 2 == 0) request.key = {"id"};
    if (random() % 3 == 0) request.key.push_back("v");
    if (random() % 10 == 0) request.key = {"missing"};
    if (random() % 3 == 0) request.trend_field = "w";
    if (random() % 2 == 0) {  // the NEW scan's thread waits for the match: batches of 1-3 rows, a queue of 0-100 bytes
      request.scan_batch_rows = 1 + random() % 3;
      request.scan_queue_bytes = random() % 100;
    }
    std::vector<std::string> skipped;
    if (random() % 3 == 0) skipped = {"note"};
    FileDiff by_records, by_rows;
    PassFacts records_facts, rows_facts;
    Status records_status = request.key.empty() ? DiffUnkeyed(request, skipped, by_records, records_facts)
                                                : DiffKeyed(request, skipped, by_records, records_facts);
    Status rows_status = request.key.empty() ? DiffUnkeyedCsv(request, skipped, by_rows, rows_facts)
                                             : DiffKeyedCsv(request, skipped, by_rows, rows_facts);
    INFO("old:\n" << pair.old_text << "\nnew:\n" << pair.new_text);
    CHECK(Outcome(rows_status, by_rows, rows_facts) == Outcome(records_status, by_records, records_facts));
  }
}

TEST_CASE("a CSV row's hash ignores quoting and line breaks, not where the cells split", "[diff][csv]") {
  RowHasher hasher({"note"});
  auto hash_of = [&](const std::string& text) {
    std::vector<std::string> header;
    std::vector<std::uint64_t> hashes;
    std::optional<CsvRowReading> reading;
    REQUIRE(ReadCsvSide(DataInput::Bytes(text, "t.csv"), header, [&](const records::CsvRow& row) {
      if (!reading) reading.emplace(header, hasher);
      hashes.push_back(reading->Hash(row));
      return Status::Ok();
    }).ok());
    REQUIRE(hashes.size() == 1);
    return hashes[0];
  };
  std::uint64_t plain = hash_of("a,b\nx,yz\n");
  CHECK(hash_of("a,b\r\n\"x\",\"yz\"") == plain);
  CHECK(hash_of("a,b\nxy,z\n") != plain);
  CHECK(hash_of("b,a\nx,yz\n") != plain);  // the same cells under other names
  CHECK(hash_of("a,b,note\nx,yz,1\n") == hash_of("a,b,note\nx,yz,2\n"));
  CHECK(hash_of("a,b\n\"x,y\",z\n") != hash_of("a,b\nx,\"y,z\"\n"));
  // Quotes inside cells, doubled in the canonical form whatever else is quoted: at the end, in runs.
  const std::uint64_t quotes = hash_of("a,b\n\"q\"\"\"\"\",\"z\"\"x\"\n");  // q"" and z"x
  CHECK(hash_of("a,b\r\n\"q\"\"\"\"\",\"z\"\"x\"\r\n") == quotes);
  CHECK(hash_of("a,b\n\"q\"\"\",\"z\"\"x\"\n") != quotes);   // q"
  CHECK(hash_of("a,b\n\"q\"\"\"\"\",\"z\"\"\"\"x\"\n") != quotes);  // z""x
  CHECK(hash_of("a,b,note\n\"x\"\"y\",z,1\n") == hash_of("a,b,note\n\"x\"\"y\",\"z\",2\n"));
  CHECK(hash_of("a,b,note\n\"x\"\"y\",z,1\n") != hash_of("a,b,note\n\"x\"\"\"\"y\",z,1\n"));
}

// Rows that share a key: compared as a multiset per key (issue 29: a changed row inside a group
// was reported "unchanged").
namespace {

const GroupChange& OnlyGroup(const FileDiff& d) {
  REQUIRE(d.changed_groups.size() == 1);
  return d.changed_groups[0];
}

std::vector<bool> Paired(const std::vector<GroupRow>& rows) {
  std::vector<bool> paired;
  for (const auto& r : rows) paired.push_back(r.paired);
  return paired;
}

}  // namespace

TEST_CASE("a changed row among rows sharing a key is a change, shown with the group's rows", "[diff][groups]") {
  Files f;
  for (std::string ext : {"csv", "ndjson"}) {
    SECTION(ext) {
      auto d = ext == "csv" ? f.Diff("k,v\na,5\na,6\nb,1\n", "k,v\na,5\na,7\nb,1\n", "csv", {"k"})
                            : f.Diff("{\"k\":\"a\",\"v\":5}\n{\"k\":\"a\",\"v\":6}\n{\"k\":\"b\",\"v\":1}\n",
                                     "{\"k\":\"a\",\"v\":5}\n{\"k\":\"a\",\"v\":7}\n{\"k\":\"b\",\"v\":1}\n", "ndjson", {"k"});
      REQUIRE(d.ok());
      CHECK(d->has_changes());
      CHECK(d->collision_count == 2);  // the repeated key is still reported
      CHECK(d->unchanged == 1);        // b
      const GroupChange& g = OnlyGroup(*d);
      CHECK(g.key_json == R"({"k":"a"})");
      CHECK(g.old_count == 2);
      CHECK(g.new_count == 2);
      REQUIRE(g.old_rows.size() == 2);
      REQUIRE(g.new_rows.size() == 2);
      CHECK(g.old_rows[1].line == (ext == "csv" ? 3u : 2u));
      CHECK_THAT(g.old_rows[1].row_json, Catch::Contains("6"));
      CHECK_THAT(g.new_rows[1].row_json, Catch::Contains("7"));
      CHECK(Paired(g.old_rows) == std::vector<bool>{true, false});
      CHECK(Paired(g.new_rows) == std::vector<bool>{true, false});
      DiffReport report{"", "", {*d}};
      CHECK(report.changed());
      CHECK(report.modified() == 1);
      std::string md = ReportMarkdown(report);
      CHECK_THAT(md, Catch::Contains("Changed key groups: 1") && Catch::Contains("**old only**") &&
                         Catch::Contains("**new only**") && Catch::Contains("compared as a group"));
      CHECK_THAT(ReportJson(report), Catch::Contains(R"("changed_groups":[{"key":{"k":"a"},"old_count":2,"new_count":2)"));
    }
  }
}

TEST_CASE("a key group that gains or loses a row is a change, even when the row repeats another", "[diff][groups]") {
  Files f;
  SECTION("a third row") {
    auto d = f.Diff("k,v\na,5\na,6\n", "k,v\na,5\na,6\na,6\n", "csv", {"k"});
    REQUIRE(d.ok());
    CHECK(OnlyGroup(*d).new_count == 3);
    CHECK(Paired(OnlyGroup(*d).new_rows) == std::vector<bool>{true, true, false});
  }
  SECTION("one old row, the same row twice in the new version") {
    auto d = f.Diff("k,v\na,5\n", "k,v\na,5\na,5\n", "csv", {"k"});
    REQUIRE(d.ok());
    CHECK(OnlyGroup(*d).old_count == 1);
    CHECK(d->unchanged == 0);
  }
  SECTION("one old row, changed and then repeated in the new version") {
    auto d = f.Diff("{\"k\":1,\"v\":5}\n", "{\"k\":1,\"v\":6}\n{\"k\":1,\"v\":5}\n", "ndjson", {"k"});
    REQUIRE(d.ok());
    CHECK(d->changed.empty());  // the group replaces the one-to-one comparison
    CHECK(Paired(OnlyGroup(*d).new_rows) == std::vector<bool>{false, true});
  }
  SECTION("a repeated row dropped") {
    auto d = f.Diff("k,v\na,5\na,5\n", "k,v\na,5\n", "csv", {"k"});
    REQUIRE(d.ok());
    CHECK(d->has_changes());
    CHECK(OnlyGroup(*d).new_count == 1);
  }
}

TEST_CASE("rows sharing a key that only swap places are not a change", "[diff][groups]") {
  Files f;
  SECTION("csv") {
    auto d = f.Diff("k,v\na,5\na,6\nb,1\n", "k,v\na,6\na,5\nb,1\n", "csv", {"k"});
    REQUIRE(d.ok());
    CHECK_FALSE(d->has_changes());
    CHECK(d->changed.empty());
    CHECK(d->unchanged == 3);
    CHECK(d->collision_count == 2);
  }
  SECTION("json, members in another order too") {
    auto d = f.Diff(R"([{"k":"a","v":1,"w":2},{"k":"a","v":3,"w":4}])", R"([{"k":"a","v":3,"w":4},{"k":"a","w":2,"v":1}])",
                    "json", {"k"});
    REQUIRE(d.ok());
    CHECK_FALSE(d->has_changes());
    CHECK(d->unchanged == 2);
  }
}

TEST_CASE("every row of a repeated key is added or removed with its key", "[diff][groups]") {
  Files f;
  for (std::string ext : {"csv", "ndjson"}) {
    SECTION(ext) {
      auto d = ext == "csv" ? f.Diff("k,v\na,1\nb,2\nb,3\n", "k,v\na,1\nc,4\nc,5\n", "csv", {"k"})
                            : f.Diff("{\"k\":\"a\"}\n{\"k\":\"b\",\"v\":2}\n{\"k\":\"b\",\"v\":3}\n",
                                     "{\"k\":\"a\"}\n{\"k\":\"c\",\"v\":4}\n{\"k\":\"c\",\"v\":5}\n", "ndjson", {"k"});
      REQUIRE(d.ok());
      REQUIRE(d->removed.size() == 2);
      CHECK_THAT(d->removed[1].row_json, Catch::Contains("3"));
      REQUIRE(d->added.size() == 2);
      CHECK_THAT(d->added[1].row_json, Catch::Contains("5"));
      CHECK(d->changed_groups.empty());
      CHECK(d->unchanged == 1);
    }
  }
}

TEST_CASE("one changed cell of a wide row is found, whatever the order of its columns", "[diff][wide]") {
  // Fields are looked up by name without scanning the row for each (issue 29: quadratic in the
  // number of columns, 4.3 s for 40,000).
  constexpr int kColumns = 40000;
  std::string header = "id", row = "1", changed = "1", reordered_header = "id", reordered_row = "1";
  for (int c = 1; c < kColumns; ++c) {
    header += fmt::format(",c{}", c);
    row += fmt::format(",{}", c);
    changed += c == 31234 ? ",oops" : fmt::format(",{}", c);
  }
  for (int c = kColumns - 1; c >= 1; --c) {
    reordered_header += fmt::format(",c{}", c);
    reordered_row += fmt::format(",{}", c);
  }
  Files f;
  SECTION("csv") {
    auto d = f.Diff(header + "\n" + row + "\n", header + "\n" + changed + "\n", "csv", {"id"});
    REQUIRE(d.ok());
    REQUIRE(d->changed.size() == 1);
    REQUIRE(d->changed[0].cells.size() == 1);
    CHECK(d->changed[0].cells[0].field == "c31234");
    CHECK(d->changed[0].cells[0].old_json == "\"31234\"");
    CHECK(d->changed[0].cells[0].new_json == "\"oops\"");
  }
  SECTION("columns in another order: the same row") {
    auto d = f.Diff(header + "\n" + row + "\n", reordered_header + "\n" + reordered_row + "\n", "csv", {"id"});
    REQUIRE(d.ok());
    CHECK(d->changed.empty());
    CHECK(d->unchanged == 1);
  }
  SECTION("a member missing from a wide JSON row") {
    rapidjson::Document old_row(rapidjson::kObjectType), new_row(rapidjson::kObjectType);
    auto& a = old_row.GetAllocator();
    auto& b = new_row.GetAllocator();
    for (int c = 0; c < kColumns; ++c) {
      std::string name = fmt::format("c{}", c);
      old_row.AddMember(rapidjson::Value(name, a), rapidjson::Value(c), a);
      if (c != 7) new_row.AddMember(rapidjson::Value(name, b), rapidjson::Value(c), b);
    }
    new_row.AddMember("extra", 1, b);
    auto cells = CompareRows(old_row, new_row, {});
    REQUIRE(cells.size() == 2);
    CHECK(cells[0].field == "c7");
    CHECK(cells[0].new_json == "null");
    CHECK(cells[1].field == "extra");
  }
}

TEST_CASE("a keyed CSV diff reports the first side's error, whatever the second side's reading did", "[diff][csv]") {
  // NEW is scanned on a second thread while OLD is indexed (csv_keyed_diff.cpp): the error a
  // user sees is still the one a pass reading OLD first would give, and no thread is left waiting.
  TempDir dir;
  std::string good = "id,v\n";
  for (int i = 0; i < 500; ++i) good += fmt::format("{},{}\n", i, i * 3);
  const std::string bad_old = "id,v\n1,2\n3,4,5\n";   // line 3: one cell too many
  const std::string bad_new = "id,v\n1,2\n\"open\n";  // line 3: a quote never closed
  auto diff = [&](const std::string& old_text, const std::string& new_text, std::size_t batch, std::size_t queue) {
    FileRequest request;
    request.format = pipeline::DataFormat::kCsv;
    request.old_side = DataInput::File(dir.Write("old.csv", old_text));
    request.new_side = DataInput::File(dir.Write("new.csv", new_text));
    request.key = {"id"};
    request.scan_batch_rows = batch;
    request.scan_queue_bytes = queue;
    return DiffFile(request);
  };
  for (std::size_t queue : {std::size_t{0}, std::size_t{64}, std::size_t{64} << 20}) {
    INFO("queue " << queue);
    auto both_bad = diff(bad_old, bad_new, 1, queue);
    REQUIRE_FALSE(both_bad.ok());
    CHECK(both_bad.status().message().find("old.csv:3") != std::string::npos);
    auto old_bad = diff(bad_old, good, 1, queue);  // NEW's scan waits on a full queue, then is stopped
    REQUIRE_FALSE(old_bad.ok());
    CHECK(old_bad.status().message() == both_bad.status().message());
    auto new_bad = diff(good, bad_new, 2, queue);
    REQUIRE_FALSE(new_bad.ok());
    CHECK(new_bad.status().message().find("new.csv:3") != std::string::npos);
    auto no_key = diff(good, "x,v\n1,2\n", 1, queue);
    REQUIRE_FALSE(no_key.ok());
    CHECK(no_key.status().message().find("new.csv") != std::string::npos);
    auto fine = diff(good, good + "500,1\n", 3, queue);
    REQUIRE(fine.ok());
    CHECK(fine->unchanged == 500);
    CHECK(fine->added.size() == 1);
  }
}
