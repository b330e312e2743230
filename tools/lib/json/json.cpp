#include "json/json.h"

#include <algorithm>

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/fs.h"

namespace sluice::json {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Iterative: a hostile document nested a million levels deep must not overflow the stack.
// No kParseStopWhenDoneFlag: anything after the value is an error, not silently ignored.
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

// Long values make an error line unreadable; the pointer already says where to look.
std::string Quote(const rapidjson::Value& value) {
  std::string text = Write(value);
  constexpr std::size_t kMax = 80;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

std::string PointerText(const rapidjson::Pointer& pointer) {
  rapidjson::StringBuffer buffer;
  pointer.Stringify(buffer);
  std::string text(buffer.GetString(), buffer.GetSize());
  return text.empty() ? "/" : text;
}

const char* TypeName(const rapidjson::Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "boolean";
    case rapidjson::kObjectType: return "object";
    case rapidjson::kArrayType: return "array";
    case rapidjson::kStringType: return "string";
    case rapidjson::kNumberType: return value.IsInt64() || value.IsUint64() ? "integer" : "number";
  }
  return "value";
}

// Joins an array of schema values ("enum", "type", "required") for a message.
std::string JoinValues(const rapidjson::Value* list, bool quote) {
  if (list == nullptr) return "";
  if (!list->IsArray()) return quote ? Quote(*list) : (list->IsString() ? list->GetString() : Quote(*list));
  std::string out;
  for (const auto& item : list->GetArray()) {
    if (!out.empty()) out += ", ";
    out += quote || !item.IsString() ? Quote(item) : std::string(item.GetString());
  }
  return out;
}

// RapidJSON 1.1 reports only "required" at the object: name the members by diffing.
std::string MissingMembers(const rapidjson::Value& rule, const rapidjson::Value* value) {
  const rapidjson::Value* required = Member(rule, "required");
  if (required == nullptr || !required->IsArray() || value == nullptr || !value->IsObject()) return "";
  std::string out;
  for (const auto& name : required->GetArray()) {
    if (!name.IsString() || value->HasMember(name)) continue;
    if (!out.empty()) out += ", ";
    out += Quote(name);
  }
  return out;
}

std::string AllowedMembers(const rapidjson::Value& rule) {
  const rapidjson::Value* properties = Member(rule, "properties");
  if (properties == nullptr || !properties->IsObject()) return "none";
  std::string out;
  for (const auto& member : properties->GetObject()) {
    if (!out.empty()) out += ", ";
    out += member.name.GetString();
  }
  return out;
}

std::string LastToken(const rapidjson::Pointer& pointer) {
  std::size_t count = pointer.GetTokenCount();
  if (count == 0) return "";
  const auto& token = pointer.GetTokens()[count - 1];
  return std::string(token.name, token.length);
}

std::string RuleText(const rapidjson::Value& rule, const char* keyword) {
  const rapidjson::Value* bound = Member(rule, keyword);
  return bound == nullptr ? "?" : Quote(*bound);
}

std::string SizeText(const rapidjson::Value* value) {
  if (value == nullptr) return "?";
  if (value->IsArray()) return fmt::format("{} items", value->Size());
  if (value->IsObject()) return fmt::format("{} members", value->MemberCount());
  if (value->IsString()) return fmt::format("{} bytes", value->GetStringLength());
  return Quote(*value);
}

// The words after the keyword, so that "<keyword> <detail>" reads as a sentence.
std::string Describe(const std::string& keyword, const rapidjson::Value& rule, const rapidjson::Value* value,
                     const rapidjson::Pointer& at) {
  std::string found = value == nullptr ? "?" : Quote(*value);
  const char* key = keyword.c_str();
  if (keyword == "type") {
    return fmt::format("must be {} (found {})", JoinValues(Member(rule, key), false),
                       value == nullptr ? "?" : TypeName(*value));
  }
  if (keyword == "enum") return fmt::format("{} is not one of {}", found, JoinValues(Member(rule, key), true));
  if (keyword == "required") {
    std::string missing = MissingMembers(rule, value);
    return missing.empty() ? fmt::format("member is missing (required: {})", JoinValues(Member(rule, key), true))
                           : fmt::format("member {} is missing", missing);
  }
  if (keyword == "additionalProperties") {
    return fmt::format("forbids member \"{}\" (allowed: {})", LastToken(at), AllowedMembers(rule));
  }
  if (keyword == "pattern") return fmt::format("{} does not match {}", JoinValues(Member(rule, key), false), found);
  if (keyword == "maximum") return fmt::format("{} is exceeded by {}", RuleText(rule, key), found);
  if (keyword == "minimum" || keyword == "multipleOf") {
    return fmt::format("{} is not met by {}", RuleText(rule, key), found);
  }
  if (keyword.rfind("min", 0) == 0) {  // minLength, minItems, minProperties
    return fmt::format("{} is not met (found {})", RuleText(rule, key), SizeText(value));
  }
  if (keyword.rfind("max", 0) == 0) {
    return fmt::format("{} is exceeded (found {})", RuleText(rule, key), SizeText(value));
  }
  if (keyword == "uniqueItems") return "is violated: an item repeats";
  if (keyword == "oneOf") return "is not satisfied: the value must match exactly one alternative";
  if (keyword == "anyOf") return "is not satisfied: the value matches none of the alternatives";
  if (keyword == "allOf") return "is not satisfied: the value fails one of the subschemas";
  if (keyword == "not") return "is violated: the value matches the schema under \"not\"";
  if (keyword == "additionalItems") return "is violated: more items than the schema allows";
  if (keyword == "dependencies") return "is violated: a member is present without the members it depends on";
  return fmt::format("is not satisfied by {}", found);
}

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

Status Validate(const rapidjson::Value& document, const rapidjson::Document& schema, const std::string& origin) {
  rapidjson::SchemaDocument compiled(schema);
  rapidjson::SchemaValidator validator(compiled);
  if (document.Accept(validator)) return Status::Ok();
  // RapidJSON 1.1 stops at the first failure, so this reports one problem per run.
  const rapidjson::Pointer at = validator.GetInvalidDocumentPointer();
  const std::string keyword = validator.GetInvalidSchemaKeyword();
  const rapidjson::Value* rule = validator.GetInvalidSchemaPointer().Get(schema);
  static const rapidjson::Value kEmptyRule(rapidjson::kObjectType);
  std::string detail = Describe(keyword, rule != nullptr ? *rule : kEmptyRule, at.Get(document), at);
  return InputError(fmt::format("{}: {}: {} {}", origin, PointerText(at), keyword, detail));
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

}  // namespace sluice::json
