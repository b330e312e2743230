#include "diff/cells.h"

#include <charconv>
#include <cmath>
#include <limits>

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
  FillDelta(old_value, new_value, change.delta, change.percent);
  return change;
}

}  // namespace

std::optional<double> NumericValue(const rapidjson::Value& value) {
  if (value.IsNumber()) return value.GetDouble();
  if (!value.IsString() || value.GetStringLength() == 0 || value.GetStringLength() > 64) return std::nullopt;
  const char* begin = value.GetString();
  const char* end = begin + value.GetStringLength();
  if (*begin == '+') ++begin;  // from_chars refuses a leading '+', which CSV writers emit
  double parsed = 0;
  auto [ptr, ec] = std::from_chars(begin, end, parsed);
  if (ec != std::errc() || ptr != end || !std::isfinite(parsed)) return std::nullopt;
  return parsed;
}

void FillDelta(const rapidjson::Value& old_value, const rapidjson::Value& new_value, std::optional<double>& delta,
               std::optional<double>& percent) {
  auto before = NumericValue(old_value);
  auto after = NumericValue(new_value);
  if (!before || !after) return;
  delta = *after - *before;
  if (*before != 0) percent = 100.0 * *delta / std::fabs(*before);
}

std::vector<CellChange> CompareRows(const rapidjson::Value& old_row, const rapidjson::Value& new_row,
                                    const std::vector<std::string>& skipped) {
  std::vector<CellChange> cells;
  if (!old_row.IsObject() || !new_row.IsObject()) {
    if (!SameValue(old_row, new_row)) cells.push_back(MakeChange("", old_row, new_row));
    return cells;
  }
  static const rapidjson::Value kNull;
  for (const auto& member : old_row.GetObject()) {
    std::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (IsSkipped(skipped, name)) continue;
    auto other = new_row.FindMember(member.name);
    const rapidjson::Value& after = other == new_row.MemberEnd() ? kNull : other->value;
    if (other == new_row.MemberEnd() || !SameValue(member.value, after)) {
      cells.push_back(MakeChange(std::string(name), member.value, after));
    }
  }
  for (const auto& member : new_row.GetObject()) {
    std::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (IsSkipped(skipped, name) || old_row.HasMember(member.name)) continue;
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
