// "Did you mean ...?": the names closest to one that matched nothing, for configuration errors
// (a misspelled option, a field no record has).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// Edit distance (Levenshtein) between `a` and `b`, ASCII case ignored.
std::size_t EditDistance(std::string_view a, std::string_view b);

// Up to `limit` of `candidates` close to `wanted`, closest first: equal but for case, then
// within an edit distance of a third of the longer name (at least 1, at most 3).
std::vector<std::string> ClosestNames(std::string_view wanted, const std::vector<std::string>& candidates,
                                      std::size_t limit = 3);

}  // namespace sluice
