// The words of a data PR: trailers, title and body within GitHub's limit, the review decision.
#include <catch2/catch.hpp>

#include <string>

#include "pr/pr_text.h"
#include "pr/review_policy.h"
#include "pr/trailers.h"
#include "support/temp_dir.h"

using namespace sluice;
using namespace sluice::pr;

TEST_CASE("sluice knows its commits by the trailer in the last paragraph", "[pr]") {
  const std::string message = CommitMessage("cases", "1 file: 1 modified", "https://github.com/o/r/actions/runs/1");
  CHECK(MadeBySluice(message, "cases"));
  CHECK_THAT(message, Catch::EndsWith("\n\nSluice-Pipeline: cases\nSluice-Run: https://github.com/o/r/actions/runs/1\n"));
  CHECK_FALSE(MadeBySluice(message, "deaths"));
  CHECK_FALSE(MadeBySluice("Fix Alameda", "cases"));
  CHECK_FALSE(MadeBySluice("Revert\n\nSluice-Pipeline: cases was wrong\n\nSigned-off-by: r", "cases"));
  CHECK(MadeBySluice("Update\n\nSluice-Pipeline: cases\r\nSigned-off-by: x\r\n", "cases"));
}

TEST_CASE("Markdown is trimmed at a line, never inside a character, and open fences are closed", "[pr]") {
  CHECK(TrimMarkdown("short\n", 100) == "short\n");
  const std::string fenced = "intro\n```\nline one\nline two é\nline three\n```\n";
  const std::string cut = TrimMarkdown(fenced, 30);
  CHECK(cut.size() <= 30);
  CHECK_THAT(cut, Catch::StartsWith("intro\n```\n") && Catch::EndsWith("```\n"));
  CHECK(TrimMarkdown("é é é é é é é é é é é é", 8).size() <= 8);
}

TEST_CASE("the PR body stays under the limit with a note, keeping the header and the footer", "[pr]") {
  CommitPlan plan;
  LocalFile file{"data/cases.csv", "/w/data/cases.csv", "abc", 10, false, true};
  plan.changes.push_back(FileChange{ChangeKind::kModify, "data/cases.csv", "100644", "abc", BlobRoute::kInline, &file});
  PrInputs inputs;
  inputs.pipeline = "cases";
  inputs.description = "Daily cases.";
  inputs.diff_markdown = std::string(200'000, 'x');
  inputs.run_url = "https://github.com/o/r/actions/runs/9";
  ReviewDecision review = DecideReview(ReviewPolicy{"manual", {"alice"}}, std::nullopt);
  PrText text = ComposePr(inputs, plan, "main", "sluice/cases", review);
  CHECK(text.trimmed);
  CHECK(text.body.size() <= kBodyLimit);
  CHECK_THAT(text.body, Catch::Contains("Daily cases.") && Catch::Contains("Trimmed") && Catch::Contains("@alice") &&
                            Catch::Contains("actions/runs/9"));
  // Hand review made easy: the reviewers approve, sluice merges at the window.
  CHECK_THAT(text.body, Catch::Contains("approve, do not merge") && Catch::Contains("publish window"));
  CHECK(text.title == "Data update: cases (1 file: 1 modified)");
  inputs.diff_markdown = "small";
  CHECK_FALSE(ComposePr(inputs, plan, "main", "sluice/cases", review).trimmed);
}

TEST_CASE("auto-approval only for an auto pipeline whose validation passed without warnings", "[pr]") {
  ReviewPolicy policy{"auto", {"alice", "bob"}};
  ValidationSummary clean{"passed", 0, 0, {}};
  ValidationSummary warned{"warnings", 0, 2, {"cases.value_change (warning): +60%"}};
  auto decided = DecideReview(policy, clean);
  CHECK(decided.label == "sluice:auto-approve");
  CHECK(decided.remove_label == "sluice:needs-review");
  CHECK(decided.reviewers.empty());
  auto warning = DecideReview(policy, warned);
  CHECK(warning.label == "sluice:needs-review");
  CHECK(warning.reviewers == std::vector<std::string>{"alice", "bob"});
  CHECK_THAT(warning.reason, Catch::Contains("2 validation warnings"));
  CHECK(DecideReview(policy, std::nullopt).label == "sluice:needs-review");
  CHECK(DecideReview(ReviewPolicy{"manual", {}}, clean).label == "sluice:needs-review");
}

TEST_CASE("the validation report is read from sluice-validate's JSON", "[pr]") {
  TempDir dir;
  auto file = dir.Write("v.json", R"({"pipeline":"cases","status":"failed","errors":1,"warnings":0,"passed":1,"skipped":0,
    "allowed":[],"outputs":[{"name":"cases","path":"data/cases.csv","previous":"","records":3,"checks":[
      {"id":"cases.schema","type":"schema","severity":"error","status":"failed","summary":"2 records invalid","failures":2,"examples":[]}]}]})");
  auto summary = ReadValidationReport(file);
  REQUIRE(summary.ok());
  CHECK_FALSE(summary->passed());
  CHECK(summary->failed_checks == std::vector<std::string>{"cases.schema (failed): 2 records invalid"});
  CHECK(ReadValidationReport(dir.Write("x.json", "[1]")).status().kind() == ErrorKind::kInput);
}

TEST_CASE("the PR body links the staging copy for reviewers when the manifest says where it is read", "[pr]") {
  PrInputs inputs;
  inputs.pipeline = "cases";
  inputs.staging = "az://acct/staging/cases";
  inputs.staging_url = "https://acct.blob.core.windows.net/staging/cases/";
  CommitPlan plan;
  ReviewDecision review = DecideReview(ReviewPolicy{"manual", {"alice"}}, std::nullopt);
  std::string body = ComposePr(inputs, plan, "main", "sluice/cases", review).body;
  CHECK_THAT(body, Catch::Contains("**Staging:** https://acct.blob.core.windows.net/staging/cases/ (the data as it would "
                                   "publish, for a look before approving; `az://acct/staging/cases`)"));
  inputs.staging_url.clear();
  CHECK_THAT(ComposePr(inputs, plan, "main", "sluice/cases", review).body, Catch::Contains("**Staging:** `az://acct/staging/cases`"));
}
