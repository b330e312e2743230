#include "approve/rollup.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "approve/eligibility.h"
#include "approve/gate.h"
#include "approve/gather.h"
#include "approve/policy.h"
#include "git/objects.h"
#include "github/git_data.h"
#include "github/names.h"
#include "github/pulls.h"
#include "json/json.h"
#include "json/writer.h"
#include "pr/trailers.h"

namespace sluice::approve {
namespace {

constexpr std::string_view kMemberTrailer = "Sluice-Rollup: ";

struct Candidate {
  const rapidjson::Value* pull = nullptr;
  int number = 0;
  std::string pipeline;
  std::string base;
  PullFacts facts;
};

std::string Ref(const rapidjson::Value& pull, const char* side) {
  const rapidjson::Value* end = json::Member(pull, side);
  return end != nullptr && end->IsObject() ? json::StringOr(*end, "ref") : "";
}

bool Labelled(const rapidjson::Value& pull, const std::string& name) {
  const rapidjson::Value* labels = json::Member(pull, "labels");
  if (labels == nullptr || !labels->IsArray()) return false;
  for (const auto& label : labels->GetArray()) {
    if (label.IsObject() && github::SameLabel(json::StringOr(label, "name"), name)) return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : std::string(separator)) + part;
  return out;
}

// Tree entries that make the rollup's tree hold each folded PR's files as they are at its head.
std::string TreeEntries(const std::vector<Candidate*>& folded) {
  rapidjson::StringBuffer buffer;
  json::TextWriter w(buffer);
  w.StartArray();
  auto entry = [&](const std::string& path, const std::string& blob) {
    w.StartObject();
    json::Field(w, "path", path);
    json::Field(w, "mode", git::kModeFile);
    json::Field(w, "type", "blob");
    w.Key("sha");
    if (blob.empty()) w.Null();  // GitHub's way of deleting a path from base_tree
    else w.String(blob.c_str(), static_cast<rapidjson::SizeType>(blob.size()));
    w.EndObject();
  };
  for (const Candidate* candidate : folded) {
    for (const ChangedFile& file : candidate->facts.files) {
      if (!file.previous_path.empty() && file.previous_path != file.path) entry(file.previous_path, "");
      entry(file.path, file.removed ? "" : file.blob);
    }
  }
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string RollupBody(const std::vector<RollupMember>& members, const std::string& run_url) {
  std::string body =
      "This PR rolls up the data PRs of several pipelines so that they publish together: it passes sluice's gate "
      "as one (every pipeline's outputs, labels and publish window apply) and is merged as one.\n\n";
  for (const RollupMember& member : members) body += fmt::format("- **{}**: data of #{}\n", member.pipeline, member.number);
  body += "\nEach folded PR passed sluice/validate on its own head before it was folded; the folded PRs are closed "
          "with a link here. Add the hold label to stop the rollup, as with any data PR.\n";
  if (!run_url.empty()) body += "\nFolded by " + run_url + "\n";
  body += "\n_Approve, do not merge: sluice merges at the window._\n";
  return body;
}

Status Refuse(github::Api& api, const std::optional<github::PullRequest>& rollup, const std::string& head) {
  std::string message = fmt::format(
      "the branch {} holds a commit sluice did not make ({}): nothing was folded, so that the commit is not lost. "
      "Merge or close the rollup PR by hand, or delete the branch, then label the PRs again.",
      kRollupBranch, head.substr(0, 7));
  if (rollup) (void)github::Comment(api, rollup->number, "sluice-approve: " + message);
  return UnsafeError(message);
}

}  // namespace

std::vector<RollupMember> RollupMembers(std::string_view message) {
  std::vector<RollupMember> members;
  std::size_t blank = message.rfind("\n\n");
  std::string_view trailers = blank == std::string_view::npos ? message : message.substr(blank + 2);
  while (!trailers.empty()) {
    std::size_t end = trailers.find('\n');
    std::string_view line = trailers.substr(0, end);
    if (line.rfind(kMemberTrailer, 0) == 0) {
      std::string_view rest = line.substr(kMemberTrailer.size());
      std::size_t hash = rest.rfind(" #");
      if (hash != std::string_view::npos) {
        RollupMember member{std::string(rest.substr(0, hash)), std::atoi(std::string(rest.substr(hash + 2)).c_str())};
        if (!member.pipeline.empty() && member.number > 0) members.push_back(std::move(member));
      }
    }
    if (end == std::string_view::npos) break;
    trailers.remove_prefix(end + 1);
  }
  return members;
}

std::string RollupMessage(const std::vector<RollupMember>& members, const std::string& run_url) {
  std::vector<std::string> names;
  for (const RollupMember& member : members) names.push_back(member.pipeline);
  std::string message = fmt::format("Roll up the data of {}\n\nSluice-Pipeline: rollup\n", Join(names, ", "));
  for (const RollupMember& member : members) message += fmt::format("{}{} #{}\n", kMemberTrailer, member.pipeline, member.number);
  if (!run_url.empty()) message += fmt::format("Sluice-Run: {}\n", run_url);
  return message;
}

Result<RollupOutcome> FoldRollup(github::Api& api, const std::vector<rapidjson::Document>& open,
                                 const GateOptions& options, const Environment& env) {
  RollupOutcome outcome;
  outcome.dry_run = options.dry_run;

  // The labelled PRs, each judged as it stands.
  std::vector<Candidate> candidates;
  for (const auto& pull : open) {
    std::string branch = Ref(pull, "head");
    if (branch == kRollupBranch) continue;
    const rapidjson::Value* number = json::Member(pull, "number");
    if (number == nullptr || !number->IsInt()) continue;
    std::string pipeline = branch.substr(std::string_view("sluice/").size());
    auto policy = PipelinePolicy(pipeline, options, env);
    if (!Labelled(pull, policy.ok() ? policy->labels.rollup : LabelNames().rollup)) continue;
    if (!policy.ok()) {
      outcome.skipped.emplace_back(number->GetInt(), policy.status().message());
      continue;
    }
    auto facts = GatherFacts(api, pull);
    if (!facts.ok()) return facts.status();
    SLUICE_RETURN_IF_ERROR(ReadFileContents(api, options.binary_extensions, *facts));
    std::vector<std::string> problems = FoldProblems(*facts, *policy);
    if (!problems.empty()) {
      outcome.skipped.emplace_back(number->GetInt(), "not folded: " + Join(problems, "; "));
      continue;
    }
    candidates.push_back({&pull, number->GetInt(), pipeline, Ref(pull, "base"), std::move(facts).value()});
  }

  // One base, one pipeline per PR, and no path claimed by two pipelines.
  std::vector<Candidate*> folded;
  std::map<std::string, std::string> claimed;  // path -> pipeline
  std::set<std::string> pipelines;
  for (Candidate& candidate : candidates) {
    if (!folded.empty() && candidate.base != folded.front()->base) {
      outcome.skipped.emplace_back(candidate.number, fmt::format("not folded: based on {}, the rollup on {}",
                                                                 candidate.base, folded.front()->base));
      continue;
    }
    if (pipelines.count(candidate.pipeline) != 0) {
      outcome.skipped.emplace_back(candidate.number, fmt::format("not folded: another open PR of {} is folded in this pass",
                                                                 candidate.pipeline));
      continue;
    }
    std::string clash;
    for (const ChangedFile& file : candidate.facts.files) {
      auto it = claimed.find(file.path);
      if (it != claimed.end() && it->second != candidate.pipeline) clash = fmt::format("{} (also changed by {})", file.path, it->second);
    }
    if (!clash.empty()) {
      outcome.skipped.emplace_back(candidate.number, "not folded: it changes " + clash);
      continue;
    }
    for (const ChangedFile& file : candidate.facts.files) claimed[file.path] = candidate.pipeline;
    pipelines.insert(candidate.pipeline);
    folded.push_back(&candidate);
  }
  for (const Candidate* candidate : folded) outcome.folded.push_back({candidate->pipeline, candidate->number});
  if (folded.empty() || options.dry_run) return outcome;

  // Where the rollup stands: an open rollup PR grows; otherwise the rollup starts on the base.
  const std::string& base = folded.front()->base;
  auto rollup = github::FindOpenPull(api, kRollupBranch);
  if (!rollup.ok()) return rollup.status();
  auto branch_sha = github::BranchSha(api, kRollupBranch);
  if (!branch_sha.ok()) return branch_sha.status();
  std::vector<RollupMember> members;
  std::string parent;
  if (*branch_sha) {
    auto head = github::ReadCommit(api, **branch_sha);
    if (!head.ok()) return head.status();
    if (!pr::MadeBySluice(head->message, "rollup")) return Refuse(api, *rollup, **branch_sha);
    if (*rollup) {
      members = RollupMembers(head->message);
      parent = **branch_sha;
    }
  }
  if (parent.empty()) {
    auto base_sha = github::BranchSha(api, base);
    if (!base_sha.ok()) return base_sha.status();
    if (!*base_sha) return ConfigError(fmt::format("the base branch {} of the folded PRs does not exist", base));
    parent = **base_sha;
  }
  auto parent_commit = github::ReadCommit(api, parent);
  if (!parent_commit.ok()) return parent_commit.status();

  auto tree = github::CreateTree(api, parent_commit->tree, TreeEntries(folded));
  if (!tree.ok()) return tree.status();
  // A pass that died after writing the rollup (before closing the PRs it folded) folds them again:
  // same members, same tree. Then the rollup's head stands, and no empty commit is made.
  const bool unchanged =
      *tree == parent_commit->tree && parent == branch_sha->value_or("") &&
      std::all_of(folded.begin(), folded.end(), [&](const Candidate* candidate) {
        return std::any_of(members.begin(), members.end(), [&](const RollupMember& m) {
          return m.pipeline == candidate->pipeline && m.number == candidate->number;
        });
      });
  // A newer PR of a pipeline already in the rollup replaces its older data and its line.
  for (const Candidate* candidate : folded) {
    members.erase(std::remove_if(members.begin(), members.end(),
                                 [&](const RollupMember& m) { return m.pipeline == candidate->pipeline; }),
                  members.end());
    members.push_back({candidate->pipeline, candidate->number});
  }
  if (unchanged) {
    outcome.commit_sha = parent;
  } else {
    auto commit = github::CreateCommit(api, RollupMessage(members, options.run_url), *tree, {parent});
    if (!commit.ok()) return commit.status();
    outcome.commit_sha = *commit;
    Status moved = *branch_sha ? github::MoveBranch(api, kRollupBranch, *commit, /*force=*/parent != **branch_sha)
                               : github::CreateBranch(api, kRollupBranch, *commit);
    SLUICE_RETURN_IF_ERROR(moved);
  }
  const std::string& commit = outcome.commit_sha;
  std::vector<std::string> numbers;
  for (const RollupMember& member : members) numbers.push_back(fmt::format("#{}", member.number));
  SLUICE_RETURN_IF_ERROR(github::SetCommitStatus(
      api, commit, github::CommitState::kSuccess, "sluice/validate",
      fmt::format("rollup of {}: each passed sluice/validate on its own head", Join(numbers, ", ")), options.run_url));

  std::vector<std::string> names;
  for (const RollupMember& member : members) names.push_back(member.pipeline);
  std::string title = "Data rollup: " + Join(names, ", ");
  std::string body = RollupBody(members, options.run_url);
  auto pull = *rollup ? github::UpdatePull(api, (*rollup)->number, title, body)
                      : github::CreatePull(api, kRollupBranch, base, title, body);
  if (!pull.ok()) return pull.status();
  outcome.number = pull->number;
  outcome.url = pull->url;

  // The rollup carries what its members' labels asked for (auto-approve, needs-review, a time
  // label), never the rollup label itself.
  std::set<std::string> labels;
  for (const Candidate* candidate : folded) {
    auto policy = PipelinePolicy(candidate->pipeline, options, env);
    for (const AppliedLabel& label : candidate->facts.labels) {
      if (policy.ok() && !github::SameLabel(label.name, policy->labels.rollup)) labels.insert(label.name);
    }
  }
  std::vector<std::string> missing;
  for (const std::string& label : labels) {
    if (!github::HasLabel(pull->labels, label)) missing.push_back(label);
  }
  if (!missing.empty()) SLUICE_RETURN_IF_ERROR(github::AddLabels(api, pull->number, missing));

  for (const Candidate* candidate : folded) {
    SLUICE_RETURN_IF_ERROR(github::Comment(
        api, candidate->number,
        fmt::format("Folded into the rollup PR #{} ({}), which publishes {} together. This PR is closed; its data is "
                    "there, at the head {} it had.",
                    pull->number, pull->url, Join(names, ", "), candidate->facts.head_sha.substr(0, 7))));
    SLUICE_RETURN_IF_ERROR(github::ClosePull(api, candidate->number));
  }
  return outcome;
}

}  // namespace sluice::approve
