// Whether sluice-approve may merge a data PR now, and why not, in words a reviewer understands.
// Pure: the facts are gathered from GitHub elsewhere (approve/gather.h), so every rule can be
// flipped in a unit test.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "approve/window.h"
#include "pipeline/manifest.h"

namespace sluice::approve {

// The label names (manifest "labels" overrides the first three).
struct LabelNames {
  std::string auto_approve = "sluice:auto-approve";
  std::string hold = "sluice:hold";
  std::string needs_review = "sluice:needs-review";
  std::string publish_now = "sluice:publish-now";
  std::string publish_at_prefix = "sluice:publish-at-";  // + "HH:MM", the pipeline's time zone
  std::string rollup = "sluice:rollup";  // fold into the one rollup PR (approve/rollup.h)
  std::string queued = "sluice:queued";  // sluice put it in the merge queue (approve/queued.h)
};

struct AppliedLabel {
  std::string name;  // as GitHub spells it; compared without case (github/names.h)
  std::optional<Time> applied_at;  // when it was last added (the "labeled" event)
};

// A commit status or a check run on the head commit (the latest one of each name).
struct HeadCheck {
  std::string name;     // status context or check run name
  std::string outcome;  // success, failure, error, pending; check runs: their conclusion, or "pending"
  std::string creator;  // status: creator.login; check run: the app's slug
};

struct ChangedFile {
  std::string path;
  std::string previous_path;  // for a rename
  std::string problem;        // "" or e.g. "holds control characters (byte 0x01 at offset 17)"
  std::string blob;           // the file's blob id at the head ("" when removed)
  bool removed = false;
};

struct PullFacts {
  int number = 0;
  std::string branch;  // head ref, "sluice/cases"
  std::string head_sha;
  std::string author;
  bool draft = false;
  std::vector<AppliedLabel> labels;
  std::vector<HeadCheck> statuses;
  std::vector<HeadCheck> check_runs;
  std::vector<ChangedFile> files;
  std::vector<std::string> approved_by;  // logins whose latest review of the head approves it
  bool contents_read = false;  // the files' `problem`s are known (approve/gather.h ReadFileContents)
};

struct GatePolicy {
  LabelNames labels;
  std::string identity;  // the login that opens sluice PRs and sets sluice/validate
  std::string review = "manual";  // the manifest's "auto" or "manual"
  std::vector<std::string> outputs;  // the pipeline's declared output paths
  // Names that must be present and successful: the base branch's required checks (classic
  // protection and rulesets) and --require-check. No other check decides the gate.
  std::vector<std::string> required_checks;
  std::optional<pipeline::PublishWindow> window;
  bool paused = false;  // SLUICE_PAUSED or --paused
};

struct Decision {
  bool merge = false;
  std::string trigger;               // what made it due: "label sluice:auto-approve", "approved by alice", ...
  std::vector<std::string> reasons;  // why not; "held by label sluice:hold" first when held
  std::vector<std::string> notes;    // said to the reviewer, never blocking: a failing check that is not required
  std::string window;                // the window's state in words, for the review and the summary
};

// With `pull.contents_read` false, a decision to merge is provisional: the files' contents
// must be read and the PR evaluated again.
Decision Evaluate(const PullFacts& pull, const GatePolicy& policy, Time now);

// Why a PR may not be folded into the rollup PR, which would carry its data on (empty: it may):
// held, paused, a draft, or any provenance rule of Evaluate (identity, sluice/validate by the
// identity, checks, only the pipeline's text outputs). Labels and the window are the rollup's
// own business.
std::vector<std::string> FoldProblems(const PullFacts& pull, const GatePolicy& policy);

// "sluice:publish-at-09:30" -> {9, 30}; nullopt for any other label.
std::optional<std::pair<int, int>> PublishAtClock(const std::string& label, const LabelNames& names);

}  // namespace sluice::approve
