// NDJSON on several cores. The caller's thread cuts the file into blocks of whole lines and
// hands them out; each worker runs the one-thread NDJSON reader over its block (so positions,
// blank lines, CRLF, UTF-8 and every error message are exactly those of ReadRecords), prepares
// each record and keeps a copy; the caller then visits the kept records in file order.
//
// With a fast verdict, a worker first parses each line with simdjson (about three times faster
// than building RapidJSON's value) and asks the verdict; a record it passes is kept without a
// value. Any other line, one simdjson refuses included, goes through the one-thread reader as
// before, which gives it the same record or error it always had.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <string_view>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/ordered_workers.h"
#include "json/json.h"
#include "records/format_readers.h"
#include "records/input_buffer.h"
#include "records/padded_bytes.h"

namespace sluice::records {
namespace {

// A record whose parsed value takes more is not copied (memory, and a recursive copy of deep
// nesting): the caller's thread reads it, and the rest of its block, itself.
constexpr std::size_t kMaxKeptRecordBytes = 64 * 1024;
// What a block's copies usually fit in; the pool keeps it across blocks (fresh memory costs a
// page fault per 4 KiB), and grows past it with chunks freed after the block.
constexpr std::size_t kKeptBytes = 2 << 20;
// The fast lane's stream parses a block this much at a time; a longer document ends the stream
// and takes the lane line by line.
constexpr std::size_t kStreamBatchBytes = 256 << 10;
// How often a block's stream may start again after stopping at a line (each start parses a
// batch ahead, so a block full of such lines is better read line by line).
constexpr int kMaxStreamRestarts = 8;
// The longest line the fast lane parses on its own (see Block::TakesFastLane).
constexpr std::size_t kMaxFastLineBytes = 1 << 20;

struct Block {
  // Set by the caller's thread before Run.
  PaddedBytes bytes;  // whole lines; the last block may end without a newline
  std::uint64_t first_line = 1;
  std::vector<std::size_t> newlines;  // where each '\n' of `bytes` is, found while counting lines
  bool at_start = false;  // the block opens the file (a byte order mark may lead)
  const std::string* origin = nullptr;
  const ReadOptions* options = nullptr;
  const RecordPreparer* prepare = nullptr;
  const FastVerdict* fast = nullptr;  // null or empty: no fast lane

  // Results: the records kept with their values, and between them those that passed the fast
  // verdict, kept as their positions only (line, column).
  std::unique_ptr<char[]> buffer{new char[kKeptBytes]};
  rapidjson::MemoryPoolAllocator<> memory{buffer.get(), kKeptBytes};
  std::vector<Record> kept;  // the first `used` are this block's
  std::size_t used = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> passed;
  std::vector<std::size_t> passed_before;  // kept[i] comes after passed[0, passed_before[i])
  std::uint64_t resume_line = 0;  // > 0: from this line on, the caller reads the block
  Status status;

  void Run() {  // on a worker thread
    used = 0;
    passed.clear();
    resume_line = 0;
    memory.Clear();
    status = fast != nullptr && *fast ? ReadFast() : ReadLines(bytes.view(), first_line, at_start);
    if (resume_line > 0) status = Status::Ok();
  }

  // The fast lane over the block: simdjson parses it as a stream of documents, a batch at a
  // time (less work than a parse per line), and each document that stands alone on its line is
  // asked the verdict. Where the stream stops (a document it refuses, one that shares or spans
  // lines), that line goes alone and the stream starts again after it, unless it has started
  // too often already: then the rest of the block goes line by line.
  Status ReadFast() {
    std::size_t from = 0;  // the block's lines before this one are done
    if (at_start && bytes.view().substr(0, 3) == "\xEF\xBB\xBF") {  // columns count the BOM
      SLUICE_RETURN_IF_ERROR(ReadLineByLine(0, 1));
      if (resume_line > 0) return Status::Ok();
      from = 1;
    }
    const std::size_t lines = LineCount();
    for (int starts = 1; from < lines; ++starts) {
      std::size_t stopped = lines;
      SLUICE_RETURN_IF_ERROR(ReadStream(from, stopped));
      if (resume_line > 0) return Status::Ok();
      if (stopped >= lines || starts > kMaxStreamRestarts) break;
      std::size_t until = std::max(from, stopped + 1);
      SLUICE_RETURN_IF_ERROR(ReadLineByLine(from, until));
      if (resume_line > 0) return Status::Ok();
      from = until;
    }
    return ReadLineByLine(from, lines);
  }

