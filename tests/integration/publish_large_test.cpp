// A large file from a commit (issue 33): it goes up in many blocks (Azure Put Block) or parts
// (S3 UploadPart), several in flight, straight from the commit's blob, and lands byte for byte;
// a failure midway leaves the published file and the manifest as they were, and a rerun
// completes. Block and part sizes are made small (SLUICE_AZURE_BLOCK_SIZE,
// SLUICE_S3_MULTIPART_THRESHOLD) so that a 3 MiB file is thirteen of them; failures come from
// tests/fixtures/http_proxy.py answering 503 to every block or part after the fifth.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "core/env.h"
#include "core/fs.h"
#include "core/hash.h"
#include "json/json.h"
#include "publish/source.h"
#include "storage/backend.h"
#include "storage/storage_url.h"
#include "support/azurite.h"
#include "support/data_repo.h"
#include "support/fixture_server.h"
#include "support/process.h"
#include "support/s3rver.h"
#include "support/temp_dir.h"

using namespace sluice;

namespace {

const std::string kPublish = std::string(SLUICE_BIN_DIR) + "/sluice-publish";
constexpr std::size_t kBlock = 256u << 10;
constexpr std::size_t kBlocks = 13;

// Every byte value, NULs and CRs included, in an order that repeats no block: by default 12
// whole blocks and a short last one.
std::string LargeBytes(unsigned seed, std::size_t size = (kBlocks - 1) * kBlock + 1000) {
  std::string bytes(size, '\0');
  std::uint32_t state = seed;
  for (char& c : bytes) {
    state = state * 1664525u + 1013904223u;
    c = static_cast<char>(state >> 24);
  }
  return bytes;
}

EnvOverrides Quiet(EnvOverrides env) {
  for (const char* variable : {"CI", "GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "SLUICE_RUN_LOG",
                               "SLUICE_PUBLISH_FAIL_AFTER", "SLUICE_PUBLISH_PAUSE_FILE"}) {
    env[variable] = std::nullopt;
  }
  return env;
}

// A data repository whose commit holds data/large.bin (LargeBytes(seed)) and a small file; the
// working tree then holds other bytes, which must never be published.
struct LargeRepo {
  DataRepo repo;
  std::string committed;

  void Commit(unsigned seed) {
    committed = LargeBytes(seed);
    repo.Write("data/large.bin", committed);
    repo.Write("data/small.csv", fmt::format("n\n{}\n", seed));
    repo.Commit(fmt::format("data {}", seed));
    repo.Write("data/large.bin", "not committed\n");
  }
  std::vector<std::string> Argv(const std::string& to) const {
    return {kPublish, "--workspace", repo.path().string(), "--to", to, "data/", "--parallel", "4", "--json"};
  }
};

struct Blob {
  std::string sha256;
  std::size_t size = 0;
  int committed_blocks = 0;
  std::string metadata_sha256;  // what sluice-publish stored as sluice-sha256
};

std::map<std::string, Blob> Blobs(const Azurite& azurite, const std::string& prefix) {
  const rapidjson::Document listed = azurite.List("data", prefix + "/");
  std::map<std::string, Blob> blobs;
  for (const auto& entry : listed.GetArray()) {
    const rapidjson::Value* metadata = json::Member(entry, "metadata");
    blobs[json::StringOr(entry, "name").substr(prefix.size() + 1)] = {
        json::StringOr(entry, "sha256"), entry["size"].GetUint64(), entry["committedBlocks"].GetInt(),
        metadata != nullptr && metadata->IsObject() ? json::StringOr(*metadata, "sluice_sha256") : ""};
  }
  return blobs;
}

// The manifest's files as "path sha256 size" lines, and whether it holds a lock.
std::string ManifestFiles(const std::string& manifest_json) {
  auto document = json::Parse(manifest_json, "manifest");
  REQUIRE(document.ok());
  std::string files;
  for (const auto& file : (*document)["files"].GetArray()) {
    files += fmt::format("{} {} {}\n", json::StringOr(file, "path"), json::StringOr(file, "sha256"), file["size"].GetUint64());
  }
  if (json::Member(*document, "lock") != nullptr && !(*document)["lock"].IsNull()) files += "locked\n";
  return files;
}

// Every object under large/ as the AWS SDK reads it: its sha256 by key.
std::map<std::string, std::string> S3Sha256(const S3rver& s3) {
  auto objects = json::Parse(s3.Check("large/"), "s3-check");
  REQUIRE(objects.ok());
  std::map<std::string, std::string> sha256;
  for (const auto& entry : (*objects)["objects"].GetArray()) sha256[json::StringOr(entry, "key")] = json::StringOr(entry, "sha256");
  return sha256;
}

// large/_sluice/manifest.json as sluice's own backend reads it.
std::string S3Manifest(const S3rver& s3) {
  auto url = storage::ParseStorageUrl(std::string("s3://") + S3rver::kBucket + "/large", "/");
  REQUIRE(url.ok());
  std::map<std::string, std::string> vars;
  for (const auto& [name, value] : s3.Env()) {
    if (value) vars[name] = *value;
  }
  auto backend = storage::OpenBackend(*url, Environment::FromMap(vars));
  REQUIRE(backend.ok());
  auto object = (*backend)->Get("_sluice/manifest.json");
  REQUIRE(object.ok());
  REQUIRE(object->has_value());
  return (*object)->bytes;
}

}  // namespace

