// sluice-publish driven as a workflow step drives it, on a real git repository, to file://
// targets: what reaches the target, what a rerun writes, rollback, interruption, refusals and
// two publishers at once.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "core/fs.h"
#include "core/hash.h"
#include "publish/published_manifest.h"
#include "support/data_repo.h"
#include "json/json.h"
#include "support/process.h"
#include "support/schema_match.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const std::string kPublish = std::string(SLUICE_BIN_DIR) + "/sluice-publish";

std::string Rows(int n, int bump = 0) {
  std::string csv = "date,county,cases\n";
  for (int i = 0; i < n; ++i) csv += fmt::format("2026-11-{:02d},Alameda,{}\n", i + 1, 100 + i + bump);
  return csv;
}

// Outside any runner unless a test says otherwise.
EnvOverrides Local(EnvOverrides extra = {}) {
  EnvOverrides env = {{"CI", std::nullopt}, {"GITHUB_ACTIONS", std::nullopt}, {"GITHUB_OUTPUT", std::nullopt},
                      {"GITHUB_STEP_SUMMARY", std::nullopt}, {"SLUICE_RUN_LOG", std::nullopt},
                      {"SLUICE_PUBLISH_FAIL_AFTER", std::nullopt}, {"SLUICE_PUBLISH_PAUSE_FILE", std::nullopt}};
  for (auto& [name, value] : extra) env[name] = value;
  return env;
}

struct PublishFixture {
  DataRepo repo;
  TempDir storage;
  fs::path staging = storage.path() / "staging";
  fs::path production = storage.path() / "production";

  PublishFixture() {
    repo.Write("pipelines/cases.json", fmt::format(R"({{"name": "cases",
      "sources": [{{"name": "cases", "url": "file:sources/c.csv", "format": "csv", "output": "data/cases.csv"}},
                  {{"name": "deaths", "url": "file:sources/d.json", "format": "json", "output": "data/deaths.json"}}],
      "publish": {{"staging": "file://{}", "production": "file://{}"}}}})", staging.string(), production.string()));
    repo.Write("data/cases.csv", Rows(5));
    repo.Write("data/deaths.json", "[{\"county\": \"Alameda\", \"deaths\": 1}]\n");
    repo.Write("README.md", "dashboard data\n");
    repo.Commit("data");
  }

  ProcessResult Manifest(std::vector<std::string> args, EnvOverrides env = {}) const {
    return repo.RunTool(kPublish, "pipelines/cases.json", args, Local(std::move(env)));
  }
  ProcessResult AdHoc(std::vector<std::string> args, EnvOverrides env = {}) const {
    std::vector<std::string> argv = {kPublish, "--workspace", repo.path().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, Local(std::move(env)));
  }
};

publish::PublishedManifest ManifestAt(const fs::path& target) {
  auto text = ReadFile(target / "_sluice/manifest.json");
  REQUIRE(text.ok());
  auto manifest = publish::ParsePublishedManifest(*text, "manifest");
  INFO(manifest.status().message());
  REQUIRE(manifest.ok());
  return std::move(manifest).value();
}

// Every file the manifest names is there with the bytes it says.
void CheckManifestHolds(const fs::path& target) {
  for (const auto& file : ManifestAt(target).files) {
    INFO(file.path);
    auto bytes = ReadFile(target / file.path);
    REQUIRE(bytes.ok());
    CHECK(Sha256Hex(*bytes) == file.sha256);
  }
}

// Every file the manifest names exists. (After a failed run, a file the run overwrote in place
// holds its new bytes under the previous manifest's hash until the rerun: objects are not
// versioned.)
void CheckManifestNamesNoMissingFile(const fs::path& target) {
  for (const auto& file : ManifestAt(target).files) {
    INFO(file.path);
    CHECK(fs::exists(target / file.path));
  }
}

std::string Slurp(const fs::path& path) { return ReadFile(path).value(); }

}  // namespace

