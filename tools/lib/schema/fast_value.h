// What the keywords ask of a value in simdjson's DOM, for the fast verdict (Check::PassesFast).
// The answers match those the keywords get from RapidJSON's value of the same JSON: numbers are
// read with full precision by both, and "integer" means the same (3 and 3.0 alike).
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

#include <rapidjson/document.h>
#include <simdjson.h>

namespace sluice::schema::detail {

using FastValue = simdjson::dom::element;
using FastType = simdjson::dom::element_type;

inline bool FastIsNumber(const FastValue& v) {
  FastType type = v.type();
  return type == FastType::INT64 || type == FastType::UINT64 || type == FastType::DOUBLE;
}

// The number as a double, as RapidJSON's GetDouble gives it. Only for numbers.
inline double FastNumber(const FastValue& v) {
  switch (v.type()) {
    case FastType::INT64: return static_cast<double>(v.get_int64().value_unsafe());
    case FastType::UINT64: return static_cast<double>(v.get_uint64().value_unsafe());
    default: return v.get_double().value_unsafe();
  }
}

inline bool FastIsInteger(const FastValue& v) {
  FastType type = v.type();
  if (type == FastType::INT64 || type == FastType::UINT64) return true;
  if (type != FastType::DOUBLE) return false;
  double d = v.get_double().value_unsafe();
  return std::isfinite(d) && d == std::floor(d);
}

// The bits of a "type" keyword (TypeCheck), one per JSON Schema type name.
enum TypeBit : unsigned { kNull = 1, kBoolean = 2, kObject = 4, kArray = 8, kNumber = 16, kString = 32, kInteger = 64 };

// The type bits of `v`, whose type() is `type`.
inline unsigned FastTypeBits(const FastValue& v, FastType type) {
  switch (type) {
    case FastType::NULL_VALUE: return kNull;
    case FastType::BOOL: return kBoolean;
    case FastType::OBJECT: return kObject;
    case FastType::ARRAY: return kArray;
    case FastType::STRING: return kString;
    case FastType::INT64:
    case FastType::UINT64: return kNumber | kInteger;
    default: return FastIsInteger(v) ? (kNumber | kInteger) : kNumber;
  }
}
inline unsigned FastTypeBits(const FastValue& v) { return FastTypeBits(v, v.type()); }

// Only for strings.
inline std::string_view FastString(const FastValue& v) { return v.get_string().value_unsafe(); }

// JSON Schema equality (RapidJSON's ==: numeric, so 1 equals 1.0) of a schema's value and a
// scalar instance. False for an array or object instance: not decided here.
inline bool FastEqualsScalar(const rapidjson::Value& expected, const FastValue& v) {
  switch (v.type()) {
    case FastType::NULL_VALUE: return expected.IsNull();
    case FastType::BOOL: return expected.IsBool() && expected.GetBool() == v.get_bool().value_unsafe();
    case FastType::STRING:
      return expected.IsString() &&
             std::string_view(expected.GetString(), expected.GetStringLength()) == FastString(v);
    case FastType::INT64:
    case FastType::UINT64:
      if (!expected.IsNumber()) return false;
      if (!expected.IsDouble()) {
        // Both integers: RapidJSON compares their 64 bits, whichever sign they were read with.
        std::uint64_t bits = expected.IsUint64() ? expected.GetUint64() : static_cast<std::uint64_t>(expected.GetInt64());
        std::uint64_t mine = v.type() == FastType::UINT64 ? v.get_uint64().value_unsafe()
                                                            : static_cast<std::uint64_t>(v.get_int64().value_unsafe());
        return bits == mine;
      }
      return expected.GetDouble() == FastNumber(v);
    case FastType::DOUBLE: return expected.IsNumber() && expected.GetDouble() == FastNumber(v);
    default: return false;
  }
}

}  // namespace sluice::schema::detail
