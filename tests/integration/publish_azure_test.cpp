// sluice-publish to Azure Blob storage, driven as a workflow step drives it, against the real
// Azurite emulator; what landed is read back with Microsoft's own SDK (@azure/storage-blob),
// never with sluice's client. Faults: wrong key, read-only SAS, the emulator stopped midway,
// two publishers at once.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "core/env.h"
#include "core/fs.h"
#include "core/hash.h"
#include "json/json.h"
#include "publish/published_manifest.h"
#include "storage/backend.h"
#include "support/azurite.h"
#include "support/data_repo.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const std::string kPublish = std::string(SLUICE_BIN_DIR) + "/sluice-publish";
const std::string kStaging = "az://devstoreaccount1/data/dashboard/staging";

std::string Rows(int n, int bump = 0) {
  std::string csv = "date,county,cases\n";
  for (int i = 0; i < n; ++i) csv += fmt::format("2026-11-{:02d},Alameda,{}\n", i % 28 + 1, 100 + i + bump);
  return csv;
}

struct CommittedBlock {
  std::string id;  // decoded
  std::uint64_t size = 0;
  std::string md5;  // of the bytes the block holds
};

struct Blob {
  std::string sha256, md5_of_bytes, content_type, cache_control, content_md5, etag;
  std::map<std::string, std::string> metadata;
  int committed_blocks = 0;
  std::vector<CommittedBlock> blocks;
};

// Every blob under `prefix` as the SDK reads it, by name relative to the prefix.
std::map<std::string, Blob> Blobs(const Azurite& azurite, const std::string& prefix) {
  std::map<std::string, Blob> blobs;
  rapidjson::Document list = azurite.List("data", prefix + "/");
  for (const auto& entry : list.GetArray()) {
    Blob blob{json::StringOr(entry, "sha256"), json::StringOr(entry, "md5OfBytes"), json::StringOr(entry, "contentType"),
              json::StringOr(entry, "cacheControl"), json::StringOr(entry, "contentMD5"), json::StringOr(entry, "etag"), {}, 0, {}};
    if (const rapidjson::Value* metadata = json::Member(entry, "metadata"); metadata != nullptr && metadata->IsObject()) {
      for (const auto& m : metadata->GetObject()) blob.metadata[m.name.GetString()] = m.value.GetString();
    }
    if (const rapidjson::Value* blocks = json::Member(entry, "committedBlocks"); blocks != nullptr && blocks->IsInt()) {
      blob.committed_blocks = blocks->GetInt();
    }
    if (const rapidjson::Value* blocks = json::Member(entry, "blocks"); blocks != nullptr && blocks->IsArray()) {
      for (const auto& block : blocks->GetArray()) {
        blob.blocks.push_back({json::StringOr(block, "id"), block["size"].GetUint64(), json::StringOr(block, "md5")});
      }
    }
    blobs[json::StringOr(entry, "name").substr(prefix.size() + 1)] = blob;
  }
  return blobs;
}

publish::PublishedManifest ManifestIn(const Azurite& azurite, const std::string& prefix) {
  const std::string text = azurite.Check({"get", "data", prefix + "/_sluice/manifest.json"});
  auto manifest = publish::ParsePublishedManifest(text, "manifest");
  INFO(manifest.status().message());
  REQUIRE(manifest.ok());
  return std::move(manifest).value();
}

// Every file the manifest names is a blob with the bytes the manifest says.
void CheckManifestHolds(const Azurite& azurite, const std::string& prefix) {
  const auto blobs = Blobs(azurite, prefix);
  for (const auto& file : ManifestIn(azurite, prefix).files) {
    INFO(file.path);
    REQUIRE(blobs.count(file.path) == 1);
    CHECK(blobs.at(file.path).sha256 == file.sha256);
  }
}