  std::size_t LineCount() const {
    return newlines.size() + (!bytes.empty() && bytes.view().back() != '\n' ? 1 : 0);
  }
  std::size_t LineStart(std::size_t k) const { return k == 0 ? 0 : newlines[k - 1] + 1; }
  std::size_t LineEnd(std::size_t k) const { return k < newlines.size() ? newlines[k] : bytes.size(); }
  // Line k with its newline, for the one-thread reader.
  std::string_view LineText(std::size_t k) const {
    std::size_t end = k < newlines.size() ? newlines[k] + 1 : bytes.size();
    return bytes.view().substr(LineStart(k), end - LineStart(k));
  }

  // Streams the documents from line `from` on; returns with `from` at the first line it leaves
  // undecided and `stopped` at the line of the document it stopped at (untouched if it ran to
  // the end). A document that passes is kept back until the next one starts on a later line:
  // only then is it known to be alone on its line.
  Status ReadStream(std::size_t& from, std::size_t& stopped) {
    simdjson::dom::parser* thread_parser = ThreadParser(options->max_depth);
    if (thread_parser == nullptr) return Status::Ok();  // every line then goes line by line, the ordinary way
    simdjson::dom::parser& parser = *thread_parser;
    std::size_t base = LineStart(from);
    if (base >= bytes.size()) return Status::Ok();
    simdjson::dom::document_stream stream;
    if (parser.parse_many(bytes.view().data() + base, bytes.size() - base, kStreamBatchBytes).get(stream) !=
        simdjson::SUCCESS) {
      return Status::Ok();
    }
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    std::size_t pending = kNone, pending_column = 0;
    std::size_t k = from;  // the line of the current document
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      std::size_t start = base + it.current_index();
      while (k < newlines.size() && newlines[k] < start) ++k;
      stopped = k;  // unless it goes on
      if (LineEnd(k) - LineStart(k) > options->max_record_bytes) return Status::Ok();  // the reader reports it
      simdjson::dom::element record;
      if ((*it).get(record) != simdjson::SUCCESS) return Status::Ok();
      if (k == pending) return Status::Ok();  // two documents on one line: the one-thread reader reports it
      if (pending != kNone) {
        passed.emplace_back(first_line + pending, pending_column);
        from = pending + 1;
        pending = kNone;
      }
      std::string_view source = it.source();
      while (!source.empty() && IsJsonSpace(source.back())) source.remove_suffix(1);
      if (start + source.size() > LineEnd(k)) return Status::Ok();  // a document over several lines
      if ((*fast)(record)) {
        pending = k;
        pending_column = start - LineStart(k) + 1;
        continue;
      }
      // The verdict found something: the one-thread reader reads the line and reports it. (A
      // further document on the line is an error there, which ends the read.)
      SLUICE_RETURN_IF_ERROR(ReadLines(LineText(k), first_line + k, at_start && k == 0));
      if (resume_line > 0) return Status::Ok();
      from = k + 1;
    }
    // The stream ended: a pending document is not committed (nothing was seen past its line).
    stopped = LineCount();
    return Status::Ok();
  }

