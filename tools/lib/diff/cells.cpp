#include "diff/cells.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "diff/row_identity.h"
#include "json/json.h"

namespace sluice::diff {
namespace {

bool IsSkipped(const std::vector<std::string>& skipped, std::string_view field) {
  for (const auto& name : skipped) {
    if (name == field) return true;
  }
  return false;
}

CellChange MakeChange(std::string field, const rapidjson::Value& old_value, const rapidjson::Value& new_value) {
  CellChange change;
  change.field = std::move(field);
  change.old_json = json::Write(old_value);
  change.new_json = json::Write(new_value);
  FillDelta(old_value, new_value, change.delta, change.percent, change.same_value);
  return change;
}

// A row's members by name. rapidjson's FindMember scans the members: called for every field of a
// wide row it made the comparison quadratic (40,000 columns took 4.3 s), so a wide row is
// indexed once. A narrow row is scanned: faster than hashing at that size.
class MemberLookup {
 public:
  explicit MemberLookup(const rapidjson::Value& row) : row_(row) {
    if (row_.MemberCount() <= kScanned) return;
    index_.reserve(row_.MemberCount());
    rapidjson::SizeType i = 0;
    for (const auto& m : row_.GetObject()) index_.emplace(std::string_view(m.name.GetString(), m.name.GetStringLength()), i++);
  }

  // The value of the first member named `name` (as FindMember), or nullptr.
  const rapidjson::Value* Find(const rapidjson::Value& name) const {
    if (row_.MemberCount() <= kScanned) {
      auto found = row_.FindMember(name);
      return found == row_.MemberEnd() ? nullptr : &found->value;
    }
    auto found = index_.find(std::string_view(name.GetString(), name.GetStringLength()));  // emplace kept the first
    return found == index_.end() ? nullptr : &row_.MemberBegin()[found->second].value;
  }

 private:
  static constexpr rapidjson::SizeType kScanned = 32;
  const rapidjson::Value& row_;
  std::unordered_map<std::string_view, rapidjson::SizeType> index_;
};

// A number's decimal value, exactly: its significant digits (no leading or trailing zeros) and
// the power of ten of the last one. Zero has no digits, whatever its sign.
struct Decimal {
  bool negative = false;
  std::string digits;
  long long exponent = 0;
  bool operator==(const Decimal&) const = default;
};

// `text` as NumericText reads it: [+-]digits[.digits][(e|E)[+-]digits], digits on at least one
// side of the point.
std::optional<Decimal> DecimalOf(std::string_view text) {
  Decimal d;
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) d.negative = text[i++] == '-';
  std::size_t fraction = 0;
  bool any_digit = false, point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !point) {
      point = true;
    } else if (c >= '0' && c <= '9') {
      any_digit = true;
      if (point) ++fraction;
      if (!d.digits.empty() || c != '0') d.digits += c;  // leading zeros only move the point
    } else {
      break;
    }
  }
  if (!any_digit) return std::nullopt;
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') return std::nullopt;
    std::string_view exponent = text.substr(i + 1);
    if (!exponent.empty() && exponent[0] == '+') exponent.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(exponent.data(), exponent.data() + exponent.size(), d.exponent);
    if (ec != std::errc() || ptr != exponent.data() + exponent.size() || exponent.empty()) return std::nullopt;
  }
  d.exponent -= static_cast<long long>(fraction);
  while (!d.digits.empty() && d.digits.back() == '0') d.digits.pop_back(), ++d.exponent;
  if (d.digits.empty()) return Decimal{};  // zero: -0, 0.00 and 0e5 are all 0
  return d;
}

// The text a numeric value is written as: a string's own, a number's JSON.
std::string NumberText(const rapidjson::Value& value) {
  if (value.IsString()) return std::string(value.GetString(), value.GetStringLength());
  return json::Write(value);
}

}  // namespace

std::optional<double> NumericValue(const rapidjson::Value& value) {
  if (value.IsNumber()) return value.GetDouble();
  if (!value.IsString()) return std::nullopt;
  return NumericText(std::string_view(value.GetString(), value.GetStringLength()));
}

std::optional<double> NumericText(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (*begin == '+') ++begin;  // from_chars refuses a leading '+', which CSV writers emit
  double parsed = 0;
  auto [ptr, ec] = std::from_chars(begin, end, parsed);
  if (ec != std::errc() || ptr != end || !std::isfinite(parsed)) return std::nullopt;
  return parsed;
}

void FillDelta(const rapidjson::Value& old_value, const rapidjson::Value& new_value, std::optional<double>& delta,
               std::optional<double>& percent, bool& same_value) {
  auto before = NumericValue(old_value);
  auto after = NumericValue(new_value);
  if (!before || !after) return;
  delta = *after - *before;
  if (*before != 0) percent = 100.0 * *delta / std::fabs(*before);
  // A delta of 0 also comes from numbers too close for a double to tell apart.
  if (*delta == 0) {
    auto a = DecimalOf(NumberText(old_value)), b = DecimalOf(NumberText(new_value));
    same_value = a && b && *a == *b;
  }
}

std::vector<CellChange> CompareRows(const rapidjson::Value& old_row, const rapidjson::Value& new_row,
                                    const std::vector<std::string>& skipped) {
  std::vector<CellChange> cells;
  if (!old_row.IsObject() || !new_row.IsObject()) {
    if (!SameValue(old_row, new_row)) cells.push_back(MakeChange("", old_row, new_row));
    return cells;
  }
  static const rapidjson::Value kNull;
  MemberLookup old_members(old_row), new_members(new_row);
  for (const auto& member : old_row.GetObject()) {
    std::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (IsSkipped(skipped, name)) continue;
    const rapidjson::Value* after = new_members.Find(member.name);
    if (after == nullptr || !SameValue(member.value, *after)) {
      cells.push_back(MakeChange(std::string(name), member.value, after == nullptr ? kNull : *after));
    }
  }
  for (const auto& member : new_row.GetObject()) {
    std::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (IsSkipped(skipped, name) || old_members.Find(member.name) != nullptr) continue;
    cells.push_back(MakeChange(std::string(name), kNull, member.value));
  }
  return cells;
}

double RankOf(const std::vector<CellChange>& cells) {
  double rank = -1;
  for (const auto& cell : cells) {
    if (!cell.delta) continue;
    if (!cell.percent) {
      if (*cell.delta != 0) return std::numeric_limits<double>::infinity();  // from zero: the largest change
      continue;
    }
    rank = std::max(rank, std::fabs(*cell.percent));
  }
  return rank;
}

}  // namespace sluice::diff
