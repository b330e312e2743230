// The fields records actually have, learnt from the first records of each stream, so that a
// check whose field matches nothing can say "did you mean /data/cases/TOTAL_CASES?".
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "checks/check.h"
#include "core/status.h"

namespace sluice::checks {

class FieldCatalog {
 public:
  // Adds every member name of `record` (top-level names as they are, nested ones as JSON
  // pointers; arrays through their first element), up to a bound.
  void Learn(const rapidjson::Value& record);
  bool empty() const { return fields_.empty(); }

  // The known fields closest to `wanted` (a name or a pointer): same last name first (the
  // usual mistake is a name where a pointer was needed, or the reverse), then close spellings.
  std::vector<std::string> Suggest(const std::string& wanted) const;
  // A few of the top-level names, for "the records have: ...".
  std::string Sample() const;

 private:
  void Walk(const rapidjson::Value& value, const std::string& pointer, int depth);
  std::set<std::string> fields_;
  std::vector<std::string> top_level_;
};

// What the engine saw of one stream of records (an output's committed versions and new data,
// or another output that a check reads).
struct StreamSeen {
  std::uint64_t records = 0;
  FieldCatalog catalog;

  // Counts the record, and learns its fields while the catalog is young.
  void Saw(const records::Record& record);
};

// The ConfigError for the first field `check` watches that matched no record of its stream
// while that stream had records: "<manifest>: <pointer>/<option>: ... did you mean ...?".
// `own` is the checked output (committed versions and new data); `others` the other outputs
// by name.
Status CheckWatchedFields(const Check& check, const StreamSeen& own, const std::map<std::string, StreamSeen>& others);

}  // namespace sluice::checks