// `secret` appears in `text` only on "::add-mask::" lines, which tell the runner to hide it.
bool ShowsOnlyInMasks(const std::string& text, const std::string& secret) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (line.find(secret) != std::string::npos && line.rfind("::add-mask::", 0) != 0) return false;
    start = end + 1;
  }
  return true;
}

struct AzureFixture {
  Azurite azurite;
  DataRepo repo;

  AzureFixture() {
    repo.Write("pipelines/cases.json", fmt::format(R"({{"name": "cases",
      "sources": [{{"name": "cases", "url": "file:sources/c.csv", "format": "csv", "output": "data/cases.csv"}},
                  {{"name": "deaths", "url": "file:sources/d.json", "format": "json", "output": "data/deaths.json"}},
                  {{"name": "tracts", "url": "file:sources/t.csv", "format": "csv", "output": "data/tracts.csv"}}],
      "publish": {{"staging": "{}", "production": "az://devstoreaccount1/data/dashboard/production"}}}})", kStaging));
    repo.Write("data/cases.csv", Rows(5));
    repo.Write("data/deaths.json", "[{\"county\": \"Alameda\", \"deaths\": 1}]\n");
    // Past AzureBackend::kSinglePutLimit: goes up as blocks (two of 8 MiB).
    repo.Write("data/tracts.csv", Rows(400'000));
    repo.Commit("data");
  }

  EnvOverrides Env(EnvOverrides extra = {}) const {
    EnvOverrides env = azurite.KeyEnv();
    for (const char* variable : {"CI", "GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "SLUICE_RUN_LOG",
                                 "SLUICE_PUBLISH_FAIL_AFTER", "SLUICE_PUBLISH_PAUSE_FILE"}) {
      env[variable] = std::nullopt;
    }
    for (auto& [name, value] : extra) env[name] = value;
    return env;
  }
  ProcessResult Staging(std::vector<std::string> args, EnvOverrides env = {}) const {
    args.insert(args.begin(), {"--target", "staging"});
    return repo.RunTool(kPublish, "pipelines/cases.json", args, Env(std::move(env)));
  }
};

}  // namespace

