#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "core/fs.h"
#include "core/secrets.h"
#include "core/status.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

TEST_CASE("error kinds map to the exit codes of DESIGN.md", "[core]") {
  CHECK(Status::Ok().exit_code() == 0);
  CHECK(Rejected("no").exit_code() == 1);
  CHECK(UsageError("x").exit_code() == 2);
  CHECK(ConfigError("x").exit_code() == 2);
  CHECK(InputError("x").exit_code() == 2);
  CHECK(ExternalError("x").exit_code() == 3);
  CHECK(UnsafeError("x").exit_code() == 4);
  CHECK(ExternalError("timeout").WithContext("source cases").message() == "source cases: timeout");
}

TEST_CASE("an abandoned atomic write leaves the previous file byte-for-byte", "[core][fs]") {
  TempDir dir;
  fs::path target = dir.path() / "data.json";
  REQUIRE(WriteFileAtomically(target, "old content\n").ok());
  {
    auto file = AtomicFile::Create(target);
    REQUIRE(file.ok());
    REQUIRE(file->Write("half of the new").ok());
    // destroyed without Commit(): a failed run
  }
  CHECK(ReadFile(target).value() == "old content\n");
  int leftovers = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) leftovers += entry.path() != target;
  CHECK(leftovers == 0);
}

TEST_CASE("a committed atomic write replaces the file and Reset restarts it", "[core][fs]") {
  TempDir dir;
  fs::path target = dir.path() / "sub" / "data.csv";
  auto file = AtomicFile::Create(target);
  REQUIRE(file.ok());
  REQUIRE(file->Write("partial").ok());
  REQUIRE(file->Reset().ok());
  REQUIRE(file->Write("a,b\n1,2\n").ok());
  CHECK(file->size() == 8);
  REQUIRE(file->Commit().ok());
  CHECK(ReadFile(target).value() == "a,b\n1,2\n");
}

TEST_CASE("reading a missing file names it", "[core][fs]") {
  auto missing = ReadFile("/nonexistent/sluice/file.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().kind() == ErrorKind::kInput);
  CHECK_THAT(missing.status().message(), Catch::Contains("/nonexistent/sluice/file.json"));
}

TEST_CASE("paths are confined to the workspace", "[core][fs]") {
  TempDir dir;
  fs::create_directories(dir.path() / "data");
  CHECK(ConfinePath(dir.path(), "data/cases.csv").ok());
  CHECK(ConfinePath(dir.path(), "data/cases.csv").value() == fs::canonical(dir.path()) / "data" / "cases.csv");
  CHECK(ConfinePath(dir.path(), "../outside.csv").status().kind() == ErrorKind::kUnsafe);
  CHECK(ConfinePath(dir.path(), "data/../../x").status().kind() == ErrorKind::kUnsafe);
  CHECK(ConfinePath(dir.path(), "/etc/passwd").status().kind() == ErrorKind::kUnsafe);
  CHECK(ConfinePath(dir.path(), "").status().kind() == ErrorKind::kUnsafe);

  TempDir outside;
  fs::create_directory_symlink(outside.path(), dir.path() / "escape");
  auto escaped = ConfinePath(dir.path(), "escape/file.json");
  CHECK(escaped.status().kind() == ErrorKind::kUnsafe);
  CHECK_THAT(escaped.status().message(), Catch::Contains("symlink"));

  fs::create_directory_symlink(dir.path() / "data", dir.path() / "inside");
  CHECK(ConfinePath(dir.path(), "inside/file.json").ok());
}

TEST_CASE("registered secrets and URL credentials are masked", "[core][secrets]") {
  ClearSecretsForTesting();
  RegisterSecret("ghp_supersecrettoken123");
  RegisterSecret("ab");  // too short to mask meaningfully
  CHECK(Mask("Authorization: Bearer ghp_supersecrettoken123 failed") == "Authorization: Bearer *** failed");
  CHECK(Mask("ab cd") == "ab cd");
  CHECK(Mask("GET https://user:pw@example.com/x?sv=2021&sig=abc%2Fdef&se=1 failed") ==
        "GET https://***@example.com/x?sv=2021&sig=***&se=1 failed");
  CHECK(RedactUrl("https://hooks.example/a?X-Amz-Signature=deadbeef&X-Amz-Date=1#frag") ==
        "https://hooks.example/a?X-Amz-Signature=***&X-Amz-Date=1#frag");
  CHECK(RedactUrl("http://127.0.0.1:8080/data.json") == "http://127.0.0.1:8080/data.json");
  ClearSecretsForTesting();
}
