// The comparison passes behind DiffFile (internal to the diff module).
#pragma once

#include <string>
#include <vector>

#include "diff/diff.h"
#include "diff/side.h"

namespace sluice::diff {

// What the passes learn besides the differences.
struct PassFacts {
  FieldSet old_fields;
  FieldSet new_fields;
  double new_total = 0;  // sum of FileRequest::trend_field over the new rows
};

// Both leave `skipped` fields (ignored ones and schema drift) out of every comparison.
// Keyed: reads OLD into a KeyIndex, streams NEW against it, then re-reads OLD to materialise
// only the rows that were removed or changed.
Status DiffKeyed(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out, PassFacts& facts);
// Unkeyed: the rows as a multiset of content hashes; re-reads each side for the rows it alone has.
Status DiffUnkeyed(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out,
                   PassFacts& facts);
// The same two passes over CSV rows, without a JSON value per row (csv_side.h).
Status DiffKeyedCsv(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out,
                    PassFacts& facts);
Status DiffUnkeyedCsv(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out,
                      PassFacts& facts);
// A JSON document: a structural diff by JSON pointer.
Status DiffDocuments(const FileRequest& request, FileDiff& out);

// Adds the trend field of `row` to `total` when it is numeric.
void AddToTotal(const rapidjson::Value& row, const std::string& field, double& total);

}  // namespace sluice::diff