TEST_CASE("Azure: a commit lands as blobs the SDK reads back whole, typed, with metadata, blocks named by their MD5, an "
          "unchanged rerun writes nothing, a changed file is the only upload",
          "[azure][publish]") {
  AzureFixture f;
  const std::string commit = f.repo.Git({"rev-parse", "HEAD"}).substr(0, 40);
  ProcessResult first = f.Staging({"--json", "--parallel", "4"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  // The large file is confirmed by its committed block list, the small ones read back whole.
  CHECK_THAT(first.out, Catch::Contains("\"uploaded\":3") && Catch::Contains("\"verified\":3") &&
                            Catch::Contains("\"verified_by_block_list\":1"));

  const auto blobs = Blobs(f.azurite, "dashboard/staging");
  CHECK(blobs.size() == 5);  // three data files, the manifest, the status
  const std::map<std::string, std::string> types = {{"data/cases.csv", "text/csv; charset=utf-8"},
                                                    {"data/deaths.json", "application/json"},
                                                    {"data/tracts.csv", "text/csv; charset=utf-8"}};
  for (const auto& [path, type] : types) {
    INFO(path);
    REQUIRE(blobs.count(path) == 1);
    const Blob& blob = blobs.at(path);
    const std::string bytes = ReadFile(f.repo.path() / path).value();
    CHECK(blob.sha256 == Sha256Hex(bytes));
    CHECK(blob.content_type == type);
    CHECK(blob.cache_control == "public, max-age=300");
    CHECK(blob.metadata.at("sluice_sha256") == Sha256Hex(bytes));
    CHECK(blob.metadata.at("sluice_commit") == commit);
  }
  CHECK(ReadFile(f.repo.path() / "data/tracts.csv")->size() > (8u << 20));
  CHECK(blobs.at("data/tracts.csv").committed_blocks == 2);  // Put Block x2 + Put Block List
  CHECK(blobs.at("data/cases.csv").committed_blocks <= 1);   // one Put Blob
  // A Put Blob stores the MD5 the service checked; a blob put in blocks stores none (its sha256 is
  // in the metadata and the manifest), and each block's id names the MD5 of the bytes it holds.
  CHECK(blobs.at("data/cases.csv").content_md5 == blobs.at("data/cases.csv").md5_of_bytes);
  CHECK(blobs.at("data/deaths.json").content_md5 == blobs.at("data/deaths.json").md5_of_bytes);
  CHECK(blobs.at("data/tracts.csv").content_md5.empty());
  const std::vector<CommittedBlock>& blocks = blobs.at("data/tracts.csv").blocks;
  REQUIRE(blocks.size() == 2);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    CHECK(blocks[i].id == fmt::format("sluice-{:06d}-{}", i, blocks[i].md5));
    CHECK(blocks[i].size == (i == 0 ? (8u << 20) : ReadFile(f.repo.path() / "data/tracts.csv")->size() - (8u << 20)));
  }
  CHECK(blobs.at("_sluice/manifest.json").cache_control == "no-cache");
  publish::PublishedManifest manifest = ManifestIn(f.azurite, "dashboard/staging");
  CHECK(manifest.commit == commit);
  CHECK_FALSE(manifest.lock);
  CHECK_THAT(f.azurite.Check({"get", "data", "dashboard/staging/_sluice/status.json"}), Catch::Contains(commit));

  ProcessResult again = f.Staging({"--json"});
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("\"uploaded\":0") && Catch::Contains("\"manifest_written\":false"));
  const auto after_rerun = Blobs(f.azurite, "dashboard/staging");
  for (const auto& [name, blob] : blobs) {
    INFO(name);
    CHECK(after_rerun.at(name).etag == blob.etag);  // not one blob was written
  }

  f.repo.CommitFile("data/cases.csv", Rows(6), "one more day");
  ProcessResult changed = f.Staging({"--json"});
  INFO(changed.err);
  REQUIRE(changed.exit_code == 0);
  CHECK_THAT(changed.out, Catch::Contains("\"uploaded\":1"));
  const auto after_change = Blobs(f.azurite, "dashboard/staging");
  CHECK(after_change.at("data/cases.csv").etag != blobs.at("data/cases.csv").etag);
  CHECK(after_change.at("data/cases.csv").sha256 == Sha256Hex(Rows(6)));
  CHECK(after_change.at("data/deaths.json").etag == blobs.at("data/deaths.json").etag);
  CHECK(after_change.at("data/tracts.csv").etag == blobs.at("data/tracts.csv").etag);
  CheckManifestHolds(f.azurite, "dashboard/staging");
}

TEST_CASE("Azure: a wrong key is an auth error (exit 2) that names the variable, writes nothing and never shows a key",
          "[azure][publish]") {
  AzureFixture f;
  const std::string wrong = "d3Jvbmd3cm9uZ3dyb25nd3Jvbmd3cm9uZ3dyb25nd3Jvbmd3cm9uZ3dyb25nd3Jvbmd3cm9uZ3dyb25nMTI=";
  TempDir actions;
  const fs::path output = actions.Write("output", ""), summary = actions.Write("summary", "");
  const fs::path log = actions.path() / "runs.ndjson";
  ProcessResult refused = f.Staging({}, {{"AZURE_STORAGE_KEY", wrong}, {"GITHUB_OUTPUT", output.string()},
                                         {"GITHUB_STEP_SUMMARY", summary.string()}, {"SLUICE_RUN_LOG", log.string()}});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("HTTP 403") && Catch::Contains("check AZURE_STORAGE_KEY for account "
                                                                         "'devstoreaccount1'"));
  // A failed publish to staging leaves production untouched: its record's severity says so (issue 32).
  CHECK_THAT(ReadFile(log).value(), Catch::Contains(R"("severity":"upstream")"));
  for (const std::string& text : {refused.out, refused.err, ReadFile(output).value(), ReadFile(summary).value(),
                                  ReadFile(log).value()}) {
    CHECK(text.find(wrong) == std::string::npos);
    CHECK(text.find(Azurite::kKey) == std::string::npos);
  }
  CHECK(Blobs(f.azurite, "dashboard/staging").empty());

  ProcessResult missing = f.Staging({}, {{"AZURE_STORAGE_KEY", std::nullopt}});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("no credentials") && Catch::Contains("AZURE_STORAGE_SAS_TOKEN"));

  // A successful run does not show the key either, in any of its outputs.
  ProcessResult ok = f.Staging({"--json"}, {{"GITHUB_OUTPUT", output.string()}, {"GITHUB_STEP_SUMMARY", summary.string()},
                                            {"SLUICE_RUN_LOG", log.string()}, {"GITHUB_ACTIONS", "true"}});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  for (const std::string& text : {ok.out, ok.err, ReadFile(output).value(), ReadFile(summary).value(), ReadFile(log).value()}) {
    CHECK(ShowsOnlyInMasks(text, Azurite::kKey));
  }
  CHECK_THAT(ok.out, Catch::Contains(std::string("::add-mask::") + Azurite::kKey));  // the runner hides it from then on
}

