// The publish module's decisions without a process: storage URLs, content types, the plan
// against the previous manifest, the manifest's schema errors, and the file backend's
// conditional write.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "core/hash.h"
#include "git/repository.h"
#include "publish/plan.h"
#include "publish/publisher.h"
#include "publish/published_manifest.h"
#include "publish/source.h"
#include "storage/backend.h"
#include "storage/content_type.h"
#include "storage/file_backend.h"
#include "storage/storage_url.h"
#include "support/data_repo.h"
#include "support/temp_dir.h"

using namespace sluice;
using namespace sluice::publish;

TEST_CASE("storage URLs parse into their parts and bad ones exit 2", "[publish]") {
  auto az = storage::ParseStorageUrl("az://healthdata/public/covid/daily/", "/ws");
  REQUIRE(az.ok());
  CHECK(az->scheme == storage::Scheme::kAzure);
  CHECK(az->account == "healthdata");
  CHECK(az->container == "public");
  CHECK(az->prefix == "covid/daily");
  auto s3 = storage::ParseStorageUrl("s3://my-bucket/data", "/ws");
  REQUIRE(s3.ok());
  CHECK(s3->scheme == storage::Scheme::kS3);
  CHECK(s3->container == "my-bucket");
  CHECK(s3->prefix == "data");
  auto gs = storage::ParseStorageUrl("gs://bucket.example", "/ws");
  REQUIRE(gs.ok());
  CHECK(gs->scheme == storage::Scheme::kGcs);
  CHECK(gs->prefix.empty());
  auto file = storage::ParseStorageUrl("file:///srv/www/data/", "/ws");
  REQUIRE(file.ok());
  CHECK(file->directory == "/srv/www/data");
  auto relative = storage::ParseStorageUrl("file://build/site", "/ws");
  REQUIRE(relative.ok());
  CHECK(relative->directory == "/ws/build/site");
  for (const char* bad : {"ftp://host/x", "/srv/data", "az://UPPER/c", "az://account", "s3://b/../x", "s3://", "file://"}) {
    INFO(bad);
    auto url = storage::ParseStorageUrl(bad, "/ws");
    REQUIRE_FALSE(url.ok());
    CHECK(url.status().exit_code() == 2);
  }
}

TEST_CASE("every cloud backend without credentials is exit 2 naming the variables to set", "[publish]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"az://account/container/prefix", "AZURE_STORAGE_KEY"},
      {"s3://bucket/prefix", "AWS_ACCESS_KEY_ID"},
      {"gs://bucket/prefix", "GOOGLE_HMAC"}};
  for (const auto& [text, variable] : cases) {
    INFO(text);
    auto url = storage::ParseStorageUrl(text, "/ws");
    REQUIRE(url.ok());
    auto backend = storage::OpenBackend(*url, Environment::FromMap({}));
    REQUIRE_FALSE(backend.ok());
    CHECK(backend.status().exit_code() == 2);
    CHECK_THAT(backend.status().message(), Catch::Contains(variable));
  }
}

TEST_CASE("content types follow the extension", "[publish]") {
  CHECK(storage::ContentTypeFor("data/cases.json") == "application/json");
  CHECK(storage::ContentTypeFor("data/CASES.CSV") == "text/csv; charset=utf-8");
  CHECK(storage::ContentTypeFor("maps/counties.geojson") == "application/geo+json");
  CHECK(storage::ContentTypeFor("x.ndjson") == "application/x-ndjson");
  CHECK(storage::ContentTypeFor("notes.txt") == "text/plain; charset=utf-8");
  CHECK(storage::ContentTypeFor("blob") == "application/octet-stream");
  CHECK(storage::ContentTypeFor("dir.json/.hidden") == "application/octet-stream");
}

TEST_CASE("object names that could leave the prefix are refused with exit 4", "[publish]") {
  for (const char* bad : {"", "/abs", "a/../b", "..", "a//b", "./a", "a/"}) {
    INFO(bad);
    CHECK(storage::CheckKey(bad).exit_code() == 4);
  }
  CHECK(storage::CheckKey("data/cases.csv").ok());
}

namespace {

PublishSource Source(std::vector<std::pair<std::string, std::string>> files, std::string commit) {
  PublishSource source;
  source.commit = commit;
  for (auto& [path, bytes] : files) source.files.push_back({path, bytes, Sha256Hex(bytes)});
  return source;
}

}  // namespace

