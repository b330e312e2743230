// Reading one side of a diff (a file, or bytes from git) as records, and noting its fields.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "diff/diff.h"
#include "records/reader.h"

namespace sluice::diff {

Status ReadSide(const DataInput& side, pipeline::DataFormat format, const records::RecordVisitor& visit);

// The first bytes of a side (enough to tell a JSON array from a document).
Result<std::string> PeekSide(const DataInput& side, std::size_t bytes);

// Every top-level field name the records of one side use, in order of first appearance. Rows
// of a CSV file all share the header, so the common case costs one comparison per cell.
class FieldSet {
 public:
  void Note(const rapidjson::Value& row);
  void Note(const std::vector<std::string>& names);  // a CSV header: every row's fields
  const std::vector<std::string>& names() const { return names_; }
  bool Has(const std::string& name) const { return known_.count(name) > 0; }

 private:
  std::vector<std::string> names_;
  std::unordered_set<std::string> known_;
};

// Names in `a` that `b` lacks.
std::vector<std::string> FieldsMissingFrom(const FieldSet& a, const FieldSet& b);

}  // namespace sluice::diff
