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

namespace {

// Bytes that repeat no short run and hold no newline (a line-ending filter would leave them as
// they are), `size` of them.
std::string NoNewlines(std::size_t size, unsigned seed) {
  std::string bytes(size, 'x');
  std::uint32_t state = seed;
  for (char& c : bytes) {
    state = state * 1664525u + 1013904223u;
    c = static_cast<char>('a' + (state >> 24) % 26);
  }
  return bytes;
}

// `git rev-parse REV:PATH`, the blob id.
std::string BlobId(const DataRepo& repo, const std::string& spec) {
  std::string id = repo.Git({"rev-parse", spec});
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  return id;
}

// The one file of `files` at `path`.
const git::CommittedFile& Named(const std::vector<git::CommittedFile>& files, const std::string& path) {
  for (const auto& file : files) {
    if (file.path == path) return file;
  }
  FAIL("no file " << path);
  return files.front();
}

}  // namespace

TEST_CASE("a large file the working tree holds clean is named there unread, and anything git would compare reads the blob",
          "[git]") {
  DataRepo repo;
  const std::string large = NoNewlines(64u << 10, 1);
  repo.Write("data/large.txt", large);
  repo.Write("data/small.csv", "a,b\n1,2\n");
  // Modified an hour before the index is written: clean, not racily clean.
  repo.Age("data/large.txt");
  repo.Commit("data");
  const std::string id = BlobId(repo, "HEAD:data/large.txt");
  auto git = git::Repository::Discover(repo.path());
  REQUIRE(git.ok());
  const git::FilesAtOptions in_place{1024};
  // The blob is read: its bytes are the committed ones, and no working copy is named.
  auto read_from_git = [&](const std::string& revision = "HEAD", const std::string& expected = "") {
    auto files = git->FilesAt(revision, "data", in_place);
    REQUIRE(files.ok());
    const git::CommittedFile& file = Named(*files, "data/large.txt");
    CHECK(file.working_copy.empty());
    REQUIRE(file.blob != nullptr);
    CHECK(file.content == (expected.empty() ? large : expected));
    CHECK(file.size == file.content.size());
  };

  SECTION("clean: the working tree's copy is named, the blob is not read") {
    auto files = git->FilesAt("HEAD", "data", in_place);
    REQUIRE(files.ok());
    REQUIRE(files->size() == 2);
    const git::CommittedFile& file = Named(*files, "data/large.txt");
    CHECK(file.working_copy == repo.path() / "data/large.txt");
    CHECK(file.blob == nullptr);
    CHECK(file.content.empty());
    CHECK(file.size == large.size());
    CHECK(file.blob_id == id);
    // Below the threshold, and without options, the blob is read as before.
    const git::CommittedFile& small = Named(*files, "data/small.csv");
    CHECK(small.working_copy.empty());
    CHECK(small.content == "a,b\n1,2\n");
    CHECK(small.blob_id == BlobId(repo, "HEAD:data/small.csv"));
    auto plain = git->FilesAt("HEAD", "data");
    REQUIRE(plain.ok());
    CHECK(Named(*plain, "data/large.txt").working_copy.empty());
    CHECK(Named(*plain, "data/large.txt").content == large);
  }
  SECTION("the same size rewritten, its modification time put back: the change time differs") {
    const auto modified = std::filesystem::last_write_time(repo.path() / "data/large.txt");
    repo.Write("data/large.txt", NoNewlines(large.size(), 2));
    std::filesystem::last_write_time(repo.path() / "data/large.txt", modified);
    read_from_git();
  }
  SECTION("another size") {
    repo.Write("data/large.txt", large + "x");
    repo.Age("data/large.txt");
    read_from_git();
  }
  SECTION("racily clean: its contents are compared, as git compares them") {
    // The entry gets the file's stat data as it is (what an index written in the same clock tick
    // as the file holds): only the times tell it is racy. A modification time an hour ahead is
    // after the index's.
    const auto ahead = std::filesystem::file_time_type::clock::now() + std::chrono::hours(1);
    std::filesystem::last_write_time(repo.path() / "data/large.txt", ahead);
    repo.ForgeCleanIndexEntry("data/large.txt", id);
    auto files = git->FilesAt("HEAD", "data", in_place);
    REQUIRE(files.ok());
    CHECK(Named(*files, "data/large.txt").working_copy == repo.path() / "data/large.txt");  // the same bytes
    // Other bytes of the same size under the same racy entry: compared, refused, the blob read.
    repo.Write("data/large.txt", NoNewlines(large.size(), 4));
    std::filesystem::last_write_time(repo.path() / "data/large.txt", ahead);
    repo.ForgeCleanIndexEntry("data/large.txt", id);
    read_from_git();
  }
  SECTION("a fresh clone's checkout, racily clean or not, is read in place") {
    TempDir clones;
    const std::filesystem::path clone = clones.path() / "clone";
    ProcessResult cloned = RunProcess({"git", "clone", "-q", "--no-local", repo.path().string(), clone.string()});
    REQUIRE(cloned.exit_code == 0);
    auto cloned_git = git::Repository::Discover(clone);
    REQUIRE(cloned_git.ok());
    auto files = cloned_git->FilesAt("HEAD", "data", in_place);
    REQUIRE(files.ok());
    CHECK(Named(*files, "data/large.txt").working_copy == clone / "data/large.txt");
    CHECK(Named(*files, "data/large.txt").blob_id == id);
  }
  SECTION("a filter stands between the blob and the file (ident), even where it changes nothing") {
    repo.Write(".gitattributes", "*.txt ident\n");
    read_from_git();
  }
  SECTION("assumed unchanged: git would not compare it, so neither does this") {
    repo.Git({"update-index", "--assume-unchanged", "data/large.txt"});
    read_from_git();
  }
  SECTION("skipped in the worktree") {
    repo.Git({"update-index", "--skip-worktree", "data/large.txt"});
    read_from_git();
  }
  SECTION("an older revision, whose blob the index does not hold") {
    const std::string next = NoNewlines(large.size(), 3);
    repo.Write("data/large.txt", next);
    // Another second than the first version's: git compares whole seconds of the stat times, and
    // would take the same size within the same second for no change at all.
    repo.Age("data/large.txt", 7200);
    repo.Commit("next");
    REQUIRE(BlobId(repo, "HEAD:data/large.txt") != id);
    auto files = git->FilesAt("HEAD", "data", in_place);
    REQUIRE(files.ok());
    CHECK_FALSE(Named(*files, "data/large.txt").working_copy.empty());
    read_from_git("HEAD~1");
  }
  SECTION("removed from the working tree") {
    std::filesystem::remove(repo.path() / "data/large.txt");
    read_from_git();
  }
  SECTION("a bare clone has no working tree") {
    TempDir bare;
    ProcessResult cloned = RunProcess({"git", "clone", "-q", "--bare", repo.path().string(), (bare.path() / "r.git").string()});
    REQUIRE(cloned.exit_code == 0);
    auto bare_git = git::Repository::Discover(bare.path() / "r.git");
    REQUIRE(bare_git.ok());
    auto files = bare_git->FilesAt("HEAD", "data", in_place);
    REQUIRE(files.ok());
    CHECK(Named(*files, "data/large.txt").working_copy.empty());
    CHECK(Named(*files, "data/large.txt").content == large);
  }
}