TEST_CASE("Azure: a SAS made by the SDK publishes, a read-only SAS is refused before anything is written",
          "[azure][publish]") {
  AzureFixture f;
  std::string sas = f.azurite.Check({"sas", "data", "racwdl"});
  sas.pop_back();  // the newline
  const std::string sig = sas.substr(sas.find("sig=") + 4);
  EnvOverrides with_sas = {{"AZURE_STORAGE_KEY", std::nullopt}, {"AZURE_STORAGE_SAS_TOKEN", sas}};
  ProcessResult published = f.Staging({"--json"}, with_sas);
  INFO(published.err);
  REQUIRE(published.exit_code == 0);
  CHECK_THAT(published.out, Catch::Contains("\"uploaded\":3"));
  CHECK(published.out.find(sig) == std::string::npos);
  CHECK(published.err.find(sig) == std::string::npos);
  CheckManifestHolds(f.azurite, "dashboard/staging");

  std::string read_only = f.azurite.Check({"sas", "data", "rl"});
  read_only.pop_back();
  f.repo.CommitFile("data/cases.csv", Rows(7), "another day");
  ProcessResult refused = f.Staging({}, {{"AZURE_STORAGE_KEY", std::nullopt}, {"AZURE_STORAGE_SAS_TOKEN", read_only}});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("HTTP 403") && Catch::Contains("AZURE_STORAGE_SAS_TOKEN"));
  CHECK(refused.err.find(read_only.substr(read_only.find("sig=") + 4)) == std::string::npos);
  CHECK(Blobs(f.azurite, "dashboard/staging").at("data/cases.csv").sha256 == Sha256Hex(Rows(5)));
}

