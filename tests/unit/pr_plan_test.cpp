// The commit plan of a data PR against a base tree: what changes, how bytes travel, the tree id.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include "git/objects.h"
#include "pr/commit_plan.h"
#include "pr/known_tree.h"
#include "pr/targets.h"
#include "pr/tree_requests.h"
#include "support/data_repo.h"

using namespace sluice;
using namespace sluice::pr;

namespace {

std::string Trim(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// Trees listed by `git ls-tree` of a DataRepo, recursive or not, truncated past `limit` entries.
class RepoTrees : public TreeSource {
 public:
  RepoTrees(const DataRepo& repo, std::size_t limit) : repo_(repo), limit_(limit) {}
  int calls = 0;

  Result<TreeLevel> List(const std::string& tree, bool recursive) override {
    ++calls;
    TreeLevel level;
    level.sha = Trim(repo_.Git({"rev-parse", tree + "^{tree}"}));
    std::vector<std::string> args = {"ls-tree", "--full-tree"};
    if (recursive) args.push_back("-rt");
    args.push_back(tree);
    std::string out = repo_.Git(args);
    for (size_t at = 0; at < out.size();) {
      const size_t end = out.find('\n', at);
      std::string line = out.substr(at, end - at);
      at = end + 1;
      const size_t tab = line.find('\t');
      const std::string mode = line.substr(0, 6), sha = line.substr(line.find(' ', 7) + 1, 40), path = line.substr(tab + 1);
      level.entries.push_back({path, git::TreeEntry{BaseName(path), mode, sha}});
    }
    if (recursive && level.entries.size() > limit_) {
      level.entries.resize(limit_);
      level.truncated = true;
    }
    return level;
  }

 private:
  const DataRepo& repo_;
  std::size_t limit_;
};

struct Base {
  DataRepo repo;
  Base() {
    repo.Write("README.md", "readme\n");
    repo.Write("data/cases.csv", "a\n1\n");
    repo.Write("data/old/gone.csv", "x\n");
    repo.Write("data/old/kept.csv", "y\n");
    for (int i = 0; i < 20; ++i) repo.Write("archive/" + std::to_string(i) + ".csv", std::to_string(i));
    repo.Commit("base");
  }
  KnownTree Read(const std::vector<std::string>& paths, std::size_t limit = 1000) {
    RepoTrees trees(repo, limit);
    return ReadKnownTree(trees, "HEAD", paths).value();
  }
  // The tree id git computes for the working tree as it is now.
  std::string WorkingTree() {
    repo.Git({"add", "-A"});
    return Trim(repo.Git({"write-tree"}));
  }
};

}  // namespace

TEST_CASE("the plan names what changed, skips what did not, and predicts git's tree id", "[pr]") {
  Base base;
  base.repo.Write("data/cases.csv", "a\n2\n");
  base.repo.Write("data/new/fresh.csv", "z\n");
  const Targets targets = CollectNamed(base.repo.path(), {"data/cases.csv", "data/new/fresh.csv", "README.md"}).value();
  auto plan = PlanCommit(base.Read(targets.AllPaths()), targets);
  REQUIRE(plan.ok());
  REQUIRE(plan->changes.size() == 2);
  CHECK(plan->changes[0].path == "data/cases.csv");
  CHECK(plan->changes[0].kind == ChangeKind::kModify);
  CHECK(plan->changes[0].route == BlobRoute::kInline);
  CHECK(plan->changes[1].kind == ChangeKind::kAdd);
  CHECK(plan->unchanged == 1);
  CHECK(plan->tree == base.WorkingTree());
}

TEST_CASE("a mirrored folder deletes what the workspace no longer has, emptied directories vanish", "[pr]") {
  Base base;
  std::filesystem::remove(base.repo.path() / "data/old/gone.csv");
  std::filesystem::remove(base.repo.path() / "data/old/kept.csv");
  base.repo.Write("data/old/kept.csv", "y\n");
  const Targets targets = CollectNamed(base.repo.path(), {"data/old"}).value();
  auto plan = PlanCommit(base.Read(targets.AllPaths()), targets).value();
  REQUIRE(plan.changes.size() == 1);
  CHECK(plan.changes[0].kind == ChangeKind::kDelete);
  CHECK(plan.changes[0].path == "data/old/gone.csv");
  CHECK(plan.tree == base.WorkingTree());

  std::filesystem::remove_all(base.repo.path() / "data/old");
  const Targets gone = CollectNamed(base.repo.path(), {"data/old"}).value();
  auto emptied = PlanCommit(base.Read(gone.AllPaths()), gone).value();
  CHECK(emptied.Count(ChangeKind::kDelete) == 2);
  CHECK(emptied.tree == base.WorkingTree());
}

TEST_CASE("nothing changed: an empty plan whose tree is the base's", "[pr]") {
  Base base;
  const Targets targets = CollectDeclared(base.repo.path(), {"data/cases.csv", "data/absent.csv"}, {}).value();
  auto plan = PlanCommit(base.Read(targets.AllPaths()), targets).value();
  CHECK(plan.empty());
  CHECK(plan.tree == plan.base_tree);
  CHECK(plan.trees.empty());
}

TEST_CASE("a truncated listing is walked through the directories that matter only", "[pr]") {
  Base base;
  base.repo.Write("data/cases.csv", "a\n3\n");
  const Targets targets = CollectNamed(base.repo.path(), {"data/cases.csv"}).value();
  RepoTrees trees(base.repo, 5);
  auto known = ReadKnownTree(trees, "HEAD", targets.AllPaths()).value();
  CHECK(known.Knows("data"));
  CHECK_FALSE(known.Knows("archive"));  // 20 files nobody writes: never listed
  CHECK(trees.calls <= 4);
  CHECK(PlanCommit(known, targets).value().tree == base.WorkingTree());
}

TEST_CASE("content the base holds travels by id, binary as one upload, identical files once", "[pr]") {
  Base base;
  base.repo.Write("data/copy.csv", "a\n1\n");  // the bytes of data/cases.csv
  base.repo.Write("data/x.bin", std::string("\x00\x01\x02", 3));
  base.repo.Write("data/y.bin", std::string("\x00\x01\x02", 3));
  const Targets targets = CollectNamed(base.repo.path(), {"data/copy.csv", "data/x.bin", "data/y.bin"}).value();
  auto plan = PlanCommit(base.Read(targets.AllPaths()), targets).value();
  REQUIRE(plan.changes.size() == 3);
  CHECK(plan.changes[0].route == BlobRoute::kKnown);
  CHECK(plan.changes[1].route == BlobRoute::kUpload);
  CHECK(plan.changes[2].route == BlobRoute::kUpload);
  CHECK(plan.uploads.size() == 1);
}

TEST_CASE("a file cannot replace a directory of the base, nor a directory a file", "[pr]") {
  Base base;
  std::filesystem::remove_all(base.repo.path() / "data/old");
  base.repo.Write("data/old", "now a file\n");
  const Targets targets = CollectNamed(base.repo.path(), {"data/old"}).value();
  CHECK(PlanCommit(base.Read(targets.AllPaths()), targets).status().kind() == ErrorKind::kInput);
}

TEST_CASE("tree requests are batched under the body limit, deletions as sha null", "[pr]") {
  Base base;
  for (int i = 0; i < 40; ++i) base.repo.Write("data/many/" + std::to_string(i) + ".csv", std::string(1000, 'a' + i % 26));
  std::filesystem::remove(base.repo.path() / "data/cases.csv");
  const Targets targets = CollectNamed(base.repo.path(), {"data/many"}).value();
  Targets with_deletion = targets;
  with_deletion.absent.push_back("data/cases.csv");
  auto plan = PlanCommit(base.Read(with_deletion.AllPaths()), with_deletion).value();
  auto batches = TreeRequestBatches(plan, 10'000).value();
  CHECK(batches.size() >= 4);
  std::size_t entries = 0;
  for (const auto& batch : batches) {
    CHECK(batch.size() + 64 <= 10'000);
    entries += static_cast<std::size_t>(std::count(batch.begin(), batch.end(), '{'));
  }
  CHECK(entries == 41);
  CHECK_THAT(batches.front(), Catch::Contains(R"({"path":"data/cases.csv","mode":"100644","type":"blob","sha":null})"));
}