TEST_CASE("the plan uploads only what differs from the previous manifest", "[publish]") {
  const std::string c1(40, 'a'), c2(40, 'b');
  PublishSource first = Source({{"a.csv", "1\n"}, {"b.json", "{}"}, {"c.txt", "c"}}, c1);
  PublishPlan initial = PlanPublish(first, std::nullopt);
  CHECK(initial.Count(FileChange::kAdded) == 3);
  CHECK(initial.files[0].content_type == "text/csv; charset=utf-8");

  PublishedManifest previous;
  previous.commit = c1;
  for (const auto& f : first.files) previous.files.push_back({f.path, f.sha256(), f.bytes.size(), c1});
  previous.removed = {"old.csv", "b.json"};
  CHECK(PlanPublish(first, previous).Unchanged());

  PublishSource second = Source({{"a.csv", "2\n"}, {"b.json", "{}"}, {"d.csv", "d"}}, c2);
  PublishPlan plan = PlanPublish(second, previous);
  CHECK(plan.Count(FileChange::kModified) == 1);
  CHECK(plan.Count(FileChange::kUnchanged) == 1);
  CHECK(plan.Count(FileChange::kAdded) == 1);
  CHECK(plan.removed == std::vector<std::string>{"c.txt"});
  CHECK(plan.lingering == std::vector<std::string>{"old.csv"});  // b.json is back in the set
  CHECK(plan.UploadBytes() == 3);
  CHECK_FALSE(plan.Unchanged());

  PublishSource same_files_new_commit = first;
  same_files_new_commit.commit = c2;
  PublishPlan moved = PlanPublish(same_files_new_commit, previous);
  CHECK(moved.Count(FileChange::kUnchanged) == 3);
  CHECK(moved.commit_changed);
}

TEST_CASE("the published manifest round-trips and a bad one names its JSON pointer", "[publish]") {
  PublishedManifest manifest;
  manifest.pipeline = "cases";
  manifest.commit = std::string(40, 'c');
  manifest.published_at = "2026-11-29T09:00:00.000Z";
  manifest.files = {{"data/cases.csv", std::string(64, 'f'), 12, manifest.commit}};
  manifest.lock = PublishLock{"id1", std::nullopt, "", "2026-11-29T09:00:00.000Z", "2026-11-29T10:00:00.000Z"};
  auto parsed = ParsePublishedManifest(PublishedManifestJson(manifest), "m.json");
  REQUIRE(parsed.ok());
  CHECK(parsed->files.size() == 1);
  CHECK(parsed->Find("data/cases.csv")->size == 12);
  REQUIRE(parsed->lock);
  CHECK(parsed->lock->expires_at == "2026-11-29T10:00:00.000Z");

  const std::string bad_hash = fmt::format(R"({{"format": 1, "commit": null, "published_at": "t",
    "files": [{{"path": "a.csv", "sha256": "{}", "size": 1}}, {{"path": "b.csv", "sha256": "xyz", "size": 1}}]}})",
                                           std::string(64, '0'));
  auto bad = ParsePublishedManifest(bad_hash, "target/_sluice/manifest.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().exit_code() == 2);
  CHECK_THAT(bad.status().message(), Catch::Contains("target/_sluice/manifest.json: /files/1/sha256"));

  auto escaping = ParsePublishedManifest(
      fmt::format(R"({{"format": 1, "commit": null, "published_at": "t", "files": [{{"path": "../x", "sha256": "{}", "size": 1}}]}})",
                  std::string(64, '0')),
      "m.json");
  REQUIRE_FALSE(escaping.ok());
  CHECK_THAT(escaping.status().message(), Catch::Contains("/files/0/path"));
  // A size beyond what a double holds exactly (RapidJSON reads one beyond 64 bits as a double, which
  // JSON Schema still calls an integer): refused by the pointer, not read as garbage (fuzz finding).
  for (const char* size : {"7777777777777777777777777777777777777777777777777777777777770", "9007199254740993"}) {
    auto huge = ParsePublishedManifest(
        fmt::format(R"({{"format": 1, "commit": null, "published_at": "t", "files": [{{"path": "a.csv", "sha256": "{}", "size": {}}}]}})",
                    std::string(64, '0'), size),
        "m.json");
    REQUIRE_FALSE(huge.ok());
    CHECK_THAT(huge.status().message(), Catch::Contains("m.json: /files/0/size"));
  }
  auto largest = ParsePublishedManifest(
      fmt::format(R"({{"format": 1, "commit": null, "published_at": "t", "files": [{{"path": "a.csv", "sha256": "{}", "size": 9007199254740991}}]}})",
                  std::string(64, '0')),
      "m.json");
  REQUIRE(largest.ok());
  CHECK(largest->files.at(0).size == 9007199254740991ULL);
  auto missing = ParsePublishedManifest(R"({"format": 1, "commit": null, "published_at": "t"})", "m.json");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.status().message(), Catch::Contains("files"));
  auto malformed = ParsePublishedManifest("{\"format\": 1,\n  oops", "m.json");
  REQUIRE_FALSE(malformed.ok());
  CHECK_THAT(malformed.status().message(), Catch::Contains("m.json:2:"));
}