  // The worker's parser, reused: it keeps its buffers between lines and batches.
  // It refuses lines nested past the read's limit (a line simdjson refuses takes the ordinary
  // path, which names the place), so the fast lane never passes what the reader would not.
  // Null when that allocation fails: then no line takes the fast lane.
  static simdjson::dom::parser* ThreadParser(std::size_t max_depth) {
    thread_local simdjson::dom::parser parser;
#ifdef SIMDJSON_THREADS_ENABLED
    parser.threaded = false;  // the stream's next batch on a thread of its own: the cores are busy already
#endif
    if (parser.max_depth() != max_depth &&
        parser.allocate(std::max<std::size_t>(parser.capacity(), 4096), max_depth) != simdjson::SUCCESS) {
      return nullptr;
    }
    return &parser;
  }

  static bool IsJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

  // Each of lines [from, to) through the fast lane alone, or the one-thread reader when the lane
  // cannot take it.
  Status ReadLineByLine(std::size_t from, std::size_t to) {
    simdjson::dom::parser* parser = ThreadParser(options->max_depth);
    std::string_view text = bytes.view();
    for (std::size_t k = from; k < to; ++k) {
      std::size_t pos = LineStart(k);
      std::string_view content = text.substr(pos, LineEnd(k) - pos);
      std::size_t lead = 0;  // a loop: find_first_not_of calls memchr for every byte it looks at
      while (lead < content.size() && IsJsonSpace(content[lead])) ++lead;  // `content` holds no '\n'
      if (lead == content.size()) continue;  // a blank line
      bool file_start = at_start && pos == 0;
      if (parser != nullptr && TakesFastLane(*parser, content, file_start)) {
        passed.emplace_back(first_line + k, lead + 1);
        continue;
      }
      SLUICE_RETURN_IF_ERROR(ReadLines(LineText(k), first_line + k, file_start));
      if (resume_line > 0) return Status::Ok();
    }
    return Status::Ok();
  }

  bool TakesFastLane(simdjson::dom::parser& parser, std::string_view content, bool file_start) {
    // simdjson's parser takes about 14 bytes per byte of input: a line too long for this one
    // (sized for the stream's batches) gets a parser of its own, freed after it, up to a limit;
    // past that the ordinary path takes it (and hands the rest of its block back, see Block).
    if (content.size() > kMaxFastLineBytes || content.size() > options->max_record_bytes) return false;
    if (file_start && content.substr(0, 3) == "\xEF\xBB\xBF") return false;  // columns count the BOM
    if (std::memchr(content.data(), '\0', content.size()) != nullptr) return false;  // the reader reports it
    std::unique_ptr<simdjson::dom::parser> own;
    if (content.size() > kStreamBatchBytes) {
      own = std::make_unique<simdjson::dom::parser>();
      if (own->allocate(content.size(), options->max_depth) != simdjson::SUCCESS) return false;
    }
    simdjson::dom::element record;
    // The block keeps simdjson's padding past its end (see PaddedBytes), so no copy.
    if ((own ? *own : parser).parse(content.data(), content.size(), false).get(record) != simdjson::SUCCESS) {
      return false;
    }
    return (*fast)(record);
  }

  // The one-thread reader over `text`, whose first line is line `line` of the file.
  Status ReadLines(std::string_view text, std::uint64_t line, bool file_start) {
    InputBuffer input = InputBuffer::FromMemory(text, options->buffer_bytes);
    return ReadNdjsonRecords(
        input, *origin, options->max_record_bytes,
        [&](Record& record) {
          if (const_cast<rapidjson::Document&>(record.value).GetAllocator().Size() > kMaxKeptRecordBytes) {
            resume_line = record.line;
            return Rejected("handed back");  // stops this block's read; not an error of the data
          }
          (*prepare)(record);
          Keep(record);
          return Status::Ok();
        },
        line, file_start, options->max_depth);
  }

