#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "git/objects.h"
#include "support/data_repo.h"

using namespace sluice;

namespace {

std::string Trim(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace

TEST_CASE("blob ids computed locally are git's", "[git]") {
  DataRepo repo;
  const auto file = repo.Write("data/x.bin", std::string("a\0b\nc", 5));
  CHECK(git::BlobId(std::string("a\0b\nc", 5)) == Trim(repo.Git({"hash-object", "data/x.bin"})));
  CHECK(git::BlobIdOfFile(file).value() == git::BlobId(std::string("a\0b\nc", 5)));
  CHECK(git::BlobId("") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  CHECK(git::BlobIdOfFile(repo.path() / "absent").status().kind() == ErrorKind::kInput);
}

TEST_CASE("a tree serialised locally has git's id, entries in git's order", "[git]") {
  DataRepo repo;
  repo.Write("a.b", "1");
  repo.Write("a/x", "2");  // git sorts the tree "a" as "a/", after "a.b"
  std::filesystem::permissions(repo.Write("run.sh", "3"), std::filesystem::perms::owner_exec, std::filesystem::perm_options::add);
  repo.Commit("tree");
  const std::string blob_ab = Trim(repo.Git({"rev-parse", "HEAD:a.b"}));
  const std::string tree_a = Trim(repo.Git({"rev-parse", "HEAD:a"}));
  const std::string blob_run = Trim(repo.Git({"rev-parse", "HEAD:run.sh"}));
  auto tree = git::SerializeTree({{"run.sh", "100755", blob_run}, {"a", "040000", tree_a}, {"a.b", "100644", blob_ab}});
  REQUIRE(tree.ok());
  CHECK(tree->sha == Trim(repo.Git({"rev-parse", "HEAD^{tree}"})));
  CHECK_FALSE(git::SerializeTree({{"x", "100644", "not-a-sha"}}).ok());
  CHECK_FALSE(git::SerializeTree({{"a/b", "100644", blob_ab}}).ok());
  CHECK(git::SerializeTree({}).value().sha == "4b825dc642cb6eb9a060e54bf8d69288fbee4904");  // git's empty tree
}
