#include "json/json.h"

#include <algorithm>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/fs.h"

namespace sluice::json {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Iterative: a hostile document nested a million levels deep must not overflow the stack.
// No kParseStopWhenDoneFlag: anything after the value is an error, not silently ignored.
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

}  // namespace

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

Result<rapidjson::Document> Parse(std::string_view text, const std::string& origin) {
  std::size_t skipped = text.substr(0, kUtf8Bom.size()) == kUtf8Bom ? kUtf8Bom.size() : 0;
  std::string_view body = text.substr(skipped);
  rapidjson::Document document;
  document.Parse<kParseFlags>(body.data(), body.size());
  // RapidJSON takes a NUL byte for the end of the text: what follows it would go unread, and a
  // file of NULs would read as an empty document.
  std::size_t nul = body.find('\0');
  if (nul != std::string_view::npos && (!document.HasParseError() || document.GetErrorOffset() >= nul)) {
    TextPosition at = PositionAt(text, skipped + nul);
    return InputError(fmt::format("{}:{}:{}: NUL byte (binary data?)", origin, at.line, at.column));
  }
  if (document.HasParseError()) {
    TextPosition at = PositionAt(text, skipped + document.GetErrorOffset());
    return InputError(fmt::format("{}:{}:{}: {}", origin, at.line, at.column,
                                  rapidjson::GetParseError_En(document.GetParseError())));
  }
  return document;
}

Result<rapidjson::Document> ParseFile(const std::filesystem::path& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path.string());
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