TEST_CASE("publish to Azure: a large file from a commit goes up in thirteen blocks and lands byte for byte, and a failure "
          "midway leaves the published blob and manifest as they were",
          "[azure][publish][large]") {
  Azurite azurite;
  LargeRepo data;
  data.Commit(1);
  EnvOverrides env = Quiet(azurite.KeyEnv());
  env["SLUICE_AZURE_BLOCK_SIZE"] = std::to_string(kBlock);

  ProcessResult first = RunProcess(data.Argv("az://devstoreaccount1/data/large"), env);
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("\"uploaded\":2") && Catch::Contains("\"verified_by_block_list\":1"));
  auto blobs = Blobs(azurite, "large");
  CHECK(blobs.at("data/large.bin").sha256 == Sha256Hex(data.committed));
  CHECK(blobs.at("data/large.bin").size == data.committed.size());
  CHECK(blobs.at("data/large.bin").committed_blocks == static_cast<int>(kBlocks));
  const std::string v1 = Sha256Hex(data.committed);
  const std::string manifest_before = azurite.Check({"get", "data", "large/_sluice/manifest.json"});
  CHECK_THAT(ManifestFiles(manifest_before), Catch::Contains("data/large.bin " + v1));

  // The next commit changes the large file; every Put Block after the fifth is refused.
  data.Commit(2);
  const std::string endpoint = azurite.endpoint();
  FixtureServer proxy({"--upstream", endpoint.substr(0, endpoint.rfind('/')), "--fail-puts-under", "comp=block&",
                       "--fail-after", "5"},
                      "tests/fixtures/http_proxy.py");
  EnvOverrides through_proxy = env;
  through_proxy["AZURE_STORAGE_BLOB_ENDPOINT"] = proxy.url(std::string("/") + Azurite::kAccount);
  ProcessResult failed = RunProcess(data.Argv("az://devstoreaccount1/data/large"), through_proxy);
  INFO(failed.out << failed.err);
  CHECK(failed.exit_code == 3);
  CHECK_THAT(failed.err, Catch::Contains("block"));
  blobs = Blobs(azurite, "large");
  CHECK(blobs.at("data/large.bin").sha256 == v1);  // uncommitted blocks change nothing
  CHECK(blobs.at("data/large.bin").committed_blocks == static_cast<int>(kBlocks));
  CHECK(ManifestFiles(azurite.Check({"get", "data", "large/_sluice/manifest.json"})) == ManifestFiles(manifest_before));

  ProcessResult rerun = RunProcess(data.Argv("az://devstoreaccount1/data/large"), env);
  INFO(rerun.out << rerun.err);
  REQUIRE(rerun.exit_code == 0);
  CHECK(Blobs(azurite, "large").at("data/large.bin").sha256 == Sha256Hex(data.committed));
  CHECK_THAT(ManifestFiles(azurite.Check({"get", "data", "large/_sluice/manifest.json"})),
             Catch::Contains("data/large.bin " + Sha256Hex(data.committed)));
}