TEST_CASE("Azure: two publishers at once: the second stops with exit 4, a broken lock stops the first at its manifest",
          "[azure][publish]") {
  AzureFixture f;
  REQUIRE(f.Staging({}).exit_code == 0);
  f.repo.CommitFile("data/cases.csv", Rows(9), "new day");
  TempDir hooks;
  const fs::path pause = hooks.path() / "go";
  auto first = std::async(std::launch::async, [&] { return f.Staging({"--json"}, {{"SLUICE_PUBLISH_PAUSE_FILE", pause.string()}}); });
  for (int i = 0; i < 600 && !fs::exists(pause.string() + ".waiting"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(fs::exists(pause.string() + ".waiting"));

  ProcessResult second = f.Staging({});
  CHECK(second.exit_code == 4);
  CHECK_THAT(second.err, Catch::Contains("another publish holds the target"));
  REQUIRE(ManifestIn(f.azurite, "dashboard/staging").lock);

  // B takes over as if A were dead; A's If-Match on the manifest then fails (HTTP 412).
  ProcessResult breaker = f.Staging({"--break-lock", "--ref", "HEAD~1"});
  INFO(breaker.err);
  CHECK(breaker.exit_code == 0);
  REQUIRE(WriteFileAtomically(pause, "").ok());
  ProcessResult woken = first.get();
  CHECK(woken.exit_code == 4);
  CHECK_THAT(woken.err, Catch::Contains("lock was broken") && Catch::Contains("412"));
  publish::PublishedManifest manifest = ManifestIn(f.azurite, "dashboard/staging");
  CHECK(manifest.commit == f.repo.Git({"rev-parse", "HEAD~1"}).substr(0, 40));
  CHECK_FALSE(manifest.lock);
}

TEST_CASE("Azure: the emulator stopped mid-publish: exit 3, the manifest never names a missing blob, after a restart "
          "the re-run attempt of that run takes the dead attempt's lock over and completes",
          "[azure][publish]") {
  AzureFixture f;
  REQUIRE(f.Staging({}).exit_code == 0);
  f.repo.Write("data/cases.csv", Rows(8, 1));
  f.repo.Write("data/hospital.csv", "h\n1\n");
  std::string pipeline = ReadFile(f.repo.path() / "pipelines/cases.json").value();
  pipeline.insert(pipeline.find(']'),  // the end of "sources"
                  R"(, {"name": "hospital", "url": "file:sources/h.csv", "format": "csv", "output": "data/hospital.csv"})");
  f.repo.Write("pipelines/cases.json", pipeline);
  f.repo.Commit("two changes");
  const std::string v2 = f.repo.Git({"rev-parse", "HEAD"}).substr(0, 40);

  TempDir hooks;
  const fs::path pause = hooks.path() / "go";
  // The run as Actions would start it: run 4242, attempt 1.
  auto actions_run = [](const std::string& id, const std::string& attempt) {
    return EnvOverrides{{"GITHUB_SERVER_URL", "https://github.com"}, {"GITHUB_REPOSITORY", "health/dashboard-data"},
                        {"GITHUB_RUN_ID", id}, {"GITHUB_RUN_ATTEMPT", attempt}};
  };
  EnvOverrides first_attempt = actions_run("4242", "1");
  first_attempt["SLUICE_PUBLISH_PAUSE_FILE"] = pause.string();
  auto run = std::async(std::launch::async, [&] { return f.Staging({}, first_attempt); });
  for (int i = 0; i < 600 && !fs::exists(pause.string() + ".waiting"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(fs::exists(pause.string() + ".waiting"));
  f.azurite.Stop();  // uploads done, manifest not yet written
  REQUIRE(WriteFileAtomically(pause, "").ok());
  ProcessResult broken = run.get();
  CHECK(broken.exit_code == 3);
  CHECK_THAT(broken.err, Catch::Contains("127.0.0.1") && Catch::Contains("rerun"));

  f.azurite.Start();
  publish::PublishedManifest stuck = ManifestIn(f.azurite, "dashboard/staging");
  CHECK(stuck.commit != v2);  // still the previous set
  CHECK(stuck.Find("data/hospital.csv") == nullptr);
  const auto blobs = Blobs(f.azurite, "dashboard/staging");
  for (const auto& file : stuck.files) CHECK(blobs.count(file.path) == 1);

  // The dead attempt's claim holds the target against other runs, and against another job of the
  // same attempt (both could be alive); the message says what to do.
  ProcessResult other_run = f.Staging({}, actions_run("4243", "1"));
  CHECK(other_run.exit_code == 4);
  CHECK_THAT(other_run.err, Catch::Contains("https://github.com/health/dashboard-data/actions/runs/4242") &&
                                Catch::Contains("re-run its failed job") && Catch::Contains("--break-lock"));
  CHECK(f.Staging({}, actions_run("4242", "1")).exit_code == 4);
  // "Re-run failed jobs" starts attempt 2 only after attempt 1 ended: it takes the lock over.
  ProcessResult rerun = f.Staging({"--json"}, actions_run("4242", "2"));
  INFO(rerun.err);
  REQUIRE(rerun.exit_code == 0);
  CHECK_THAT(rerun.out + rerun.err, Catch::Contains("taking over the lock of attempt 1 of this run"));
  CHECK(ManifestIn(f.azurite, "dashboard/staging").commit == v2);
  CheckManifestHolds(f.azurite, "dashboard/staging");
  CHECK_THAT(f.Staging({"--json"}).out, Catch::Contains("\"uploaded\":0"));
}

TEST_CASE("Azure: --delete-removed deletes the blob after the manifest moves past it, --ref rolls back byte for byte",
          "[azure][publish]") {
  AzureFixture f;
  const std::string v1 = f.repo.Git({"rev-parse", "HEAD"}).substr(0, 40);
  const std::string to = "az://devstoreaccount1/data/adhoc";
  auto adhoc = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {kPublish, "--workspace", f.repo.path().string(), "--to", to};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, f.Env());
  };
  REQUIRE(adhoc({"data/"}).exit_code == 0);
  f.repo.Git({"rm", "-q", "data/deaths.json"});
  f.repo.CommitFile("data/cases.csv", Rows(3, 7), "deaths retired, cases revised");
  ProcessResult deleted = adhoc({"data/", "--delete-removed", "--json"});
  INFO(deleted.err);
  REQUIRE(deleted.exit_code == 0);
  CHECK_THAT(deleted.out, Catch::Contains("\"deleted\":[\"data/deaths.json\"]"));
  CHECK(Blobs(f.azurite, "adhoc").count("data/deaths.json") == 0);
  CHECK(ManifestIn(f.azurite, "adhoc").removed.empty());

  ProcessResult back = adhoc({"--ref", v1, "--json"});
  INFO(back.err);
  REQUIRE(back.exit_code == 0);
  const auto blobs = Blobs(f.azurite, "adhoc");
  CHECK(blobs.at("data/cases.csv").sha256 == Sha256Hex(Rows(5)));
  CHECK(blobs.at("data/deaths.json").sha256 == Sha256Hex("[{\"county\": \"Alameda\", \"deaths\": 1}]\n"));
  CHECK(ManifestIn(f.azurite, "adhoc").commit == v1);
  CheckManifestHolds(f.azurite, "adhoc");
}

TEST_CASE("Azure: --read-url confirms each uploaded file through the public URL, a wrong one stops before the manifest",
          "[azure][publish]") {
  AzureFixture f;
  f.azurite.Check({"create-container", "site", "blob"});
  const std::string to = "az://devstoreaccount1/site/covid";
  auto adhoc = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {kPublish, "--workspace", f.repo.path().string(), "--to", to, "data/", "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, f.Env());
  };
  ProcessResult live = adhoc({"--read-url", f.azurite.endpoint() + "/site/covid/"});
  INFO(live.err);
  REQUIRE(live.exit_code == 0);
  CHECK_THAT(live.out, Catch::Contains("\"verified\":3"));
  const std::string v1 = f.repo.Git({"rev-parse", "HEAD"}).substr(0, 40);

  f.repo.CommitFile("data/cases.csv", Rows(4, 2), "revised");
  ProcessResult elsewhere = adhoc({"--read-url", f.azurite.endpoint() + "/site/other"});
  CHECK(elsewhere.exit_code == 3);
  CHECK_THAT(elsewhere.err, Catch::Contains("/site/other/data/cases.csv: HTTP 404") &&
                                Catch::Contains("the manifest still names the previous set"));
  std::string manifest = f.azurite.Check({"get", "site", "covid/_sluice/manifest.json"});
  CHECK_THAT(manifest, Catch::Contains(v1));
  CHECK_THAT(manifest, !Catch::Contains("\"lock\""));

  // A pipeline's publish.staging_url (production_url) is its --read-url for that target.
  auto site = [&](const std::string& read_base) {
    f.repo.Write("pipelines/site.json", R"({"name": "site", "sources": [{"name": "cases", "url": "file:sources/c.csv",
      "format": "csv", "output": "data/cases.csv"}], "publish": {"production": "file:///tmp/sluice-unused",
      "staging": "az://devstoreaccount1/site/staged", "staging_url": ")" + read_base + R"("}})");
    f.repo.Commit("site pipeline");
    return f.repo.RunTool(kPublish, "pipelines/site.json", {"--target", "staging", "--json"}, f.Env());
  };
  ProcessResult wrong = site(f.azurite.endpoint() + "/site/nowhere");
  CHECK(wrong.exit_code == 3);
  CHECK_THAT(wrong.err, Catch::Contains("/site/nowhere/data/cases.csv: HTTP 404"));
  ProcessResult right = site(f.azurite.endpoint() + "/site/staged");
  INFO(right.err);
  CHECK(right.exit_code == 0);
  CHECK_THAT(right.out, Catch::Contains("\"verified\":1"));
}