TEST_CASE("the file backend's conditional write refuses a moved version with exit 4", "[publish]") {
  TempDir dir;
  storage::FileBackend backend(dir.path() / "target");
  storage::ObjectProperties json{"application/json", "no-cache", {}};
  auto first = backend.PutIf("_sluice/manifest.json", "v1", json, storage::Precondition::IfAbsent());
  REQUIRE(first.ok());
  CHECK(*first == Sha256Hex("v1"));
  CHECK(backend.PutIf("_sluice/manifest.json", "again", json, storage::Precondition::IfAbsent()).status().exit_code() == 4);
  auto second = backend.PutIf("_sluice/manifest.json", "v2", json, storage::Precondition::IfVersion(*first));
  REQUIRE(second.ok());
  auto stale = backend.PutIf("_sluice/manifest.json", "v3", json, storage::Precondition::IfVersion(*first));
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.status().exit_code() == 4);
  CHECK_THAT(stale.status().message(), Catch::Contains("changed under this run"));
  auto now = backend.Get("_sluice/manifest.json");
  REQUIRE(now.ok());
  CHECK((*now)->bytes == "v2");
  CHECK(backend.Delete("absent/file.csv").ok());
  REQUIRE(backend.Put("data/a.csv", "x", json).ok());
  auto keys = backend.List();
  REQUIRE(keys.ok());
  CHECK(*keys == std::vector<std::string>{"_sluice/manifest.json", "data/a.csv"});
}

namespace {

// A real file target whose answers to chosen conditional writes are lost: the write happens,
// the caller hears a 502, as when a proxy fails after the store has acted.
class LostAnswers : public storage::Backend {
 public:
  LostAnswers(const std::filesystem::path& root, std::set<int> lost) : inner_(root), lost_(std::move(lost)) {}
  std::string Describe() const override { return inner_.Describe(); }
  Status Put(const std::string& key, std::string_view bytes, const storage::ObjectProperties& properties) override {
    return inner_.Put(key, bytes, properties);
  }
  Result<std::optional<storage::StoredObject>> Get(const std::string& key) override { return inner_.Get(key); }
  Status Delete(const std::string& key) override { return inner_.Delete(key); }
  Result<std::string> PutIf(const std::string& key, std::string_view bytes, const storage::ObjectProperties& properties,
                            const storage::Precondition& precondition) override {
    auto written = inner_.PutIf(key, bytes, properties, precondition);
    if (written.ok() && lost_.count(++conditional_writes_) > 0) {
      return ExternalError(fmt::format("writing {} conditionally: HTTP 502 (the answer was lost)", key));
    }
    return written;
  }

 private:
  storage::FileBackend inner_;
  std::set<int> lost_;
  int conditional_writes_ = 0;
};

PublishSource TwoFiles(const std::string& value) {
  PublishSource source;
  source.origin = "directory test";
  source.files = {{"data/a.csv", "a,b\n1," + value + "\n", ""}, {"data/b.json", "{\"v\": " + value + "}\n", ""}};
  for (auto& file : source.files) file.set_sha256(Sha256Hex(file.bytes));
  return source;
}

}  // namespace

TEST_CASE("a manifest write whose answer was lost is read back: the claim and the commit that landed count as done",
          "[publish]") {
  TempDir dir;
  PublishOptions options;
  options.pipeline = "cases";
  // Write 1 is the claim, write 2 the new manifest: both land, both answers are lost.
  for (std::set<int> lost : {std::set<int>{1}, std::set<int>{2}, std::set<int>{1, 2}}) {
    LostAnswers backend(dir.path() / ("target-" + std::to_string(*lost.rbegin()) + "-" + std::to_string(lost.size())), lost);
    auto report = Publish(backend, TwoFiles("1"), options);
    INFO(report.status().message());
    REQUIRE(report.ok());
    CHECK(report->manifest_written);
    CHECK(report->uploaded == 2);
    CHECK_THAT(report->warnings.front(), Catch::Contains("reading it back shows the write landed"));
    auto manifest = backend.Get("_sluice/manifest.json");
    REQUIRE(manifest.ok());
    auto parsed = ParsePublishedManifest((*manifest)->bytes, "manifest");
    REQUIRE(parsed.ok());
    CHECK_FALSE(parsed->lock);  // no lock left behind for the next run to trip on
    CHECK(parsed->files.size() == 2);
  }
}