TEST_CASE("publish to S3: a large file from a commit goes up in thirteen parts and lands byte for byte, and a failure "
          "midway aborts the upload and leaves the published object and manifest as they were",
          "[s3][publish][large]") {
  S3rver s3;
  LargeRepo data;
  data.Commit(1);
  EnvOverrides env = Quiet(s3.Env());
  env["SLUICE_S3_MULTIPART_THRESHOLD"] = std::to_string(2 * kBlock);  // parts of kBlock (tests only)
  const std::string to = std::string("s3://") + S3rver::kBucket + "/large";

  s3.ClearRequests();
  ProcessResult first = RunProcess(data.Argv(to), env);
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  std::size_t parts = 0;
  for (const S3Request& request : s3.AcceptedWrites()) {
    parts += request.method == "PUT" && request.query.find("partNumber=") != std::string::npos ? 1 : 0;
  }
  CHECK(parts == kBlocks);
  const std::string v1 = Sha256Hex(data.committed);
  CHECK(S3Sha256(s3).at("large/data/large.bin") == v1);
  const std::string manifest_before = S3Manifest(s3);
  CHECK_THAT(ManifestFiles(manifest_before), Catch::Contains("data/large.bin " + v1));

  // The next commit changes the large file; every UploadPart after the fifth is refused.
  data.Commit(2);
  FixtureServer proxy({"--upstream", s3.url(), "--fail-puts-under", "partNumber=", "--fail-after", "5"},
                      "tests/fixtures/http_proxy.py");
  EnvOverrides through_proxy = env;
  through_proxy["AWS_ENDPOINT_URL_S3"] = proxy.url("");
  s3.ClearRequests();
  ProcessResult failed = RunProcess(data.Argv(to), through_proxy);
  INFO(failed.out << failed.err);
  CHECK(failed.exit_code == 3);
  CHECK_THAT(failed.err, Catch::Contains("UploadPart"));
  std::size_t aborted = 0;
  for (const S3Request& request : s3.Requests()) {
    aborted += request.method == "DELETE" && request.query.find("uploadId=") != std::string::npos ? 1 : 0;
  }
  CHECK(aborted == 1);  // AbortMultipartUpload: no invisible parts left behind
  CHECK(S3Sha256(s3).at("large/data/large.bin") == v1);
  CHECK(ManifestFiles(S3Manifest(s3)) == ManifestFiles(manifest_before));

  ProcessResult rerun = RunProcess(data.Argv(to), env);
  INFO(rerun.out << rerun.err);
  REQUIRE(rerun.exit_code == 0);
  CHECK(S3Sha256(s3).at("large/data/large.bin") == Sha256Hex(data.committed));
  CHECK_THAT(ManifestFiles(S3Manifest(s3)), Catch::Contains("data/large.bin " + Sha256Hex(data.committed)));
}

TEST_CASE("publish to Azure from a folder: a file past kMapFrom is read in place and hashed while its blocks go up, and "
          "one rewritten while it is published fails the run with exit 2 before the manifest names it",
          "[azure][publish][large]") {
  Azurite azurite;
  TempDir folder;
  const std::size_t size = publish::kMapFrom + 1000;  // nine blocks of 1 MiB
  std::string v1 = LargeBytes(7, size);
  folder.Write("data/large.bin", v1);
  folder.Write("data/small.csv", "n\n1\n");
  EnvOverrides env = Quiet(azurite.KeyEnv());
  env["SLUICE_AZURE_BLOCK_SIZE"] = std::to_string(1u << 20);
  const std::vector<std::string> argv = {kPublish, "--from", folder.path().string(), "--to", "az://devstoreaccount1/data/folder",
                                         "--parallel", "4", "--json"};

  // The sha256 worked out beside the upload is the one the blob's metadata and the manifest carry
  // (a wrong one would also fail the confirmation by block list, which compares the metadata).
  ProcessResult first = RunProcess(argv, env);
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("\"uploaded\":2") && Catch::Contains("\"verified_by_block_list\":1") &&
                            Catch::Contains(Sha256Hex(v1)));
  Blob blob = Blobs(azurite, "folder").at("data/large.bin");
  CHECK(blob.sha256 == Sha256Hex(v1));
  CHECK(blob.metadata_sha256 == Sha256Hex(v1));
  CHECK(blob.size == size);
  CHECK(blob.committed_blocks == 9);
  const std::string manifest_before = azurite.Check({"get", "data", "folder/_sluice/manifest.json"});
  CHECK(ManifestFiles(manifest_before) == fmt::format("data/large.bin {} {}\ndata/small.csv {} 4\n", Sha256Hex(v1), size,
                                                      Sha256Hex("n\n1\n")));

  // The next version is rewritten by someone else while this run waits after its uploads.
  folder.Write("data/large.bin", LargeBytes(8, size));
  TempDir hooks;
  const std::filesystem::path pause = hooks.path() / "go";
  EnvOverrides paused = env;
  paused["SLUICE_PUBLISH_PAUSE_FILE"] = pause.string();
  auto run = std::async(std::launch::async, [&] { return RunProcess(argv, paused); });
  for (int i = 0; i < 600 && !std::filesystem::exists(pause.string() + ".waiting"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(std::filesystem::exists(pause.string() + ".waiting"));
  {
    std::ofstream append(folder.path() / "data/large.bin", std::ios::binary | std::ios::app);
    append << "one more row\n";
  }
  REQUIRE(WriteFileAtomically(pause, "").ok());
  ProcessResult rewritten = run.get();
  INFO(rewritten.out << rewritten.err);
  CHECK(rewritten.exit_code == 2);
  CHECK_THAT(rewritten.err, Catch::Contains("data/large.bin changed while it was being published") &&
                                Catch::Contains("the manifest still names the previous set"));
  // The manifest names the first version still, without a lock left behind.
  CHECK(ManifestFiles(azurite.Check({"get", "data", "folder/_sluice/manifest.json"})) == ManifestFiles(manifest_before));
}
