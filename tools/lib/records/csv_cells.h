// How a CSV cell's text becomes a JSON value (internal to records; the rules are in reader.h).
#pragma once

#include <string_view>

#include <rapidjson/document.h>

#include "records/reader.h"

namespace sluice::records {

rapidjson::Value CellValue(std::string_view text, CellType type, rapidjson::Document::AllocatorType& allocator);

}  // namespace sluice::records
