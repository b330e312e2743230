#include "records/locate.h"

#include <cstdio>
#include <memory>
#include <vector>

#include <rapidjson/reader.h>

#include "json/json.h"

namespace sluice::records {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// A RapidJSON input stream over a file that knows the line and column of every byte, and where
// the token being read began (the handler is called after a token has been read).
class PositionStream {
 public:
  using Ch = char;
  explicit PositionStream(std::FILE* file) : file_(file), buffer_(64 * 1024) { Fill(); }

  Ch Peek() const { return at_ < size_ ? buffer_[at_] : '\0'; }
  Ch Take() {
    Ch c = Peek();
    if (at_ >= size_) return c;
    Track(c);
    if (++at_ == size_) Fill();
    ++offset_;
    return c;
  }
  std::size_t Tell() const { return offset_; }
  // Not used for reading (RapidJSON asks for these only when parsing in situ).
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }

  TextPosition token() const { return token_; }

 private:
  void Fill() {
    size_ = std::fread(buffer_.data(), 1, buffer_.size(), file_);
    at_ = 0;
  }
  void Track(char c) {
    if (in_string_) {
      if (escaped_) escaped_ = false;
      else if (c == '\\') escaped_ = true;
      else if (c == '"') in_string_ = false;
    } else if (c == '"' || c == '{' || c == '[' || (!Blank(c) && c != ',' && c != ':' && after_separator_)) {
      token_ = TextPosition{line_, column_};
      in_string_ = c == '"';
    }
    if (!in_string_ || c == '"') after_separator_ = Blank(c) || c == ',' || c == ':' || c == '[' || c == '{';
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
  }
  static bool Blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  std::FILE* file_;
  std::vector<char> buffer_;
  std::size_t size_ = 0;
  std::size_t at_ = 0;
  std::size_t offset_ = 0;
  std::uint64_t line_ = 1;
  std::uint64_t column_ = 1;
  bool in_string_ = false;
  bool escaped_ = false;
  bool after_separator_ = true;
  TextPosition token_;
};

// Follows the path to each value; records the positions of the wanted ones.
class Locator : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Locator> {
 public:
  Locator(const PositionStream& stream, const std::set<std::string>& wanted) : stream_(stream), wanted_(wanted) {
    for (const std::string& pointer : wanted) {
      for (std::size_t slash = pointer.find('/', 1); slash != std::string::npos; slash = pointer.find('/', slash + 1)) {
        prefixes_.insert(pointer.substr(0, slash));
      }
      prefixes_.insert(pointer);
    }
  }

  std::map<std::string, TextPosition> found;

  bool Default() { return Value(false); }
  bool String(const char*, rapidjson::SizeType, bool) { return Value(false); }
  bool Key(const char* name, rapidjson::SizeType length, bool) {
    frames_.back().key.assign(name, length);
    return true;
  }
  bool StartObject() { return Value(true, false); }
  bool StartArray() { return Value(true, true); }
  bool EndObject(rapidjson::SizeType) { return Pop(); }
  bool EndArray(rapidjson::SizeType) { return Pop(); }

 private:
  struct Frame {
    bool array = false;
    std::uint64_t index = 0;
    std::string key;
    std::string path;       // the container's pointer
    bool relevant = false;  // on the way to a wanted pointer
  };

  // A value begins (a container when `container`); returns false to stop once all are found.
  bool Value(bool container, bool array = false) {
    std::string path;
    bool relevant = frames_.empty();
    if (!frames_.empty()) {
      Frame& parent = frames_.back();
      std::string token = parent.array ? std::to_string(parent.index++) : json::EscapePointerToken(parent.key);
      if (parent.relevant) {
        path = parent.path + "/" + token;
        relevant = prefixes_.count(path) > 0;
      }
    }
    if (relevant && wanted_.count(path) > 0 && found.count(path) == 0) found[path] = stream_.token();
    if (container) frames_.push_back(Frame{array, 0, {}, std::move(path), relevant});
    return found.size() < wanted_.size();
  }
  bool Pop() {
    frames_.pop_back();
    return true;
  }

  const PositionStream& stream_;
  const std::set<std::string>& wanted_;
  std::set<std::string> prefixes_;
  std::vector<Frame> frames_;
};

}  // namespace

Result<std::map<std::string, TextPosition>> LocatePointers(const std::filesystem::path& file,
                                                           const std::set<std::string>& pointers) {
  if (pointers.empty()) return std::map<std::string, TextPosition>();
  std::unique_ptr<std::FILE, FileCloser> handle(std::fopen(file.c_str(), "rb"));
  if (!handle) return InputError("cannot open " + file.string() + " to locate findings");
  PositionStream stream(handle.get());
  if (stream.Peek() == '\xEF') {  // a UTF-8 byte order mark
    for (int i = 0; i < 3; ++i) stream.Take();
  }
  Locator locator(stream, pointers);
  rapidjson::Reader reader;
  // The file was read once already: an error here only ends the search early.
  reader.Parse<rapidjson::kParseStopWhenDoneFlag>(stream, locator);
  return std::move(locator.found);
}

}  // namespace sluice::records