  void Keep(const Record& record) {
    if (used == kept.size()) kept.emplace_back();
    if (used == passed_before.size()) passed_before.emplace_back();
    passed_before[used] = passed.size();
    Record& copy = kept[used++];
    copy.value = rapidjson::Document(&memory);
    json::DeepCopy(record.value, copy.value, memory);
    copy.line = record.line;
    copy.column = record.column;
    copy.duplicate_keys = record.duplicate_keys;
    copy.first_duplicate_key = record.first_duplicate_key;
    copy.verdict = record.verdict;
  }
};

// Where each newline of `text` is. memchr skips ahead in wide steps; std::count compared byte
// by byte (a tenth of the run time).
void FindNewlines(std::string_view text, std::vector<std::size_t>& newlines) {
  newlines.clear();
  for (const char* p = text.data(), *end = p + text.size(); p < end; ++p) {
    p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (p == nullptr) break;
    newlines.push_back(static_cast<std::size_t>(p - text.data()));
  }
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

class BlockReader {
 public:
  BlockReader(const std::filesystem::path& path, const ReadOptions& options, std::size_t workers,
              const RecordPreparer& prepare, const RecordVisitor& visit, std::size_t block_bytes, const FastLane& fast)
      : path_(path), origin_(path.string()), options_(options), prepare_(prepare), visit_(visit), fast_(fast),
        block_bytes_(std::max<std::size_t>(block_bytes, 1)), max_in_flight_(2 * workers + 1),
        workers_(workers > 0 ? std::make_unique<OrderedWorkers<Block>>(workers) : nullptr) {}

  ~BlockReader() { workers_.reset(); }  // joins the threads before the blocks they hold go

  Status Read() {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path_.c_str(), "rb"));
    if (!file) return InputError(fmt::format("cannot read {}: {}", origin_, std::strerror(errno)));
    std::string carry;  // the start of a line the last block could not end
    bool at_eof = false, first = true;
    std::uint64_t next_line = 1;
    while (!at_eof || !carry.empty()) {
      std::unique_ptr<Block> block = TakeSpare();
      block->bytes.Assign(carry);
      carry.clear();
      // Read until the block holds at least block_bytes_ and a newline, or the file ends.
      std::size_t end_of_lines = std::string::npos;
      while (!at_eof) {
        std::size_t had = block->bytes.size();
        std::size_t got = std::fread(block->bytes.Extend(block_bytes_), 1, block_bytes_, file.get());
        block->bytes.Grow(got);
        if (got < block_bytes_) {
          if (std::ferror(file.get())) return InputError(fmt::format("cannot read {}: {}", origin_, std::strerror(errno)));
          at_eof = true;
        }
        // Only the bytes just read can hold the block's last newline: the rest held none.
        std::size_t in_new = block->bytes.view().substr(had).rfind('\n');
        if (in_new != std::string::npos) {
          end_of_lines = had + in_new;
          break;
        }
        // No line break yet: the block is one line, which must not grow past the record limit.
        if (block->bytes.size() > options_.max_record_bytes) return LineTooLong(*block, next_line, first);
      }
      if (!at_eof && end_of_lines != std::string::npos) {
        carry.assign(block->bytes.view().substr(end_of_lines + 1));
        block->bytes.Truncate(end_of_lines + 1);
      }
      if (block->bytes.empty()) break;
      block->first_line = next_line;
      block->at_start = first;
      first = false;
      FindNewlines(block->bytes.view(), block->newlines);
      next_line += block->newlines.size();
      block->origin = &origin_;
      block->options = &options_;
      block->prepare = &prepare_;
      block->fast = &fast_.verdict;
      if (in_flight_.size() >= max_in_flight_) SLUICE_RETURN_IF_ERROR(DeliverOldest());
      if (workers_) workers_->Submit(block.get());
      else block->Run();  // no workers: this thread does the block's work itself
      in_flight_.push_back(std::move(block));
    }
    while (!in_flight_.empty()) SLUICE_RETURN_IF_ERROR(DeliverOldest());
    return Status::Ok();
  }

