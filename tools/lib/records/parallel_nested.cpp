// Records inside a JSON document on several cores (ReadNestedInParallel). The caller's thread
// walks the document with NestedScanner, which delimits each record and each value off the
// records pointer's path without parsing them, and hands blocks of them to the workers. A worker
// parses each value in full with simdjson (a value off the path only for being valid JSON); a
// record, with the wildcards' fields added as the one-thread reader adds them, is asked the fast
// verdict, and one that does not pass is built with RapidJSON, given its fields and prepared.
//
// Wherever the scanner or a worker meets anything it does not take for certain the way the
// one-thread reader would (a syntax error, a lone surrogate, a number beyond a double, a record
// over the size limit, nesting past the limit, a record that cannot take its fields, a key
// with an escape on the path...), the records before that place are visited and the one-thread
// reader reads the document again, visiting only the records after them: it gives the records
// and the error it always gave.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <string_view>

#include <fmt/format.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include "core/ordered_workers.h"
#include "records/nested_scanner.h"
#include "records/parallel_nested.h"
#include "records/padded_bytes.h"
#include "records/tracked_stream.h"
#include "records/value_assembler.h"

namespace sluice::records {
namespace {

// A value longer than this (a record, or one off the path) ends the parallel read: simdjson's
// parser takes about 14 bytes per byte, and the scanner would hold it whole.
constexpr std::size_t kMaxHeldValueBytes = 1 << 20;
// What a block's records that fail the verdict usually fit in (kept across blocks, see
// parallel_ndjson.cpp).
constexpr std::size_t kKeptBytes = 1 << 20;

bool IsJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// The wildcards' fields of one records array: as the one-thread reader adds them to a record,
// and as JSON text to append to the record's own for the fast verdict.
struct ArrayFields {
  std::vector<ScannedBinding> bindings;
  std::string members;  // "\"series\":\"cases\"" (without braces)
};

std::shared_ptr<const ArrayFields> FieldsOf(const std::vector<ScannedBinding>& bindings) {
  auto fields = std::make_shared<ArrayFields>();
  fields->bindings = bindings;
  rapidjson::StringBuffer text;
  for (const auto& binding : bindings) {
    rapidjson::Writer<rapidjson::StringBuffer> writer(text);
    if (text.GetSize() > 0) text.Put(',');
    writer.String(binding.name.data(), static_cast<rapidjson::SizeType>(binding.name.size()));
    text.Put(':');
    rapidjson::Writer<rapidjson::StringBuffer> value(text);
    if (binding.is_index) {
      value.Uint64(binding.index);
    } else {
      value.String(binding.member.data(), static_cast<rapidjson::SizeType>(binding.member.size()));
    }
  }
  fields->members.assign(text.GetString(), text.GetSize());
  return fields;
}

// A scanned value inside a block's bytes.
struct Item {
  std::size_t begin = 0, end = 0;
  std::uint64_t line = 0, column = 0;
  std::size_t depth_left = 0;
  bool record = false;
};

// simdjson's parser for values that may nest `depth` levels, one per thread and depth, reused.
simdjson::dom::parser* ParserFor(std::size_t depth) {
  thread_local std::vector<std::pair<std::size_t, std::unique_ptr<simdjson::dom::parser>>> parsers;
  for (auto& [d, parser] : parsers) {
    if (d == depth) return parser.get();
  }
  auto parser = std::make_unique<simdjson::dom::parser>();
  if (parser->allocate(4096, depth) != simdjson::SUCCESS) return nullptr;
  parsers.emplace_back(depth, std::move(parser));
  return parsers.back().second.get();
}

struct NestedBlock {
  // Set by the caller's thread before Run.
  PaddedBytes bytes;
  std::vector<Item> items;
  std::shared_ptr<const ArrayFields> fields;  // null outside a records array
  const ReadOptions* options = nullptr;
  const RecordPreparer* prepare = nullptr;
  const FastVerdict* fast = nullptr;

  // Results: items[0, taken) were taken; the records among them either kept with their values
  // or, between those, passed by the fast verdict (their line and column only).
  std::size_t taken = 0;
  std::unique_ptr<char[]> buffer{new char[kKeptBytes]};
  rapidjson::MemoryPoolAllocator<> memory{buffer.get(), kKeptBytes};
  std::vector<Record> kept;  // the first `used` are this block's
  std::size_t used = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> passed;
  std::vector<std::size_t> passed_before;  // kept[i] comes after passed[0, passed_before[i])