TEST_CASE("Azure backend: conditional puts, missing blobs, deletes, listing and awkward names against Azurite",
          "[azure]") {
  Azurite azurite;
  EnvOverrides vars = azurite.KeyEnv();
  std::map<std::string, std::string> env;
  for (const auto& [name, value] : vars) {
    if (value) env[name] = *value;
  }
  auto url = storage::ParseStorageUrl("az://devstoreaccount1/data/contract", "/");
  REQUIRE(url.ok());
  auto opened = storage::OpenBackend(*url, Environment::FromMap(env));
  REQUIRE(opened.ok());
  storage::Backend& backend = **opened;

  auto absent = backend.Get("nothing/here.json");
  REQUIRE(absent.ok());
  CHECK_FALSE(absent->has_value());
  CHECK(backend.Delete("nothing/here.json").ok());

  auto created = backend.PutIf("lock.json", "one", {"application/json", "no-cache", {}}, storage::Precondition::IfAbsent());
  REQUIRE(created.ok());
  auto again = backend.PutIf("lock.json", "two", {"application/json", "no-cache", {}}, storage::Precondition::IfAbsent());
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().kind() == ErrorKind::kUnsafe);
  CHECK_THAT(again.status().message(), Catch::Contains("az://devstoreaccount1/data/contract/lock.json"));
  auto updated = backend.PutIf("lock.json", "three", {}, storage::Precondition::IfVersion(*created));
  REQUIRE(updated.ok());
  auto stale = backend.PutIf("lock.json", "four", {}, storage::Precondition::IfVersion(*created));
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.status().kind() == ErrorKind::kUnsafe);
  auto read = backend.Get("lock.json");
  REQUIRE(read.ok());
  REQUIRE(read->has_value());
  CHECK((*read)->bytes == "three");
  CHECK((*read)->version == *updated);

  const std::string awkward = "data/ä county, 2026 (final)+v2.csv";
  REQUIRE(backend.Put(awkward, "x\n", {"text/csv", "", {}}).ok());
  auto round_trip = backend.Get(awkward);
  REQUIRE(round_trip.ok());
  REQUIRE(round_trip->has_value());
  CHECK((*round_trip)->bytes == "x\n");
  auto listed = backend.List();
  REQUIRE(listed.ok());
  CHECK(*listed == std::vector<std::string>{awkward, "lock.json"});
  CHECK(backend.Delete(awkward).ok());
  CHECK(backend.Put("../escape", "x", {}).kind() == ErrorKind::kUnsafe);
}