 private:
  // The error for the line at `line`, too long to end: the one-thread reader's, after the
  // records and errors of the blocks before it.
  Status LineTooLong(const Block& block, std::uint64_t line, bool at_start) {
    while (!in_flight_.empty()) SLUICE_RETURN_IF_ERROR(DeliverOldest());
    InputBuffer input = InputBuffer::FromMemory(block.bytes.view(), options_.buffer_bytes);
    Status status = ReadNdjsonRecords(input, origin_, options_.max_record_bytes,
                                      [](Record&) { return Status::Ok(); }, line, at_start, options_.max_depth);
    return status.ok() ? InternalError(origin_ + ": a line over max_record_bytes was read whole") : status;
  }

  std::unique_ptr<Block> TakeSpare() {
    if (spare_.empty()) return std::make_unique<Block>();
    std::unique_ptr<Block> block = std::move(spare_.back());
    spare_.pop_back();
    return block;
  }

  // Visits the oldest block's records, then returns its error, if any.
  Status DeliverOldest() {
    std::unique_ptr<Block> block = std::move(in_flight_.front());
    in_flight_.pop_front();
    if (workers_) workers_->CollectOldest();  // the oldest submitted is `block`
    std::size_t passed = 0;
    for (std::size_t i = 0; i < block->used; ++i) {
      SLUICE_RETURN_IF_ERROR(VisitPassed(*block, passed, block->passed_before[i]));
      passed = block->passed_before[i];
      Record& record = block->kept[i];
      record.index = next_index_++;
      SLUICE_RETURN_IF_ERROR(visit_(record));
    }
    SLUICE_RETURN_IF_ERROR(VisitPassed(*block, passed, block->passed.size()));
    if (block->resume_line > 0) SLUICE_RETURN_IF_ERROR(ReadRest(*block));
    SLUICE_RETURN_IF_ERROR(block->status);
    spare_.push_back(std::move(block));
    return Status::Ok();
  }

  // The records of block.passed[from, to): as one run when the caller takes runs, else one by one.
  Status VisitPassed(const Block& block, std::size_t from, std::size_t to) {
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

  // Reads the block from its resume line on, here, as the one-thread reader would.
  Status ReadRest(const Block& block) {
    std::size_t offset = 0;
    for (std::uint64_t line = block.first_line; line < block.resume_line; ++line) {
      offset = block.bytes.view().find('\n', offset) + 1;
    }
    std::string_view rest = block.bytes.view().substr(offset);
    InputBuffer input = InputBuffer::FromMemory(rest, options_.buffer_bytes);
    return ReadNdjsonRecords(
        input, origin_, options_.max_record_bytes,
        [&](Record& record) {
          record.index = next_index_++;
          return visit_(record);
        },
        block.resume_line, block.at_start && offset == 0, options_.max_depth);
  }

  const std::filesystem::path& path_;
  const std::string origin_;
  const ReadOptions& options_;
  const RecordPreparer& prepare_;
  const RecordVisitor& visit_;
  const FastLane& fast_;
  Record passed_record_;  // what the visitor sees of a record that passed the fast verdict
  const std::size_t block_bytes_;
  const std::size_t max_in_flight_;
  std::uint64_t next_index_ = 0;
  std::deque<std::unique_ptr<Block>> in_flight_;  // handed to the workers, oldest first
  std::vector<std::unique_ptr<Block>> spare_;
  std::unique_ptr<OrderedWorkers<Block>> workers_;  // stopped first (see the destructor)
};

}  // namespace

Status ReadNdjsonInParallel(const std::filesystem::path& path, const ReadOptions& options, std::size_t workers,
                            const RecordPreparer& prepare, const RecordVisitor& visit, std::size_t block_bytes,
                            const FastLane& fast) {
  BlockReader reader(path, options, workers, prepare, visit, block_bytes, fast);
  return reader.Read();
}

}  // namespace sluice::records
