#include "json/json.h"

#include <algorithm>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/fs.h"
#include "json/lone_surrogate.h"
#include "json/number_text.h"

namespace sluice::json {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Iterative: a hostile document nested a million levels deep must not overflow the stack.
// No kParseStopWhenDoneFlag: anything after the value is an error, not silently ignored.
// Numbers as text, converted by SendNumber (json/number_text.h says why).
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;

// SAX events passed on to a Document, refusing a container opened past `max_depth` (the reader
// then stops with kParseErrorTermination at that bracket) and a string with a lone surrogate.
class CheckedEvents {
 public:
  CheckedEvents(rapidjson::Document& document, std::size_t max_depth) : document_(document), max_depth_(max_depth) {}
  bool too_deep() const { return too_deep_; }
  bool lone_surrogate() const { return lone_surrogate_; }
  bool number_too_big() const { return number_too_big_; }

  bool Null() { return document_.Null(); }
  bool Bool(bool b) { return document_.Bool(b); }
  bool Int(int i) { return document_.Int(i); }
  bool Uint(unsigned u) { return document_.Uint(u); }
  bool Int64(std::int64_t i) { return document_.Int64(i); }
  bool Uint64(std::uint64_t u) { return document_.Uint64(u); }
  bool Double(double d) { return document_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool /*copy*/) { return SendNumber(document_, s, n, number_too_big_); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return Text(s, n) && document_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return Text(s, n) && document_.Key(s, n, copy); }
  bool StartObject() { return Open() && document_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) { return --depth_, document_.EndObject(n); }
  bool StartArray() { return Open() && document_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return --depth_, document_.EndArray(n); }

 private:
  bool Open() {
    if (depth_ >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    ++depth_;
    return true;
  }

  bool Text(const char* s, rapidjson::SizeType n) {
    lone_surrogate_ = HoldsLoneSurrogate(s, n);
    return !lone_surrogate_;
  }

  rapidjson::Document& document_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
  bool lone_surrogate_ = false;
  bool number_too_big_ = false;
};

}  // namespace

std::string LoneSurrogateMessage() {
  return "the string before this point escapes a lone UTF-16 surrogate (\\uDC00 to \\uDFFF without \\uD800 to "
         "\\uDBFF before it), which is no character";
}

std::string NestingMessage(std::size_t max_depth) {
  return fmt::format("nesting deeper than {} levels (objects and arrays inside each other)", max_depth);
}

TextPosition PositionAt(std::string_view text, std::size_t offset) {
  TextPosition position;
  offset = std::min(offset, text.size());
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
  }
  return position;
}

Result<rapidjson::Document> Parse(std::string_view text, const std::string& origin, std::size_t max_depth) {
  std::size_t skipped = text.substr(0, kUtf8Bom.size()) == kUtf8Bom ? kUtf8Bom.size() : 0;
  std::string_view body = text.substr(skipped);
  rapidjson::Document document;
  rapidjson::Reader reader;
  bool too_deep = false, lone_surrogate = false, number_too_big = false;
  // Populate hands the generator the document as its SAX handler and keeps the value built.
  auto generate = [&](rapidjson::Document& handler) {
    rapidjson::MemoryStream bytes(body.data(), body.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> stream(bytes);
    CheckedEvents checked(handler, max_depth);
    reader.Parse<kParseFlags>(stream, checked);
    too_deep = checked.too_deep();
    lone_surrogate = checked.lone_surrogate();
    number_too_big = checked.number_too_big();
    return !reader.HasParseError();
  };
  document.Populate(generate);
  // RapidJSON takes a NUL byte for the end of the text: what follows it would go unread, and a
  // file of NULs would read as an empty document.
  std::size_t nul = body.find('\0');
  if (nul != std::string_view::npos && (!reader.HasParseError() || reader.GetErrorOffset() >= nul)) {
    TextPosition at = PositionAt(text, skipped + nul);
    return InputError(fmt::format("{}:{}:{}: NUL byte (binary data?)", origin, at.line, at.column));
  }
  if (reader.HasParseError()) {
    TextPosition at = PositionAt(text, skipped + reader.GetErrorOffset());
    const std::string what = too_deep         ? NestingMessage(max_depth)
                             : lone_surrogate ? LoneSurrogateMessage()
                             : number_too_big ? kNumberTooBig
                                              : rapidjson::GetParseError_En(reader.GetParseErrorCode());
    return InputError(fmt::format("{}:{}:{}: {}", origin, at.line, at.column, what));
  }
  return document;
}

Result<rapidjson::Document> ParseFile(const std::filesystem::path& path, std::size_t max_depth) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path.string(), max_depth);
}

std::string Write(const rapidjson::Value& value, bool pretty) {
  rapidjson::StringBuffer buffer;
  if (pretty) {
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    value.Accept(writer);
  } else {
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
  }
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string FirstRepeatedKey(const rapidjson::Value& value) {
  // Iterative: a hostile document may nest deeper than the stack allows.
  std::vector<std::pair<const rapidjson::Value*, std::string>> pending{{&value, ""}};
  std::unordered_set<std::string_view> names;
  while (!pending.empty()) {
    auto [node, pointer] = std::move(pending.back());
    pending.pop_back();
    if (node->IsArray()) {
      for (rapidjson::SizeType i = node->Size(); i-- > 0;) pending.emplace_back(&(*node)[i], pointer + "/" + std::to_string(i));
      continue;
    }
    if (!node->IsObject()) continue;
    names.clear();
    for (const auto& member : node->GetObject()) {
      std::string_view name(member.name.GetString(), member.name.GetStringLength());
      if (!names.insert(name).second) return pointer + "/" + EscapePointerToken(name);
    }
    for (auto member = node->MemberEnd(); member != node->MemberBegin();) {
      --member;
      std::string_view name(member->name.GetString(), member->name.GetStringLength());
      pending.emplace_back(&member->value, pointer + "/" + EscapePointerToken(name));
    }
  }
  return "";
}

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

const rapidjson::Value* Member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::vector<std::string> Strings(const rapidjson::Value& object, const char* name) {
  std::vector<std::string> out;
  const rapidjson::Value* list = Member(object, name);
  if (list == nullptr || !list->IsArray()) return out;
  for (const auto& item : list->GetArray()) {
    if (item.IsString()) out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

std::string StringOr(const rapidjson::Value& object, const char* name, std::string fallback) {
  const rapidjson::Value* value = Member(object, name);
  return value != nullptr && value->IsString() ? std::string(value->GetString(), value->GetStringLength())
                                               : std::move(fallback);
}

void DeepCopy(const rapidjson::Value& from, rapidjson::Value& to, rapidjson::MemoryPoolAllocator<>& memory) {
  switch (from.GetType()) {
    case rapidjson::kObjectType:
      to.SetObject();
      for (const auto& member : from.GetObject()) {
        rapidjson::Value name(member.name.GetString(), member.name.GetStringLength(), memory);
        rapidjson::Value value;
        DeepCopy(member.value, value, memory);
        to.AddMember(name, value, memory);
      }
      break;
    case rapidjson::kArrayType:
      to.SetArray();
      to.Reserve(from.Size(), memory);
      for (const auto& element : from.GetArray()) {
        rapidjson::Value value;
        DeepCopy(element, value, memory);
        to.PushBack(value, memory);
      }
      break;
    case rapidjson::kStringType:
      to.SetString(from.GetString(), from.GetStringLength(), memory);
      break;
    default:  // null, booleans and numbers hold no pointers
      to.CopyFrom(from, memory);
      break;
  }
}

}  // namespace sluice::json
