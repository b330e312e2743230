#include <catch2/catch.hpp>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "git/repository.h"
#include "support/data_repo.h"
#include "support/temp_dir.h"

using namespace sluice;

TEST_CASE("a committed file is read at a revision without a checkout", "[git]") {
  DataRepo repo;
  repo.CommitFile("data/cases.csv", "v1\n", "first");
  repo.CommitFile("data/cases.csv", "v2\n", "second");
  repo.Write("data/cases.csv", "uncommitted\n");
  auto git = git::Repository::Discover(repo.path() / "data");
  REQUIRE(git.ok());
  CHECK(git->ReadFileAt("HEAD", "data/cases.csv").value() == std::optional<std::string>("v2\n"));
  CHECK(git->ReadFileAt("HEAD~1", "data/cases.csv").value() == std::optional<std::string>("v1\n"));
  CHECK_FALSE(git->ReadFileAt("HEAD", "data/absent.csv").value().has_value());
  auto bad = git->ReadFileAt("no-such-branch", "data/cases.csv");
  CHECK(bad.status().kind() == ErrorKind::kInput);
  CHECK_THAT(bad.status().message(), Catch::Contains("no-such-branch"));
  CHECK(git->ResolveCommit("HEAD").value().size() == 40);
}

TEST_CASE("history lists distinct versions newest first, each at the commit that introduced it", "[git]") {
  DataRepo repo;
  repo.CommitFile("other.txt", "x", "before the file existed");
  repo.CommitFile("data/m.json", "1", "v1");
  repo.CommitFile("other.txt", "y", "unrelated");
  repo.CommitFile("data/m.json", "2", "v2");
  repo.CommitFile("data/m.json", "3", "v3");
  auto git = git::Repository::Discover(repo.path());
  REQUIRE(git.ok());
  auto history = git->History("HEAD", "data/m.json", 10);
  REQUIRE(history.ok());
  REQUIRE(history->size() == 3);
  CHECK((*history)[0].content == "3");
  CHECK((*history)[1].content == "2");
  CHECK((*history)[2].content == "1");
  CHECK((*history)[0].commit == git->ResolveCommit("HEAD").value());
  CHECK((*history)[2].commit == git->ResolveCommit("HEAD~3").value());
  CHECK(git->History("HEAD", "data/m.json", 2).value().size() == 2);
  CHECK(git->History("HEAD", "data/none.json", 5).value().empty());
}

TEST_CASE("a directory outside any repository is a clear error", "[git]") {
  TempDir plain;
  auto git = git::Repository::Discover(plain.path());
  REQUIRE_FALSE(git.ok());
  CHECK_THAT(git.status().message(), Catch::Contains("not inside a git repository"));
}

TEST_CASE("the files under a path of a commit are listed with their bytes, links marked", "[git]") {
  DataRepo repo;
  repo.Write("data/a.csv", "a\n");
  repo.Write("data/sub/deeper/b.json", "{}");
  repo.Write("README.md", "r");
  std::filesystem::create_symlink("a.csv", repo.path() / "data/link.csv");
  repo.Commit("files");
  repo.Write("data/a.csv", "uncommitted\n");
  auto git = git::Repository::Discover(repo.path());
  REQUIRE(git.ok());
  auto files = git->FilesAt("HEAD", "data/");
  REQUIRE(files.ok());
  REQUIRE(files->size() == 3);
  CHECK((*files)[0].path == "data/a.csv");
  CHECK((*files)[0].content == "a\n");
  CHECK((*files)[1].path == "data/link.csv");
  CHECK((*files)[1].kind == git::CommittedFile::Kind::kSymlink);
  CHECK((*files)[2].path == "data/sub/deeper/b.json");
  CHECK(git->FilesAt("HEAD", "").value().size() == 4);
  auto one = git->FilesAt("HEAD", "README.md");
  REQUIRE(one.ok());
  CHECK(one->at(0).content == "r");
  CHECK(git->FilesAt("HEAD", "nope").status().kind() == ErrorKind::kInput);
}

TEST_CASE("a committed file's bytes are the blob libgit2 read, not a copy, and stay valid while the file is held", "[git]") {
  DataRepo repo;
  std::string large(3u << 20, '\0');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>((i * 131) >> 3);
  repo.Write("data/large.bin", large);
  repo.Commit("large");
  auto git = git::Repository::Discover(repo.path());
  REQUIRE(git.ok());
  git::CommittedFile kept;
  {
    auto files = git->FilesAt("HEAD", "data/large.bin");
    REQUIRE(files.ok());
    REQUIRE(files->size() == 1);
    const git::CommittedFile& file = files->front();
    REQUIRE(file.blob != nullptr);
    CHECK(file.content.size() == large.size());
    kept = file;  // a copy shares the blob: the same bytes, at the same address
    CHECK(kept.content.data() == file.content.data());
  }
  CHECK(kept.blob.use_count() == 1);  // the listing is gone; this copy alone holds the blob
  CHECK(kept.content == large);
}

namespace {

// The flags /proc/self/smaps gives the mapping that holds `at` ("hg": advised to huge pages).
std::string MappingFlags(const void* at) {
  std::ifstream smaps("/proc/self/smaps");
  const auto address = reinterpret_cast<std::uintptr_t>(at);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    unsigned long begin = 0, end = 0;
    // A mapping's first line: "begin-end perms offset dev inode [path]"; its fields follow.
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
        std::sscanf(line.c_str(), "%lx-%lx ", &begin, &end) == 2) {
      inside = address >= begin && address < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

}  // namespace

TEST_CASE("a large blob libgit2 reads is in memory advised to huge pages", "[git]") {
  DataRepo repo;
  std::string large(16u << 20, '\0');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>((i * 131) >> 3);
  repo.Write("data/large.bin", large);
  repo.Write("data/small.csv", "a,b\n1,2\n");
  repo.Commit("large and small");
  auto git = git::Repository::Discover(repo.path());
  REQUIRE(git.ok());
  auto files = git->FilesAt("HEAD", "data");
  REQUIRE(files.ok());
  REQUIRE(files->size() == 2);
  const git::CommittedFile& big = files->at(0).path == "data/large.bin" ? files->at(0) : files->at(1);
  REQUIRE(big.content == large);
  // Fresh memory otherwise costs a page fault per 4 KiB page as the blob is inflated into it
  // (git/libgit2.h); the advice is what the kernel's THP "madvise" mode needs.
  const std::string flags = MappingFlags(big.content.data() + big.content.size() / 2);
  INFO("VmFlags of the blob's mapping: " << flags);
  REQUIRE_FALSE(flags.empty());
  CHECK(flags.find(" hg") != std::string::npos);
}
