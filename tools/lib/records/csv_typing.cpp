// CSV typing: which columns a schema types, and how a cell converts.
#include <charconv>
#include <cmath>
#include <optional>

#include "json/json.h"
#include "records/csv_cells.h"
#include "records/reader.h"

namespace sluice::records {
namespace {

// The richest type a "type" keyword allows, in the order integer > number > boolean > string:
// an integer column also accepts "null" (empty cells become null on typed columns anyway).
CellType TypeFromKeyword(const rapidjson::Value& keyword) {
  auto rank = [](const rapidjson::Value& name) {
    if (!name.IsString()) return CellType::kString;
    std::string_view text(name.GetString(), name.GetStringLength());
    if (text == "integer") return CellType::kInteger;
    if (text == "number") return CellType::kNumber;
    if (text == "boolean") return CellType::kBoolean;
    return CellType::kString;
  };
  auto better = [](CellType a, CellType b) {
    auto order = [](CellType t) {
      switch (t) {
        case CellType::kInteger: return 3;
        case CellType::kNumber: return 2;
        case CellType::kBoolean: return 1;
        case CellType::kString: return 0;
      }
      return 0;
    };
    return order(a) >= order(b) ? a : b;
  };
  if (!keyword.IsArray()) return rank(keyword);
  CellType best = CellType::kString;
  for (const auto& name : keyword.GetArray()) best = better(best, rank(name));
  return best;
}

std::optional<rapidjson::Value> IntegerValue(std::string_view text) {
  const char* end = text.data() + text.size();
  std::int64_t signed_value = 0;
  auto parsed = std::from_chars(text.data(), end, signed_value);
  if (parsed.ec == std::errc() && parsed.ptr == end) return rapidjson::Value(signed_value);
  std::uint64_t unsigned_value = 0;
  parsed = std::from_chars(text.data(), end, unsigned_value);
  if (parsed.ec == std::errc() && parsed.ptr == end) return rapidjson::Value(unsigned_value);
  return std::nullopt;
}

bool IsDigits(std::string_view text) {
  std::size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  if (start == text.size()) return false;
  for (std::size_t i = start; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

std::optional<rapidjson::Value> NumberValue(std::string_view text) {
  if (auto integer = IntegerValue(text)) return integer;
  const char* end = text.data() + text.size();
  double value = 0;
  auto parsed = std::from_chars(text.data(), end, value, std::chars_format::general);
  // from_chars also reads "inf" and "nan", which JSON cannot hold.
  if (parsed.ec != std::errc() || parsed.ptr != end || !std::isfinite(value)) return std::nullopt;
  return rapidjson::Value(value);
}

std::optional<rapidjson::Value> BooleanValue(std::string_view text) {
  // Spreadsheets write TRUE/FALSE; JSON and most tools write true/false.
  if (text == "true" || text == "TRUE" || text == "True") return rapidjson::Value(true);
  if (text == "false" || text == "FALSE" || text == "False") return rapidjson::Value(false);
  return std::nullopt;
}

}  // namespace

CsvTyping CsvTypingFromSchema(const rapidjson::Value& schema) {
  CsvTyping typing;
  if (!schema.IsObject()) return typing;
  // An array schema describes its rows through items; a row schema directly.
  const rapidjson::Value* row = &schema;
  const rapidjson::Value* items = json::Member(schema, "items");
  if (items != nullptr && items->IsObject()) row = items;
  const rapidjson::Value* properties = json::Member(*row, "properties");
  if (properties == nullptr || !properties->IsObject()) return typing;
  for (const auto& property : properties->GetObject()) {
    const rapidjson::Value* type = property.value.IsObject() ? json::Member(property.value, "type") : nullptr;
    CellType cell = type == nullptr ? CellType::kString : TypeFromKeyword(*type);
    typing.columns.emplace_back(std::string(property.name.GetString(), property.name.GetStringLength()), cell);
  }
  return typing;
}

rapidjson::Value CellValue(std::string_view text, CellType type, rapidjson::Document::AllocatorType& allocator) {
  auto as_string = [&] { return rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator); };
  if (type == CellType::kString) return as_string();
  if (text.empty()) return rapidjson::Value();  // an empty cell on a typed column is null
  std::optional<rapidjson::Value> converted;
  switch (type) {
    case CellType::kInteger:
      // Integers too large for 64 bits still read as numbers (1e20 is an integer to a schema).
      converted = IsDigits(text) ? NumberValue(text) : std::nullopt;
      break;
    case CellType::kNumber: converted = NumberValue(text); break;
    case CellType::kBoolean: converted = BooleanValue(text); break;
    case CellType::kString: break;
  }
  // Text that does not convert stays text, so the schema check reports it where it is.
  return converted ? std::move(*converted) : as_string();
}

}  // namespace sluice::records