TEST_CASE("Azure backend: a blob put in blocks is confirmed by its committed block list, small ones by the MD5 of their "
          "answer or by reading them back, and "
          "another writer, different bytes or a missing blob fail the confirmation",
          "[azure][publish]") {
  Azurite azurite;
  azurite.Check({"create-container", "data"});
  std::map<std::string, std::string> env;
  for (const auto& [name, value] : azurite.KeyEnv()) {
    if (value) env[name] = *value;
  }
  auto url = storage::ParseStorageUrl("az://devstoreaccount1/data/confirm", "/");
  REQUIRE(url.ok());
  auto open = [&] {
    auto opened = storage::OpenBackend(*url, Environment::FromMap(env));
    REQUIRE(opened.ok());
    return std::move(opened).value();
  };
  std::unique_ptr<storage::Backend> backend = open();
  const std::string big = Rows(400'000), small = Rows(3);
  REQUIRE(big.size() > (8u << 20));
  const storage::ConfirmItem big_item{"big.csv", Sha256Hex(big), big.size()};
  const storage::ConfirmItem small_item{"small.csv", Sha256Hex(small), small.size()};
  const std::vector<Status> put = backend->PutAll(
      {{"big.csv", big, {"text/csv", "", {{"sluice-sha256", big_item.sha256}}}, nullptr},
       {"small.csv", small, {"text/csv", "", {}}, nullptr}},
      4,
      nullptr);
  REQUIRE(put.size() == 2);
  REQUIRE(put[0].ok());
  REQUIRE(put[1].ok());

  using storage::Verification;
  std::vector<storage::Confirmation> confirmed = backend->ConfirmAll({big_item, small_item}, 4, Verification::kUploadHash);
  REQUIRE(confirmed.size() == 2);
  CHECK(confirmed[0].status.ok());
  CHECK(confirmed[0].by == storage::ConfirmedBy::kBlockList);
  CHECK(confirmed[1].status.ok());
  CHECK(confirmed[1].by == storage::ConfirmedBy::kUploadHash);
  // Asked to read back, the small blob is read back; the large one still goes by its block list.
  confirmed = backend->ConfirmAll({big_item, small_item}, 4, Verification::kReadBack);
  CHECK(confirmed[0].by == storage::ConfirmedBy::kBlockList);
  CHECK(confirmed[1].status.ok());
  CHECK(confirmed[1].by == storage::ConfirmedBy::kReadBack);

  // A Backend that did not put the blob knows no block list to expect: it reads the blob whole.
  std::unique_ptr<storage::Backend> other = open();
  confirmed = other->ConfirmAll({big_item}, 4, Verification::kUploadHash);
  CHECK(confirmed[0].status.ok());
  CHECK(confirmed[0].by == storage::ConfirmedBy::kReadBack);

  // Different bytes than the ones named, and a blob that is not there.
  storage::ConfirmItem wrong = small_item;
  wrong.sha256 = Sha256Hex("something else");
  // (a sha256 other than the one put is no upload this Backend proved: it is read back.)
  confirmed = backend->ConfirmAll({wrong, {"absent.csv", small_item.sha256, small.size()}}, 4, Verification::kUploadHash);
  CHECK(confirmed[0].status.kind() == ErrorKind::kExternal);
  CHECK_THAT(confirmed[0].status.message(), Catch::Contains("az://devstoreaccount1/data/confirm/small.csv: read back sha256 " +
                                                            small_item.sha256.substr(0, 12)));
  CHECK(confirmed[1].status.kind() == ErrorKind::kExternal);
  CHECK_THAT(confirmed[1].status.message(), Catch::Contains("absent.csv: read back nothing"));

  // Another writer replaces the large blob after it was committed: its block list is not this run's.
  azurite.Check({"put", "data", "confirm/big.csv", "replaced"});
  confirmed = backend->ConfirmAll({big_item}, 4, Verification::kUploadHash);
  CHECK(confirmed[0].status.kind() == ErrorKind::kExternal);
  CHECK_THAT(confirmed[0].status.message(), Catch::Contains("big.csv: the committed block list (0 blocks, 0 bytes) is not "
                                                            "the one this run committed (2 blocks"));
}
