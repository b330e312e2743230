// The data PR's title and body: what changed, the validation and the diff that sluice-validate
// and sluice-diff wrote, and what a reviewer should do. The body stays under GitHub's 65,536-
// character limit (a longer one is refused with 422): the reports are trimmed, with a note.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "pr/commit_plan.h"
#include "pr/review_policy.h"

namespace sluice::pr {

// Bytes, which is never fewer than GitHub's characters; a margin keeps the note in.
inline constexpr std::size_t kBodyLimit = 65'000;

struct PrInputs {
  std::string pipeline;
  std::string description;
  std::string staging;  // storage URL, shown to reviewers
  std::string staging_url;  // where reviewers read the staging copy (manifest publish.staging_url), linked
  std::string runbook;
  std::optional<ValidationSummary> validation;
  std::string validation_markdown;  // as sluice-validate wrote it ("" none)
  std::string diff_markdown;        // as sluice-diff --markdown wrote it ("" none)
  std::string run_url;
};

struct PrText {
  std::string title;
  std::string body;
  bool trimmed = false;
};

PrText ComposePr(const PrInputs& inputs, const CommitPlan& plan, const std::string& base, const std::string& branch,
                 const ReviewDecision& review, std::size_t limit = kBodyLimit);

// `markdown` cut at a line boundary to at most `limit` bytes (never inside a UTF-8 sequence),
// an open code fence closed; unchanged when it fits.
std::string TrimMarkdown(std::string_view markdown, std::size_t limit);

}  // namespace sluice::pr