  void Run() {  // on a worker thread
    used = 0;
    passed.clear();
    memory.Clear();
    for (taken = 0; taken < items.size(); ++taken) {
      if (!Take(items[taken])) break;
    }
  }

 private:
  bool Take(const Item& item) {
    std::string_view text = bytes.view().substr(item.begin, item.end - item.begin);
    if (item.depth_left == 0 || std::memchr(text.data(), '\0', text.size()) != nullptr) return false;
    simdjson::dom::parser* parser = ParserFor(item.depth_left);
    if (parser == nullptr) return false;
    simdjson::dom::element value;
    if (!item.record) return parser->parse(text.data(), text.size(), false).get(value) == simdjson::SUCCESS;
    // The record ends where its last byte was taken, which for a number is one byte on.
    if (text.size() + 1 > options->max_record_bytes) return false;
    const bool has_fields = fields && !fields->bindings.empty();
    if (has_fields && (text.front() != '{' || text.back() != '}')) return false;  // the reader says why
    const std::string_view parsed = has_fields ? WithFields(text) : text;
    if (parser->parse(parsed.data(), parsed.size(), false).get(value) != simdjson::SUCCESS) return false;
    if (fast != nullptr && *fast && (*fast)(value)) {
      passed.emplace_back(item.line, item.column);
      return true;
    }
    return Build(text, item);
  }

  // The record as the one-thread reader makes it: its members, then the wildcards' fields. In
  // bytes with zeroed padding: simdjson's second stage looks at the padding.
  std::string_view WithFields(std::string_view object) {
    std::size_t last = object.size() - 1;  // the closing brace
    while (IsJsonSpace(object[last - 1])) --last;  // stops at the opening brace at the latest
    const bool empty = object[last - 1] == '{';
    const std::string& members = fields->members;
    const std::size_t more = (empty ? 0 : 1) + members.size() + 1;
    scratch_.Assign(object.substr(0, object.size() - 1));
    char* out = scratch_.Extend(more);
    if (!empty) *out++ = ',';
    std::memcpy(out, members.data(), members.size());
    out[members.size()] = '}';
    scratch_.Grow(more);
    return scratch_.view();
  }

  bool Build(std::string_view text, const Item& item) {
    if (used == kept.size()) kept.emplace_back();
    if (used == passed_before.size()) passed_before.emplace_back();
    Record& record = kept[used];
    record.value = rapidjson::Document(&memory);
    assembler_.Begin(record.value, item.depth_left);
    rapidjson::MemoryStream stream(text.data(), text.size());
    reader_.Parse<kParseFlags>(stream, assembler_);
    if (reader_.HasParseError() || !assembler_.complete()) return false;
    if (fields && !AddFields(record.value)) return false;
    record.line = item.line;
    record.column = item.column;
    record.duplicate_keys = assembler_.duplicate_keys();
    record.first_duplicate_key = record.duplicate_keys > 0 ? assembler_.first_duplicate_key() : std::string();
    record.verdict.reset();
    record.valueless = false;
    if (*prepare) (*prepare)(record);
    passed_before[used++] = passed.size();
    return true;
  }

  bool AddFields(rapidjson::Document& value) {
    if (fields->bindings.empty()) return true;
    if (!value.IsObject()) return false;
    auto& allocator = value.GetAllocator();
    for (const auto& binding : fields->bindings) {
      if (value.HasMember(rapidjson::StringRef(binding.name.data(), binding.name.size()))) return false;
      rapidjson::Value name(binding.name.data(), static_cast<rapidjson::SizeType>(binding.name.size()), allocator);
      if (binding.is_index) {
        value.AddMember(name, rapidjson::Value(binding.index), allocator);
      } else {
        value.AddMember(name,
                        rapidjson::Value(binding.member.data(), static_cast<rapidjson::SizeType>(binding.member.size()),
                                         allocator),
                        allocator);
      }
    }
    return true;
  }

  PaddedBytes scratch_;
  rapidjson::Reader reader_;
  ValueAssembler assembler_;
};

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

class NestedReader : public NestedScanner::Sink {
 public:
  NestedReader(const std::filesystem::path& path, const ReadOptions& options, std::size_t workers,
               const RecordPreparer& prepare, const RecordVisitor& visit, std::size_t block_bytes,
               const FastLane& fast)
      : path_(path), origin_(path.string()), options_(options), prepare_(prepare), visit_(visit), fast_(fast),
        block_bytes_(std::max<std::size_t>(block_bytes, 1)), max_in_flight_(2 * workers + 1),
        scanner_(*options.records, options.max_depth, *this),
        workers_(workers > 0 ? std::make_unique<OrderedWorkers<NestedBlock>>(workers) : nullptr) {}