TEST_CASE("first publish uploads the committed outputs, manifest and status, an unchanged rerun uploads nothing",
          "[publish]") {
  PublishFixture f;
  f.repo.Write("data/cases.csv", "uncommitted edit\n");  // the working tree is never published
  ProcessResult first = f.Manifest({"--target", "staging", "--json"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("\"uploaded\":2"));
  CHECK_THAT(first.out, Catch::Contains("\"content_type\":\"text/csv; charset=utf-8\""));
  CHECK(Slurp(f.staging / "data/cases.csv") == Rows(5));
  CHECK_FALSE(fs::exists(f.staging / "README.md"));
  publish::PublishedManifest manifest = ManifestAt(f.staging);
  CHECK(manifest.pipeline == "cases");
  CHECK(manifest.commit == f.repo.Git({"rev-parse", "HEAD"}).substr(0, 40));
  CHECK(manifest.files.size() == 2);
  CHECK_FALSE(manifest.lock);
  CHECK_THAT(Slurp(f.staging / "_sluice/status.json"), Catch::Contains(*manifest.commit));

  const std::string manifest_before = Slurp(f.staging / "_sluice/manifest.json");
  const auto written_at = fs::last_write_time(f.staging / "data/cases.csv");
  ProcessResult again = f.Manifest({"--target", "staging", "--json"});
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("\"uploaded\":0"));
  CHECK_THAT(again.out, Catch::Contains("\"manifest_written\":false"));
  CHECK(Slurp(f.staging / "_sluice/manifest.json") == manifest_before);
  CHECK(fs::last_write_time(f.staging / "data/cases.csv") == written_at);
}

TEST_CASE("a changed file is the only upload, with outputs and a run record", "[publish]") {
  PublishFixture f;
  REQUIRE(f.Manifest({"--target", "staging"}).exit_code == 0);
  f.repo.CommitFile("data/cases.csv", Rows(6), "one more day");
  TempDir actions;
  const fs::path output = actions.Write("output", ""), summary = actions.Write("summary", ""), log = actions.path() / "runs.ndjson";
  ProcessResult run = f.Manifest({"--target", "staging"}, {{"GITHUB_OUTPUT", output.string()},
                                                            {"GITHUB_STEP_SUMMARY", summary.string()},
                                                            {"SLUICE_RUN_LOG", log.string()}});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(Slurp(output), Catch::Contains("uploaded=1") && Catch::Contains("unchanged=1") && Catch::Contains("deleted=0"));
  CHECK_THAT(Slurp(output), Catch::Contains("manifest=file://" + f.staging.string() + "/_sluice/manifest.json"));
  CHECK_THAT(Slurp(summary), Catch::Contains("| `data/cases.csv` | modified |"));
  CHECK_THAT(Slurp(log), Catch::Contains("\"tool\":\"sluice-publish\"") && Catch::Contains("\"uploaded\":1"));
  auto record = json::Parse(Slurp(log), "run log");
  REQUIRE(record.ok());
  CHECK(MatchesSchema(CompileSchemaFile(fs::path(SLUICE_SOURCE_DIR) / "schemas/run-record.schema.json"), *record));
  // The target it wrote to: sluice-notify closes a production incident only after a publish to production.
  CHECK(json::StringOr(*record, "target") == "staging");
  CHECK(Slurp(f.staging / "data/cases.csv") == Rows(6));
  publish::PublishedManifest manifest = ManifestAt(f.staging);
  CHECK(manifest.Find("data/cases.csv")->commit != manifest.Find("data/deaths.json")->commit);  // unchanged keeps its commit
}

TEST_CASE("with --delete-removed, what left the set is deleted only after the manifest points past it", "[publish]") {
  PublishFixture f;
  const std::string to = "file://" + f.staging.string();
  REQUIRE(f.AdHoc({"--to", to, "data/"}).exit_code == 0);
  f.repo.Git({"rm", "-q", "data/deaths.json"});
  f.repo.Commit("deaths retired");
  ProcessResult kept = f.AdHoc({"--to", to, "data/"});
  REQUIRE(kept.exit_code == 0);
  CHECK_THAT(kept.out, Catch::Contains("removed   data/deaths.json (kept in storage"));
  CHECK(fs::exists(f.staging / "data/deaths.json"));
  CHECK(ManifestAt(f.staging).removed == std::vector<std::string>{"data/deaths.json"});
  CHECK(ManifestAt(f.staging).files.size() == 1);

  ProcessResult deleted = f.AdHoc({"--to", to, "data/", "--delete-removed", "--json"});
  INFO(deleted.err);
  REQUIRE(deleted.exit_code == 0);
  CHECK_THAT(deleted.out, Catch::Contains("\"deleted\":[\"data/deaths.json\"]"));
  CHECK_FALSE(fs::exists(f.staging / "data/deaths.json"));
  CHECK(ManifestAt(f.staging).removed.empty());
  CheckManifestHolds(f.staging);
}

