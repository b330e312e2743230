// Findings in a JSON file placed where their values are: the line and column of the value at
// the finding's pointer (a pretty-printed document has the record's first line for every
// value otherwise), and, for a file that is one document rather than an array of records, the
// pointer as it is in the file ("/data/cases/TOTAL_CASES", not "/0/data/cases/TOTAL_CASES").
#pragma once

#include <filesystem>

#include "checks/engine.h"

namespace sluice::checks {

// Rewrites the examples of `report`'s checks for the JSON file `data`. A finding whose pointer
// the file does not hold keeps the record's position.
Status PlaceFindings(const std::filesystem::path& data, OutputReport& report);

}  // namespace sluice::checks