TEST_CASE("a manifest write that failed and did not land still fails, and the previous set stands", "[publish]") {
  TempDir dir;
  PublishOptions options;
  options.pipeline = "cases";
  storage::FileBackend target(dir.path() / "target");
  REQUIRE(Publish(target, TwoFiles("1"), options).ok());
  // A backend whose commit write fails outright (nothing written): the run fails, the manifest
  // still names the previous set, and the lock is released.
  class FailingCommit : public LostAnswers {
   public:
    using LostAnswers::LostAnswers;
    Result<std::string> PutIf(const std::string& key, std::string_view bytes, const storage::ObjectProperties& properties,
                              const storage::Precondition& precondition) override {
      if (++calls_ == 2) return ExternalError("writing the manifest: HTTP 503");
      return LostAnswers::PutIf(key, bytes, properties, precondition);
    }

   private:
    int calls_ = 0;
  };
  FailingCommit backend(dir.path() / "target", {});
  auto report = Publish(backend, TwoFiles("2"), options);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().kind() == ErrorKind::kExternal);
  CHECK_THAT(report.status().message(), Catch::Contains("the manifest still names the previous set"));
  auto manifest = ParsePublishedManifest((*target.Get("_sluice/manifest.json"))->bytes, "manifest");
  REQUIRE(manifest.ok());
  CHECK_FALSE(manifest->lock);
  CHECK(manifest->Find("data/a.csv")->sha256 == Sha256Hex("a,b\n1,1\n"));
}

TEST_CASE("a source file's bytes are shared, never copied, and outlive the file they came from", "[publish]") {
  std::vector<SourceFile> files;
  {
    SourceFile original("data/a.csv", std::string(1u << 20, 'x'), "");
    files.push_back(original);
    CHECK(files.back().bytes.data() == original.bytes.data());  // a copy points at the same bytes
  }
  files.emplace_back("data/b.csv", std::string("b\n"), "");
  std::sort(files.begin(), files.end(), [](const SourceFile& a, const SourceFile& b) { return a.path > b.path; });
  CHECK(files.back().path == "data/a.csv");
  CHECK(files.back().bytes == std::string(1u << 20, 'x'));
  CHECK(files.front().bytes == "b\n");
}

namespace {

// kMapFrom bytes and a few more, none of them repeating the 8-byte pattern before it.
std::string MappedSize(char seed) {
  std::string bytes(kMapFrom + 123, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131 + static_cast<std::size_t>(seed)) >> 3);
  return bytes;
}

}  // namespace

TEST_CASE("a folder's large file is mapped in place, its sha256 worked out on a thread, and a small one is read", "[publish]") {
  TempDir dir;
  const std::string large = MappedSize('a');
  dir.Write("out/big.bin", large);
  dir.Write("out/small.csv", "a\n1\n");
  auto source = FilesFromDirectory(dir.path() / "out");
  REQUIRE(source.ok());
  REQUIRE(source->files.size() == 2);
  REQUIRE(source->mapped.size() == 1);
  CHECK(source->mapped[0].relative == "big.bin");
  CHECK(source->mapped[0].size == large.size());
  const SourceFile& big = source->files[0];
  CHECK(big.path == "big.bin");
  CHECK(big.bytes == large);
  CHECK(big.sha256() == Sha256Hex(large));
  CHECK(source->files[1].sha256() == Sha256Hex("a\n1\n"));
  CHECK(CheckMappedFilesUnchanged(*source).ok());

  // A copy shares the digest; the source itself can go first, and the copy still reads.
  SourceFile copy = big;
  source = InputError("gone");
  CHECK(copy.sha256() == Sha256Hex(large));
  CHECK(copy.bytes == large);
}

TEST_CASE("a source dropped while its large file is being hashed stops the hashing and frees the file", "[publish]") {
  TempDir dir;
  dir.Write("out/a.bin", MappedSize('b'));
  dir.Write("out/b.bin", MappedSize('c'));
  for (int i = 0; i < 3; ++i) {
    auto source = FilesFromDirectory(dir.path() / "out");
    REQUIRE(source.ok());
    CHECK(source->mapped.size() == 2);
  }  // each destroyed at once; under ASan a file unmapped under the hashing thread is an error
}