TEST_CASE("publishing an older --ref rolls the target back byte for byte", "[publish]") {
  PublishFixture f;
  const std::string v1 = f.repo.Git({"rev-parse", "HEAD"}).substr(0, 40);
  REQUIRE(f.Manifest({"--target", "production", "--yes"}).exit_code == 0);
  const std::string cases_v1 = Slurp(f.production / "data/cases.csv");
  f.repo.CommitFile("data/cases.csv", Rows(7, 3), "revised");
  REQUIRE(f.Manifest({"--target", "production", "--yes"}).exit_code == 0);
  REQUIRE(Slurp(f.production / "data/cases.csv") != cases_v1);

  ProcessResult back = f.Manifest({"--target", "production", "--yes", "--ref", v1, "--json"});
  INFO(back.err);
  REQUIRE(back.exit_code == 0);
  CHECK_THAT(back.out, Catch::Contains("\"uploaded\":1"));
  CHECK(Slurp(f.production / "data/cases.csv") == cases_v1);
  CHECK(ManifestAt(f.production).commit == v1);
  CheckManifestHolds(f.production);
}

namespace {

// 9 MiB (past publish::kMapFrom, 8 MiB): a file read in place when the working tree holds it clean.
std::string LargeBytes(unsigned seed) {
  std::string bytes(9u << 20, '\0');
  std::uint32_t state = seed;
  for (char& c : bytes) {
    state = state * 1664525u + 1013904223u;
    c = static_cast<char>(state >> 24);
  }
  return bytes;
}

}  // namespace

TEST_CASE("from a commit, a large file clean in the working tree is read there, other bytes the index vouches for publish "
          "nothing, and a dry run refuses them too",
          "[publish]") {
  PublishFixture f;
  const std::string to = "file://" + f.staging.string();
  const std::string first = LargeBytes(1);
  f.repo.Write("data/large.bin", first);
  f.repo.Age("data/large.bin");  // clean in the index the commit writes, not racily clean
  f.repo.Commit("large v1");
  ProcessResult published = f.AdHoc({"--to", to, "data/"});
  INFO(published.err);
  REQUIRE(published.exit_code == 0);
  CHECK(Slurp(f.staging / "data/large.bin") == first);
  CheckManifestHolds(f.staging);
  const std::string v1 = f.repo.Git({"rev-parse", "HEAD"}).substr(0, 40);

  // The next commit changes the file; then the working tree gets the first version's bytes back
  // under an index that says they are the new blob (no git command writes such an index: it
  // stands for a file changed behind git's back with its stat data kept). Read in place and
  // trusted, they would be published as the new commit's file.
  const std::string second = LargeBytes(2);
  f.repo.Write("data/large.bin", second);
  // Another second than the first version's: git compares whole seconds of the stat times.
  f.repo.Age("data/large.bin", 7200);
  f.repo.Commit("large v2");
  std::string id = f.repo.Git({"rev-parse", "HEAD:data/large.bin"});
  id.resize(40);
  f.repo.Write("data/large.bin", first);
  f.repo.Age("data/large.bin", 1800);
  f.repo.ForgeCleanIndexEntry("data/large.bin", id);
  ProcessResult refused = f.AdHoc({"--to", to, "data/"});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("data/large.bin in the working tree is not the commit's blob " + id.substr(0, 12)));
  CHECK(ManifestAt(f.staging).commit == v1);
  CHECK(Slurp(f.staging / "data/large.bin") == first);
  ProcessResult dry = f.AdHoc({"--to", to, "data/", "--dry-run"});
  CHECK(dry.exit_code == 2);
  CHECK_THAT(dry.err, Catch::Contains("is not the commit's blob"));

  // As the message says: removed and checked out again, the file is the commit's and goes up.
  fs::remove(f.repo.path() / "data/large.bin");
  f.repo.Git({"checkout", "--", "data/large.bin"});
  ProcessResult rerun = f.AdHoc({"--to", to, "data/"});
  INFO(rerun.err);
  REQUIRE(rerun.exit_code == 0);
  CHECK(Slurp(f.staging / "data/large.bin") == second);
  CHECK(ManifestAt(f.staging).commit == f.repo.Git({"rev-parse", "HEAD"}).substr(0, 40));
  CheckManifestHolds(f.staging);
}