  ~NestedReader() override { workers_.reset(); }  // joins the threads before the blocks they hold go

  Status Read() {
    const bool whole = ScanAndHandOut();
    if (!status_.ok()) return status_;
    while (!in_flight_.empty()) SLUICE_RETURN_IF_ERROR(DeliverOldest());
    if (whole && !stopped_) return Status::Ok();
    // From the first record not visited on, the one-thread reader reads (and says what is wrong).
    const std::uint64_t visited = next_index_;
    return ReadRecords(path_, pipeline::DataFormat::kJson, options_, [&](Record& record) {
      return record.index < visited ? Status::Ok() : visit_(record);
    });
  }

  void Value(const ScannedValue& value) override {
    if (gave_up_) return;
    if (value.end - value.begin > kMaxHeldValueBytes) {
      gave_up_ = true;
      return;
    }
    if (items_.empty()) block_begin_ = value.begin;
    Item item;
    item.begin = value.begin - block_begin_;
    item.end = value.end - block_begin_;
    item.line = value.line;
    item.column = value.column;
    item.depth_left = value.depth_left;
    item.record = value.record;
    items_.push_back(item);
    if (value.end - block_begin_ >= block_bytes_) CutBlock();
  }
  void ArrayBegins(const std::vector<ScannedBinding>& bindings) override {
    if (gave_up_) return;
    CutBlock();
    fields_ = FieldsOf(bindings);
  }
  void ArrayEnds() override {
    if (gave_up_) return;
    CutBlock();
    fields_.reset();
  }

 private:
  // Scans the file, handing out blocks; true when the whole document was taken (and held an
  // array of records), false when the scanner gave up, or status_ is set.
  bool ScanAndHandOut() {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path_.c_str(), "rb"));
    if (!file) {
      status_ = InputError(fmt::format("cannot read {}: {}", origin_, std::strerror(errno)));
      return false;
    }
    const std::size_t chunk = std::max<std::size_t>(options_.buffer_bytes, 1);
    bool whole = false;
    for (;;) {
      std::size_t got = std::fread(window_.Extend(chunk), 1, chunk, file.get());
      if (got < chunk && std::ferror(file.get())) {
        status_ = InputError(fmt::format("cannot read {}: {}", origin_, std::strerror(errno)));
        return false;
      }
      std::size_t had = window_.size();
      window_.Grow(got);
      if (got > 0 && !scanner_.Scan(window_.view().data() + had, got)) break;
      if (gave_up_ || (scanner_.in_value() && scanner_.offset() - scanner_.value_begin() > kMaxHeldValueBytes)) break;
      if (got < chunk) {
        whole = scanner_.Finish() && !gave_up_ && scanner_.arrays_found() > 0;
        break;
      }
      // Between records only spaces and commas: a long run of them must not hold the window.
      if (!items_.empty() && scanner_.offset() - block_begin_ >= block_bytes_) CutBlock();
      if (!HandOutCut() || stopped_) return false;
      DropUnneeded();
    }
    CutBlock();  // the values scanned before the scanner stopped are whole
    gave_up_ = true;
    if (!HandOutCut()) return false;
    return whole;
  }

  // The items gathered so far become a block, with their bytes.
  void CutBlock() {
    if (items_.empty()) return;
    std::unique_ptr<NestedBlock> block = TakeSpare();
    const std::size_t from = block_begin_ - window_offset_;
    block->bytes.Assign(window_.view().substr(from, items_.back().end));
    block->items.swap(items_);
    items_.clear();
    block->fields = fields_;
    block->options = &options_;
    block->prepare = &prepare_;
    block->fast = &fast_.verdict;
    cut_.push_back(std::move(block));
  }

  // Hands the blocks cut to the workers; false when a visitor's error (status_) ended the read.
  bool HandOutCut() {
    for (auto& block : cut_) {
      if (in_flight_.size() >= max_in_flight_) {
        status_ = DeliverOldest();
        if (!status_.ok()) return false;
      }
      if (workers_) {
        workers_->Submit(block.get());
      } else {
        block->Run();  // no workers: this thread does the block's work itself
      }
      in_flight_.push_back(std::move(block));
    }
    cut_.clear();
    return true;
  }

