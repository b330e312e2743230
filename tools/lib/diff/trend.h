// A trend line for the PR body: a field's total over the last versions in git and the new data,
// as a Mermaid xychart-beta block (GitHub renders it), so a reviewer sees a jump at a glance.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <rapidjson/document.h>

#include "diff/diff.h"
#include "git/repository.h"

namespace sluice::diff {

struct TrendConfig {
  std::string field;
  std::size_t history = 10;
};

// The source's {"metrics": {"trend": {"field": "cases", "history": 10}}}, if present.
std::optional<TrendConfig> TrendConfigOf(const rapidjson::Value& source);

// Prepends the field's total in each of the last `history` versions of `path` at `revision`
// (oldest first) to `trend`, which holds the new data's point.
Status AddHistory(const git::Repository& repo, const std::string& revision, const std::string& path,
                  pipeline::DataFormat format, std::size_t history, Trend& trend,
                  const std::optional<json::PointerPattern>& records = std::nullopt);

std::string TrendMermaid(const Trend& trend);

}  // namespace sluice::diff