TEST_CASE("a publish interrupted midway leaves the manifest on the previous set, the rerun completes", "[publish]") {
  PublishFixture f;
  const std::string to = "file://" + f.staging.string();
  REQUIRE(f.AdHoc({"--to", to, "data/"}).exit_code == 0);
  const std::string manifest_before = Slurp(f.staging / "_sluice/manifest.json");
  f.repo.Write("data/cases.csv", Rows(8, 1));
  f.repo.Write("data/deaths.json", "[]\n");
  f.repo.Write("data/hospital.csv", "h\n1\n");
  f.repo.Commit("three changes");

  ProcessResult broken = f.AdHoc({"--to", to, "data/"}, {{"SLUICE_PUBLISH_FAIL_AFTER", "1"}});
  CHECK(broken.exit_code == 3);
  CHECK_THAT(broken.err, Catch::Contains("Uploaded 1 of 3") && Catch::Contains("rerun to complete"));
  CHECK(Slurp(f.staging / "_sluice/manifest.json") == manifest_before);  // lock released, previous set named
  CHECK_FALSE(fs::exists(f.staging / "data/hospital.csv"));
  CheckManifestNamesNoMissingFile(f.staging);

  ProcessResult rerun = f.AdHoc({"--to", to, "data/", "--json"});
  INFO(rerun.err);
  REQUIRE(rerun.exit_code == 0);
  CHECK_THAT(rerun.out, Catch::Contains("\"uploaded\":3"));
  CHECK(ManifestAt(f.staging).files.size() == 3);
  CheckManifestHolds(f.staging);
  CHECK(f.AdHoc({"--to", to, "data/", "--json"}).out.find("\"uploaded\":0") != std::string::npos);
}

TEST_CASE("production outside CI is a dry run unless --yes, --dry-run lists the changes", "[publish]") {
  PublishFixture f;
  ProcessResult dry = f.Manifest({"--target", "production"});
  REQUIRE(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("dry run") && Catch::Contains("add --yes"));
  CHECK_THAT(dry.out, Catch::Contains("added     data/cases.csv"));
  CHECK_FALSE(fs::exists(f.production));
  ProcessResult staged = f.Manifest({"--target", "staging", "--dry-run"});
  REQUIRE(staged.exit_code == 0);
  CHECK_FALSE(fs::exists(f.staging));
  ProcessResult in_ci = f.Manifest({"--target", "production"}, {{"CI", "true"}});
  REQUIRE(in_ci.exit_code == 0);
  CHECK(fs::exists(f.production / "_sluice/manifest.json"));
}

TEST_CASE("symlinks and paths escaping the prefix are refused with exit 4", "[publish]") {
  PublishFixture f;
  fs::create_symlink("/etc/passwd", f.repo.path() / "data/link.csv");
  f.repo.Commit("a link");
  ProcessResult committed_link = f.AdHoc({"--to", "file://" + f.staging.string(), "data/"});
  CHECK(committed_link.exit_code == 4);
  CHECK_THAT(committed_link.err, Catch::Contains("data/link.csv is a symlink"));
  CHECK_FALSE(fs::exists(f.staging));

  TempDir dir;
  dir.Write("ok.csv", "a\n");
  fs::create_symlink("/etc/passwd", dir.path() / "passwd.csv");
  CHECK(f.AdHoc({"--from", dir.path().string(), "--to", "file://" + f.staging.string()}).exit_code == 4);
  CHECK(f.AdHoc({"--ref", "HEAD", "--to", "file://" + f.staging.string(), "../outside"}).exit_code == 4);
  TempDir reserved;
  reserved.Write("_sluice/manifest.json", "{}");
  CHECK(f.AdHoc({"--from", reserved.path().string(), "--to", "file://" + f.staging.string()}).exit_code == 4);

  // A symlink inside the target would send a write elsewhere.
  TempDir elsewhere;
  fs::create_directories(f.production);
  fs::create_directory_symlink(elsewhere.path(), f.production / "data");
  f.repo.Git({"rm", "-q", "data/link.csv"});
  f.repo.Commit("no link");
  ProcessResult through = f.Manifest({"--target", "production", "--yes"});
  CHECK(through.exit_code == 4);
  CHECK(fs::is_empty(elsewhere.path()));
}

