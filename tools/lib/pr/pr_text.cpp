#include "pr/pr_text.h"

#include <algorithm>

#include <fmt/format.h>

#include "pr/data_branch.h"

namespace sluice::pr {
namespace {

constexpr std::size_t kListedFiles = 50;

std::string FileTable(const CommitPlan& plan) {
  std::string table = "| file | change |\n|---|---|\n";
  for (std::size_t i = 0; i < plan.changes.size() && i < kListedFiles; ++i) {
    table += fmt::format("| `{}` | {} |\n", plan.changes[i].path, ChangeKindName(plan.changes[i].kind));
  }
  if (plan.changes.size() > kListedFiles) table += fmt::format("\n…and {} more.\n", plan.changes.size() - kListedFiles);
  return table;
}

std::string ValidationSection(const PrInputs& inputs) {
  if (!inputs.validation_markdown.empty()) return inputs.validation_markdown;
  if (!inputs.validation) return "";
  const ValidationSummary& v = *inputs.validation;
  std::string text = fmt::format("**{}** — {} error{}, {} warning{}\n", v.status, v.errors, v.errors == 1 ? "" : "s",
                                 v.warnings, v.warnings == 1 ? "" : "s");
  for (const auto& check : v.failed_checks) text += "- " + check + "\n";
  return text;
}

std::string Header(const PrInputs& inputs, const CommitPlan& plan, const std::string& base, const ReviewDecision& review) {
  std::string text = fmt::format("## Data update: {}\n\n", inputs.pipeline);
  if (!inputs.description.empty()) text += inputs.description + "\n\n";
  text += fmt::format("{} on `{}`. **Review:** {}.\n\n", ChangeSummary(plan), base, review.reason);
  return text + FileTable(plan) + "\n";
}

std::string Footer(const PrInputs& inputs, const std::string& branch, const ReviewDecision& review) {
  std::string text = "\n---\n";
  if (!review.reviewers.empty()) {
    std::string people;
    for (const auto& login : review.reviewers) people += (people.empty() ? "@" : ", @") + login;
    text += fmt::format("**Reviewers** ({}): check the changes above and **approve, do not merge**: sluice merges the "
                        "approved data at the publish window (add `sluice:hold` to stop it).\n",
                        people);
  }
  if (!inputs.staging_url.empty()) {
    text += fmt::format("**Staging:** {} (the data as it would publish, for a look before approving; `{}`)\n",
                        inputs.staging_url, inputs.staging);
  } else if (!inputs.staging.empty()) {
    text += fmt::format("**Staging:** `{}`\n", inputs.staging);
  }
  if (!inputs.runbook.empty()) text += fmt::format("**Runbook:** {}\n", inputs.runbook);
  text += fmt::format("\n<sub>Opened by sluice-pr{}. Branch `{}` is rebuilt on the base at every run; a commit pushed "
                      "to it by hand stops the next run instead of being overwritten.</sub>\n",
                      inputs.run_url.empty() ? "" : fmt::format(" in [this run]({})", inputs.run_url), branch);
  return text;
}

}  // namespace

std::string TrimMarkdown(std::string_view markdown, std::size_t limit) {
  if (markdown.size() <= limit) return std::string(markdown);
  constexpr std::string_view kClose = "\n```\n";
  std::size_t cut = limit > kClose.size() ? limit - kClose.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(markdown[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  const std::size_t line = markdown.rfind('\n', cut == 0 ? 0 : cut - 1);
  if (line != std::string_view::npos && line > 0) cut = line + 1;
  std::string kept(markdown.substr(0, cut));
  // Count fence lines: an odd number means the cut fell inside a code block.
  std::size_t fences = 0;
  for (std::size_t at = 0; at < kept.size();) {
    const std::size_t end = std::min(kept.find('\n', at), kept.size());
    std::string_view row(kept.data() + at, end - at);
    while (!row.empty() && row.front() == ' ') row.remove_prefix(1);
    if (row.rfind("```", 0) == 0) ++fences;
    at = end + 1;
  }
  if (fences % 2 == 1) kept += kClose.substr(kept.empty() || kept.back() == '\n' ? 1 : 0);
  return kept;
}

PrText ComposePr(const PrInputs& inputs, const CommitPlan& plan, const std::string& base, const std::string& branch,
                 const ReviewDecision& review, std::size_t limit) {
  PrText text;
  text.title = fmt::format("Data update: {} ({})", inputs.pipeline, ChangeSummary(plan));
  const std::string header = Header(inputs, plan, base, review);
  const std::string footer = Footer(inputs, branch, review);
  std::string middle;
  if (std::string validation = ValidationSection(inputs); !validation.empty()) middle += "### Validation\n\n" + validation + "\n";
  if (!inputs.diff_markdown.empty()) middle += "### What changed\n\n" + inputs.diff_markdown + "\n";
  const std::string note = fmt::format("\n> **Trimmed** to fit GitHub's 65,536-character limit for a PR body; the "
                                       "full reports are in the run's step summary{}.\n",
                                       inputs.run_url.empty() ? "" : " (" + inputs.run_url + ")");
  const std::size_t fixed = header.size() + footer.size();
  if (fixed + middle.size() > limit) {
    const std::size_t room = limit > fixed + note.size() ? limit - fixed - note.size() : 0;
    middle = TrimMarkdown(middle, room) + note;
    text.trimmed = true;
  }
  text.body = header + middle + footer;
  if (text.body.size() > limit) text.body = TrimMarkdown(text.body, limit);  // a header of thousands of files
  return text;
}

}  // namespace sluice::pr