TEST_CASE("a mapped file that changes while it is published is named, and the run must not go on", "[publish]") {
  namespace fs = std::filesystem;
  TempDir dir;
  dir.Write("out/big.bin", MappedSize('d'));
  const fs::path path = dir.path() / "out/big.bin";

  SECTION("its modification time moved") {
    auto source = FilesFromDirectory(dir.path() / "out");
    REQUIRE(source.ok());
    fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(5));
    Status changed = CheckMappedFilesUnchanged(*source);
    CHECK(changed.kind() == ErrorKind::kInput);
    CHECK_THAT(changed.message(), Catch::Contains("big.bin changed while it was being published"));
  }
  SECTION("it was replaced by another file of the same size") {
    auto source = FilesFromDirectory(dir.path() / "out");
    REQUIRE(source.ok());
    dir.Write("out/next.bin", MappedSize('e'));
    fs::rename(dir.path() / "out/next.bin", path);
    CHECK(CheckMappedFilesUnchanged(*source).kind() == ErrorKind::kInput);
  }
  SECTION("it is gone") {
    auto source = FilesFromDirectory(dir.path() / "out");
    REQUIRE(source.ok());
    fs::remove(path);
    Status gone = CheckMappedFilesUnchanged(*source);
    CHECK(gone.kind() == ErrorKind::kInput);
    CHECK_THAT(gone.message(), Catch::Contains("big.bin disappeared while it was being published"));
  }
}

TEST_CASE("a commit's large file the working tree holds clean is mapped from there and proved to be the commit's blob",
          "[publish]") {
  DataRepo repo;
  const std::string large = MappedSize('g');
  repo.Write("out/big.bin", large);
  repo.Write("out/small.csv", "a\n1\n");
  repo.Age("out/big.bin");  // clean, not racily clean, in the index the commit writes
  repo.Commit("data");
  std::string id = repo.Git({"rev-parse", "HEAD:out/big.bin"});
  id.resize(40);
  auto git = git::Repository::Discover(repo.path());
  REQUIRE(git.ok());

  SECTION("clean: mapped, proved, and named once however often its path is asked for") {
    auto source = FilesFromCommit(*git, "HEAD", {"out", "out/big.bin"});
    REQUIRE(source.ok());
    REQUIRE(source->files.size() == 2);
    REQUIRE(source->mapped.size() == 1);
    CHECK(source->mapped[0].path == repo.path() / "out/big.bin");
    CHECK(source->mapped[0].relative == "out/big.bin");
    CHECK(source->mapped[0].blob_id == id);
    CHECK(source->files[0].bytes == large);
    CHECK(source->files[0].sha256() == Sha256Hex(large));
    CHECK(source->mapped[0].mapped_blob_id.get() == id);
    CHECK(CheckMappedFilesUnchanged(*source).ok());
  }
  SECTION("not clean (another size): the blob is read, nothing mapped") {
    repo.Write("out/big.bin", "edited\n");
    auto source = FilesFromCommit(*git, "HEAD", {"out"});
    REQUIRE(source.ok());
    CHECK(source->mapped.empty());
    CHECK(source->files[0].bytes == large);
    CHECK(CheckMappedFilesUnchanged(*source).ok());
  }
  SECTION("other bytes of the same size that the index vouches for are caught by their git id") {
    repo.Write("out/big.bin", MappedSize('h'));
    repo.Age("out/big.bin");
    repo.ForgeCleanIndexEntry("out/big.bin", id);
    auto source = FilesFromCommit(*git, "HEAD", {"out"});
    REQUIRE(source.ok());
    REQUIRE(source->mapped.size() == 1);  // the index said clean
    Status proved = CheckMappedFilesUnchanged(*source);
    CHECK(proved.kind() == ErrorKind::kInput);
    CHECK_THAT(proved.message(), Catch::Contains("out/big.bin in the working tree is not the commit's blob " + id.substr(0, 12)));
    CHECK_THAT(proved.message(), Catch::Contains("nothing of this run is published"));
  }
}

TEST_CASE("a mapped file cut short while it is read ends the process with exit 2 and says why, not a crash", "[publish]") {
  TempDir dir;
  dir.Write("out/big.bin", MappedSize('f'));
  std::array<int, 2> pipe_fds{};
  REQUIRE(::pipe(pipe_fds.data()) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::close(pipe_fds[0]);
    auto source = FilesFromDirectory(dir.path() / "out");
    if (!source.ok() || source->files.size() != 1) ::_exit(90);
    std::filesystem::resize_file(dir.path() / "out/big.bin", 0);
    volatile char last = source->files[0].bytes.back();  // past the end of the file now
    (void)last;
    ::_exit(91);  // not reached when the handler works
  }
  ::close(pipe_fds[1]);
  std::string err;
  std::array<char, 512> buffer{};
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer.data(), buffer.size())) > 0;) err.append(buffer.data(), static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  INFO(err);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK_THAT(err, Catch::Contains("cut short by another process") && Catch::Contains("still names the previous set"));
}
