// The plan's changes as entries of GitHub's "create a tree" request, grouped so that no request
// body exceeds a few hundred kB: large tree bodies fail with 422 "too large" or 502 (DESIGN.md,
// Limits of the services), so a big commit is built as a chain of trees, each on the last.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"
#include "pr/commit_plan.h"

namespace sluice::pr {

inline constexpr std::size_t kTreeBodyLimit = 300 * 1000;

// JSON arrays of tree entries, each at most `limit` bytes (a single entry larger than that goes
// alone). Inline files are read here; a file whose bytes no longer match the plan is an error.
Result<std::vector<std::string>> TreeRequestBatches(const CommitPlan& plan, std::size_t limit = kTreeBodyLimit);

}  // namespace sluice::pr
