// What a data PR may write: declared outputs or named paths, never anything that escapes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "pr/targets.h"
#include "support/temp_dir.h"

using namespace sluice;
using namespace sluice::pr;
namespace fs = std::filesystem;

TEST_CASE("declared outputs: present files are hashed, absent ones listed for deletion", "[pr]") {
  TempDir ws;
  ws.Write("data/cases.csv", "a\n1\n");
  auto targets = CollectDeclared(ws.path(), {"data/cases.csv", "data/gone.csv"}, {});
  REQUIRE(targets.ok());
  REQUIRE(targets->files.size() == 1);
  CHECK(targets->files[0].sha == "38c94da49473ad9ff172c45d5caff133fb8ca53f");  // git hash-object
  CHECK(targets->files[0].inline_text);
  CHECK(targets->absent == std::vector<std::string>{"data/gone.csv"});
  CHECK(targets->required.empty());
  auto one = CollectDeclared(ws.path(), {"data/cases.csv", "data/gone.csv"}, {"./data/cases.csv"});
  REQUIRE(one.ok());
  CHECK(one->absent.empty());
}

TEST_CASE("a path that is not a declared output is refused for safety", "[pr]") {
  TempDir ws;
  ws.Write("data/cases.csv", "a\n");
  ws.Write(".env", "SECRET=1\n");
  auto refused = CollectDeclared(ws.path(), {"data/cases.csv"}, {".env"});
  CHECK(refused.status().kind() == ErrorKind::kUnsafe);
  CHECK_THAT(refused.status().message(), Catch::Contains("declared outputs (data/cases.csv)"));
}

TEST_CASE("named paths may not leave the workspace, enter .git, or pass a symlink", "[pr]") {
  TempDir ws;
  ws.Write("data/a.csv", "a\n");
  ws.Write("data/sub/b.bin", std::string("\0\1", 2));
  for (const std::string path : {"../x", "/etc/passwd", ".git/config", ".", "data/../.."}) {
    INFO(path);
    CHECK(CollectNamed(ws.path(), {path}).status().kind() == ErrorKind::kUnsafe);
  }
  auto folder = CollectNamed(ws.path(), {"data/"});
  REQUIRE(folder.ok());
  CHECK(folder->files.size() == 2);
  CHECK_FALSE(folder->files[1].inline_text);  // binary
  CHECK(folder->folders == std::vector<std::string>{"data"});
  CHECK(CollectNamed(ws.path(), {(ws.path() / "data/a.csv").string()}).value().files[0].path == "data/a.csv");

  fs::create_symlink(ws.path() / "data/a.csv", ws.path() / "data/link.csv");
  CHECK(CollectNamed(ws.path(), {"data/link.csv"}).status().kind() == ErrorKind::kUnsafe);
  CHECK(CollectNamed(ws.path(), {"data"}).status().kind() == ErrorKind::kUnsafe);
  fs::create_directory_symlink(ws.path() / "data", ws.path() / "alias");
  CHECK(CollectNamed(ws.path(), {"alias/a.csv"}).status().kind() == ErrorKind::kUnsafe);
}

TEST_CASE("a named path that exists nowhere is required of the base", "[pr]") {
  TempDir ws;
  auto targets = CollectNamed(ws.path(), {"data/typo.csv"});
  REQUIRE(targets.ok());
  CHECK(targets->required == std::vector<std::string>{"data/typo.csv"});
}