  // Forgets the window's bytes no block or value still needs, once they are half of it (so each
  // byte moves about once).
  void DropUnneeded() {
    std::uint64_t needed = scanner_.in_value() ? scanner_.value_begin() : scanner_.offset();
    if (!items_.empty()) needed = std::min<std::uint64_t>(needed, block_begin_);
    const std::size_t unneeded = needed - window_offset_;
    if (unneeded < window_.size() / 2) return;
    window_.DropFront(unneeded);
    window_offset_ = needed;
  }

  std::unique_ptr<NestedBlock> TakeSpare() {
    if (spare_.empty()) return std::make_unique<NestedBlock>();
    std::unique_ptr<NestedBlock> block = std::move(spare_.back());
    spare_.pop_back();
    return block;
  }

  // Visits the oldest block's records. A block a worker could not take in full stops the
  // parallel read there (stopped_): the later blocks are only waited for.
  Status DeliverOldest() {
    std::unique_ptr<NestedBlock> block = std::move(in_flight_.front());
    in_flight_.pop_front();
    if (workers_) workers_->CollectOldest();  // the oldest submitted is `block`
    if (stopped_) {
      spare_.push_back(std::move(block));
      return Status::Ok();
    }
    std::size_t passed = 0;
    for (std::size_t i = 0; i < block->used; ++i) {
      SLUICE_RETURN_IF_ERROR(VisitPassed(*block, passed, block->passed_before[i]));
      passed = block->passed_before[i];
      Record& record = block->kept[i];
      record.index = next_index_++;
      SLUICE_RETURN_IF_ERROR(visit_(record));
    }
    SLUICE_RETURN_IF_ERROR(VisitPassed(*block, passed, block->passed.size()));
    if (block->taken < block->items.size()) stopped_ = true;
    spare_.push_back(std::move(block));
    return Status::Ok();
  }

  Status VisitPassed(const NestedBlock& block, std::size_t from, std::size_t to) {
    if (from == to) return Status::Ok();
    if (fast_.visit_passed) {
      Status status = fast_.visit_passed(next_index_, to - from);
      next_index_ += to - from;
      return status;
    }
    for (std::size_t i = from; i < to; ++i) {
      passed_record_.index = next_index_++;
      passed_record_.line = block.passed[i].first;
      passed_record_.column = block.passed[i].second;
      passed_record_.verdict = true;
      passed_record_.valueless = true;
      SLUICE_RETURN_IF_ERROR(visit_(passed_record_));
    }
    return Status::Ok();
  }

  const std::filesystem::path& path_;
  const std::string origin_;
  const ReadOptions& options_;
  const RecordPreparer& prepare_;
  const RecordVisitor& visit_;
  const FastLane& fast_;
  const std::size_t block_bytes_;
  const std::size_t max_in_flight_;
  NestedScanner scanner_;
  PaddedBytes window_;  // the input from window_offset_ on
  std::uint64_t window_offset_ = 0;
  std::vector<Item> items_;  // scanned, not yet in a block
  std::uint64_t block_begin_ = 0;  // input offset of items_'s first
  std::shared_ptr<const ArrayFields> fields_;
  bool gave_up_ = false;
  bool stopped_ = false;  // a block was not taken in full: nothing after it is visited
  Status status_;
  Record passed_record_;
  std::uint64_t next_index_ = 0;
  std::vector<std::unique_ptr<NestedBlock>> cut_;
  std::deque<std::unique_ptr<NestedBlock>> in_flight_;  // handed to the workers, oldest first
  std::vector<std::unique_ptr<NestedBlock>> spare_;
  std::unique_ptr<OrderedWorkers<NestedBlock>> workers_;  // stopped first (see the destructor)
};

}  // namespace

Status ReadNestedInParallel(const std::filesystem::path& path, const ReadOptions& options, std::size_t workers,
                            const RecordPreparer& prepare, const RecordVisitor& visit, std::size_t block_bytes,
                            const FastLane& fast) {
  if (!options.records || !options.captures.empty() || options.max_depth == 0) {
    return ReadRecords(path, pipeline::DataFormat::kJson, options, visit);
  }
  NestedReader reader(path, options, workers, prepare, visit, block_bytes, fast);
  return reader.Read();
}

bool StartsWithArray(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return false;
  char buffer[4096];
  bool first = true;
  for (;;) {
    std::size_t got = std::fread(buffer, 1, sizeof buffer, file.get());
    if (got == 0) return false;
    std::string_view bytes(buffer, got);
    if (first && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    first = false;
    std::size_t at = bytes.find_first_not_of(" \t\r\n");
    if (at != std::string_view::npos) return bytes[at] == '[';
  }
}

}  // namespace sluice::records
