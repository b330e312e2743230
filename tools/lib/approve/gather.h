// What sluice-approve knows of a PR, read from GitHub: labels and since when they are on it,
// the statuses and check runs of its head, its files (and whether each is plain text), and the
// reviews that approve its head.
#pragma once

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "approve/eligibility.h"
#include "core/status.h"
#include "github/api.h"

namespace sluice::approve {

// Open PRs whose head branch starts with "sluice/", oldest first.
Result<std::vector<rapidjson::Document>> OpenSluicePulls(github::Api& api);
// One PR by number (from a pull_request event).
Result<rapidjson::Document> Pull(github::Api& api, int number);

// The facts Evaluate needs, but the files' contents: labels, checks, reviews, the changed files
// and their blob ids.
Result<PullFacts> GatherFacts(github::Api& api, const rapidjson::Value& pull);

// Reads each changed file's blob (each distinct blob once) and sets its `problem`: every file
// must be text without control characters, but those whose extension `binary_extensions`
// ("parquet", ...) names. One request per blob, so the gate calls it only when every other rule
// would let the PR merge (GITHUB_TOKEN has 1,000 requests an hour).
Status ReadFileContents(github::Api& api, const std::vector<std::string>& binary_extensions, PullFacts& facts);

// "" for text sluice may publish unseen, else what is wrong with it ("holds control character
// 0x1b at byte 17").
std::string TextProblem(std::string_view content);

}  // namespace sluice::approve