TEST_CASE("a damaged manifest at the target is named by its JSON pointer, exit 2", "[publish]") {
  PublishFixture f;
  fs::create_directories(f.staging / "_sluice");
  REQUIRE(WriteFileAtomically(f.staging / "_sluice/manifest.json",
                              R"({"format": 1, "commit": null, "published_at": "t", "files": [{"path": "a", "size": -1, "sha256": "x"}]})")
              .ok());
  ProcessResult run = f.Manifest({"--target", "staging"});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("_sluice/manifest.json: /files/0/"));
}

TEST_CASE("a damaged object in the repository is refused when read: nothing of the commit is published", "[publish]") {
  // libgit2 reads objects without working out their SHA-1 again (git/libgit2.h); zlib's own
  // checksum is what refuses a damaged one, as it does for the git CLI.
  PublishFixture f;
  REQUIRE(f.Manifest({"--target", "staging"}).exit_code == 0);
  const std::string before = Slurp(f.staging / "_sluice/manifest.json");
  f.repo.Write("data/cases.csv", Rows(40, 7));
  f.repo.Commit("forty rows");
  std::string oid = f.repo.Git({"rev-parse", "HEAD:data/cases.csv"});
  oid = oid.substr(0, 40);
  const fs::path object = f.repo.path() / ".git/objects" / oid.substr(0, 2) / oid.substr(2);
  REQUIRE(fs::exists(object));  // a loose object, as git add leaves it
  std::string bytes = Slurp(object);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x10);
  fs::permissions(object, fs::perms::owner_write, fs::perm_options::add);
  REQUIRE(WriteFileAtomically(object, bytes).ok());

  ProcessResult run = f.Manifest({"--target", "staging"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("data/cases.csv") && Catch::Contains("cannot read blob " + oid.substr(0, 12)) &&
                          Catch::Contains("git fsck"));
  CHECK(Slurp(f.staging / "_sluice/manifest.json") == before);
  CHECK(Slurp(f.staging / "data/cases.csv") == Rows(5));
}

TEST_CASE("a second publisher stops with exit 4 and never interleaves", "[publish]") {
  PublishFixture f;
  REQUIRE(f.Manifest({"--target", "staging"}).exit_code == 0);
  f.repo.CommitFile("data/cases.csv", Rows(9), "new day");
  TempDir hooks;
  const fs::path pause = hooks.path() / "go";
  // A claims the target, uploads, and waits before writing its manifest.
  auto first = std::async(std::launch::async, [&] {
    return f.Manifest({"--target", "staging", "--json"}, {{"SLUICE_PUBLISH_PAUSE_FILE", pause.string()}});
  });
  for (int i = 0; i < 300 && !fs::exists(pause.string() + ".waiting"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(fs::exists(pause.string() + ".waiting"));

  ProcessResult second = f.Manifest({"--target", "staging"});
  CHECK(second.exit_code == 4);
  CHECK_THAT(second.err, Catch::Contains("another publish holds the target"));
  REQUIRE(ManifestAt(f.staging).lock);

  // B takes over as if A were dead; when A wakes, its conditional manifest write fails.
  ProcessResult breaker = f.Manifest({"--target", "staging", "--break-lock", "--ref", "HEAD~1"});
  INFO(breaker.err);
  CHECK(breaker.exit_code == 0);
  WriteFileAtomically(pause, "").ok();
  ProcessResult woken = first.get();
  CHECK(woken.exit_code == 4);
  CHECK_THAT(woken.err, Catch::Contains("lock was broken") && Catch::Contains("NOT written"));
  publish::PublishedManifest manifest = ManifestAt(f.staging);
  CHECK(manifest.commit == f.repo.Git({"rev-parse", "HEAD~1"}).substr(0, 40));
  CHECK_FALSE(manifest.lock);
}
