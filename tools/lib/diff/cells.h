// Cell by cell: which fields of a row changed, and by how much when they are numbers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "diff/diff.h"

namespace sluice::diff {

// A number, or a string that is nothing but a number (CSV cells are text).
std::optional<double> NumericValue(const rapidjson::Value& value);
std::optional<double> NumericText(std::string_view text);

// delta and percent when both values are numeric; same_value when they are the same number
// exactly (as decimals: "1.0" and "1" are, 0.1 and 0.10000000000000001 are not).
void FillDelta(const rapidjson::Value& old_value, const rapidjson::Value& new_value, std::optional<double>& delta,
               std::optional<double>& percent, bool& same_value);

// The changed cells of two versions of a row (objects: by field; anything else: the whole
// value as the field ""), leaving out the `skipped` fields. A field absent on one side counts
// as null there.
std::vector<CellChange> CompareRows(const rapidjson::Value& old_row, const rapidjson::Value& new_row,
                                    const std::vector<std::string>& skipped);

// RowChange::rank from its cells.
double RankOf(const std::vector<CellChange>& cells);

}  // namespace sluice::diff
