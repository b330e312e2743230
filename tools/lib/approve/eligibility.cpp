#include "approve/eligibility.h"

#include <algorithm>

#include <fmt/format.h>

#include "github/names.h"

namespace sluice::approve {
namespace {

const AppliedLabel* FindLabel(const PullFacts& pull, const std::string& name) {
  auto it = std::find_if(pull.labels.begin(), pull.labels.end(), [&](const AppliedLabel& l) { return github::SameLabel(l.name, name); });
  return it == pull.labels.end() ? nullptr : &*it;
}

bool Green(const std::string& outcome) { return outcome == "success" || outcome == "neutral" || outcome == "skipped"; }

const HeadCheck* FindCheck(const PullFacts& pull, const std::string& name) {
  for (const auto* list : {&pull.statuses, &pull.check_runs}) {
    for (const HeadCheck& check : *list) {
      if (check.name == name) return &check;
    }
  }
  return nullptr;
}

std::string Short(const std::string& sha) { return sha.substr(0, 7); }

// Why a required check has no result on the head. A PR that GITHUB_TOKEN pushed starts no
// workflow run (docs.github.com, "Triggering a workflow from a workflow"), so a check that comes
// from a workflow never reports on it: waiting would stall for good.
std::string MissingCheck(const PullFacts& pull, const std::string& name) {
  if (github::IsActionsBot(pull.author)) {
    return fmt::format("required check {} never ran on head {}: runs on PRs pushed with GITHUB_TOKEN do not start; "
                       "use a GitHub App token (the workflows' app-id input)",
                       name, Short(pull.head_sha));
  }
  return fmt::format("required check {} has not reported on head {}", name, Short(pull.head_sha));
}

// The checks that decide: sluice/validate (above), the base branch's required checks and
// --require-check (policy.required_checks). Other checks and statuses are not judged: among them
// are this gate's own workflow runs, in progress while it runs, and those its concurrency group
// cancelled, which would block the head for good. A failing one is noted for the reviewer.
void CheckRequired(const PullFacts& pull, const GatePolicy& policy, std::vector<std::string>& reasons,
                   std::vector<std::string>& notes) {
  for (const std::string& name : policy.required_checks) {
    const HeadCheck* check = FindCheck(pull, name);
    if (check == nullptr) {
      reasons.push_back(MissingCheck(pull, name));
    } else if (check->outcome == "pending") {
      reasons.push_back(fmt::format("required check {} is still running", name));
    } else if (check->outcome == "action_required") {
      reasons.push_back(fmt::format(
          "required check {} waits for a maintainer to approve its workflow run (GitHub holds runs on PRs pushed by a "
          "bot): approve it in the Actions tab, or push sluice's PRs with a GitHub App token (the workflows' app-id input)",
          name));
    } else if (!Green(check->outcome)) {
      reasons.push_back(fmt::format("required check {} failing ({})", name, check->outcome));
    }
  }
  for (const auto* list : {&pull.statuses, &pull.check_runs}) {
    for (const HeadCheck& check : *list) {
      if (check.name == "sluice/validate" || Green(check.outcome) || check.outcome == "pending") continue;
      if (std::find(policy.required_checks.begin(), policy.required_checks.end(), check.name) != policy.required_checks.end()) {
        continue;
      }
      std::string note = fmt::format("check {} is {} (not required, so not judged)", check.name, check.outcome);
      if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
    }
  }
}

// The rules about who made the PR and what it carries: identity, validation, checks, files.
void CheckProvenance(const PullFacts& pull, const GatePolicy& policy, std::vector<std::string>& reasons,
                     std::vector<std::string>& notes) {
  if (!github::SameLogin(pull.author, policy.identity)) {
    reasons.push_back(fmt::format("opened by {}, not by sluice's identity {}", pull.author, policy.identity));
  }
  const HeadCheck* validate = nullptr;
  for (const HeadCheck& status : pull.statuses) {
    if (status.name == "sluice/validate") validate = &status;
  }
  if (validate == nullptr) {
    reasons.push_back(fmt::format("head {} has no sluice/validate status", Short(pull.head_sha)));
  } else if (!github::SameLogin(validate->creator, policy.identity)) {
    reasons.push_back(fmt::format("the sluice/validate status on head {} was set by {}, not by {}", Short(pull.head_sha),
                                  validate->creator, policy.identity));
  } else if (validate->outcome != "success") {
    reasons.push_back(fmt::format("sluice/validate is {} on head {}", validate->outcome, Short(pull.head_sha)));
  }
  CheckRequired(pull, policy, reasons, notes);
  for (const ChangedFile& file : pull.files) {
    for (const std::string* path : {&file.path, &file.previous_path}) {
      if (path->empty()) continue;
      if (std::find(policy.outputs.begin(), policy.outputs.end(), *path) == policy.outputs.end()) {
        reasons.push_back(fmt::format("changes {}, which is not a data output of the pipeline", *path));
      }
    }
    if (!file.problem.empty()) reasons.push_back(fmt::format("{} {}", file.path, file.problem));
  }
  if (pull.files.empty()) reasons.push_back("changes no file");
}

}  // namespace

std::vector<std::string> FoldProblems(const PullFacts& pull, const GatePolicy& policy) {
  std::vector<std::string> reasons;
  if (FindLabel(pull, policy.labels.hold) != nullptr) reasons.push_back(fmt::format("held by label {}", policy.labels.hold));
  if (policy.paused) reasons.push_back("automation is paused for the repository (SLUICE_PAUSED)");
  if (pull.draft) reasons.push_back("is a draft");
  std::vector<std::string> notes;
  CheckProvenance(pull, policy, reasons, notes);
  return reasons;
}

std::optional<std::pair<int, int>> PublishAtClock(const std::string& label, const LabelNames& names) {
  if (label.rfind(names.publish_at_prefix, 0) != 0) return std::nullopt;
  auto clock = ParseClock(label.substr(names.publish_at_prefix.size()));
  if (!clock.ok()) return std::nullopt;
  return *clock;
}

Decision Evaluate(const PullFacts& pull, const GatePolicy& policy, Time now) {
  Decision decision;
  std::vector<std::string>& reasons = decision.reasons;
  const LabelNames& names = policy.labels;
  if (FindLabel(pull, names.hold) != nullptr) reasons.push_back(fmt::format("held by label {}", names.hold));
  if (policy.paused) reasons.push_back("automation is paused for the repository (SLUICE_PAUSED)");
  if (pull.branch.rfind("sluice/", 0) != 0) reasons.push_back(fmt::format("branch {} is not a sluice/ branch", pull.branch));
  if (pull.draft) reasons.push_back("is a draft");
  CheckProvenance(pull, policy, reasons, decision.notes);

  // What makes it due: a time label (its own time replaces the window), or the auto-approve
  // label or a reviewer's approval (both wait for the window).
  bool needs_review = FindLabel(pull, names.needs_review) != nullptr;
  std::vector<std::string> approvers;
  for (const std::string& login : pull.approved_by) {
    if (!github::SameLogin(login, policy.identity)) approvers.push_back(login);
  }
  bool windowed = false;
  std::string waiting;
  if (FindLabel(pull, names.publish_now) != nullptr) {
    decision.trigger = "label " + names.publish_now;
  }
  for (const AppliedLabel& label : pull.labels) {
    auto clock = PublishAtClock(label.name, names);
    if (!clock || !decision.trigger.empty()) continue;
    std::string zone = policy.window ? policy.window->timezone : "UTC";
    // Due at the first hh:mm after the label was added, and due from then on: a late or
    // rate-limited pass still merges at the next one.
    Time since = label.applied_at.value_or(now);
    auto due = NextLocalTime(since, zone, clock->first, clock->second);
    if (!due.ok()) {
      reasons.push_back(due.status().message());
    } else if (*due <= now) {
      decision.trigger = "label " + label.name;
    } else {
      auto text = LocalText(*due, zone);
      waiting = fmt::format("label {} is due at {}", label.name, text.ok() ? *text : "?");
    }
  }
  if (decision.trigger.empty()) {
    if (!approvers.empty()) {
      decision.trigger = "approved by " + approvers.front();
      windowed = true;
    } else if (needs_review) {
      waiting = fmt::format("waiting for a reviewer's approval (label {})", names.needs_review);
    } else if (FindLabel(pull, names.auto_approve) != nullptr) {
      if (policy.review == "auto") {
        decision.trigger = "label " + names.auto_approve;
        windowed = true;
      } else {
        waiting = fmt::format("the pipeline's review is manual: label {} does not apply, a reviewer's approval does",
                              names.auto_approve);
      }
    } else if (waiting.empty()) {
      waiting = fmt::format("no label {}, no due time label and no approving review", names.auto_approve);
    }
  }
  if (needs_review && approvers.empty()) {
    // sluice:needs-review is satisfied by a reviewer's approval only, whatever else is due.
    decision.trigger.clear();
    waiting = fmt::format("waiting for a reviewer's approval (label {})", names.needs_review);
  }
  if (decision.trigger.empty()) reasons.push_back(waiting);
  if (policy.window) {
    auto state = CheckWindow(*policy.window, now);
    if (!state.ok()) {
      reasons.push_back(state.status().message());
    } else {
      decision.window = state->open ? "inside the publish window (" + state->description + ")" : state->next_text;
      if (windowed && !state->open) reasons.push_back("outside the window, " + state->next_text);
    }
  }
  decision.merge = reasons.empty();
  return decision;
}

}  // namespace sluice::approve
