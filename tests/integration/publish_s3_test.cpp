// sluice-publish to s3:// and gs:// as a workflow step runs it, against s3rver behind a gate
// that checks every SigV4 signature with the AWS SDK's signer (tests/fixtures/s3-emulator.mjs);
// what landed is read back with @aws-sdk/client-s3 (tests/fixtures/s3-check.mjs).
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include <fmt/format.h>

#include "core/fs.h"
#include "core/hash.h"
#include "json/json.h"
#include "publish/published_manifest.h"
#include "storage/backend.h"
#include "storage/storage_url.h"
#include "support/data_repo.h"
#include "support/process.h"
#include "support/s3rver.h"
#include "support/temp_dir.h"

using namespace sluice;

namespace {

const std::string kPublish = std::string(SLUICE_BIN_DIR) + "/sluice-publish";
const std::string kTo = std::string("s3://") + S3rver::kBucket + "/staging";
constexpr const char* kWrongSecret = "wrong-secret-7f3a9c";

std::string SlurpOr(const std::filesystem::path& path) {
  auto text = ReadFile(path);
  return text.ok() ? *text : "";
}

std::string Rows(int n, int bump = 0) {
  std::string csv = "date,county,cases\n";
  for (int i = 0; i < n; ++i) csv += fmt::format("2026-11-{:02d},Alameda,{}\n", i % 28 + 1, 100 + i + bump);
  return csv;
}

// 2.5 MiB of NDJSON: six parts of 512 KiB under the lowered threshold below.
std::string Big() {
  std::string text;
  for (int i = 0; text.size() < (5u << 19); ++i) text += fmt::format("{{\"row\":{},\"value\":\"{:040d}\"}}\n", i, i * 7);
  return text;
}

struct S3Fixture {
  S3rver s3;
  DataRepo repo;

  S3Fixture() {
    repo.Write("data/cases.csv", Rows(5));
    repo.Write("data/deaths.json", "[{\"county\": \"Alameda\", \"deaths\": 1}]\n");
    repo.Write("data/big.ndjson", Big());
    repo.Commit("data");
  }

  EnvOverrides Env(EnvOverrides extra = {}) const {
    EnvOverrides env = s3.Env();
    for (const char* variable : {"CI", "GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "SLUICE_RUN_LOG",
                                 "SLUICE_PUBLISH_FAIL_AFTER", "SLUICE_PUBLISH_PAUSE_FILE"}) {
      env[variable] = std::nullopt;
    }
    env["SLUICE_S3_MULTIPART_THRESHOLD"] = std::to_string(1u << 20);  // parts of 512 KiB (tests only)
    for (auto& [name, value] : extra) env[name] = value;
    return env;
  }
  ProcessResult Publish(std::vector<std::string> args, EnvOverrides extra = {}, const std::string& to = kTo) const {
    std::vector<std::string> argv = {kPublish, "--workspace", repo.path().string(), "--to", to};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, Env(std::move(extra)));
  }
};

struct Seen {
  std::string sha256, content_type, cache_control;
  std::map<std::string, std::string> metadata;
};

std::map<std::string, Seen> Objects(const S3rver& s3, const std::string& prefix) {
  auto document = json::Parse(s3.Check(prefix), "s3-check");
  REQUIRE(document.ok());
  std::map<std::string, Seen> objects;
  for (const auto& entry : (*document)["objects"].GetArray()) {
    Seen seen{json::StringOr(entry, "sha256"), json::StringOr(entry, "content_type"), json::StringOr(entry, "cache_control"), {}};
    for (const auto& m : entry["metadata"].GetObject()) seen.metadata[m.name.GetString()] = m.value.GetString();
    objects[json::StringOr(entry, "key")] = seen;
  }
  return objects;
}

// The manifest as sluice's own backend reads it.
publish::PublishedManifest ManifestIn(const S3rver& s3, const std::string& prefix) {
  auto url = storage::ParseStorageUrl(std::string("s3://") + S3rver::kBucket + "/" + prefix, "/");
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
  auto manifest = publish::ParsePublishedManifest((*object)->bytes, "manifest");
  REQUIRE(manifest.ok());
  return std::move(manifest).value();
}

// Every file the manifest names is in the bucket (with its bytes when `exact`).
void CheckManifestHolds(const S3rver& s3, const std::string& prefix, bool exact) {
  auto objects = Objects(s3, prefix + "/");
  for (const auto& file : ManifestIn(s3, prefix).files) {
    INFO(file.path);
    auto found = objects.find(prefix + "/" + file.path);
    REQUIRE(found != objects.end());
    if (exact) CHECK(found->second.sha256 == file.sha256);
  }
}

std::size_t Count(const std::vector<S3Request>& requests, const std::string& method, const std::string& path_part,
                  const std::string& query_part = "") {
  std::size_t n = 0;
  for (const auto& r : requests) {
    if (r.method == method && r.path.find(path_part) != std::string::npos && r.query.find(query_part) != std::string::npos) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("s3: first publish puts bytes, content type, cache-control and metadata as the AWS SDK reads them, "
          "the big file goes in parts, an unchanged rerun writes nothing", "[s3]") {
  S3Fixture f;
  ProcessResult run = f.Publish({"--json", "--cache-control", "public, max-age=300"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("\"uploaded\":3"));
  const std::string commit = f.repo.Git({"rev-parse", "HEAD"}).substr(0, 40);
  auto objects = Objects(f.s3, "staging/");
  REQUIRE(objects.count("staging/data/cases.csv") == 1);
  Seen cases = objects["staging/data/cases.csv"];
  CHECK(cases.sha256 == Sha256Hex(Rows(5)));
  CHECK(cases.content_type == "text/csv; charset=utf-8");
  CHECK(cases.cache_control == "public, max-age=300");
  CHECK(cases.metadata["sluice-sha256"] == Sha256Hex(Rows(5)));
  CHECK(cases.metadata["sluice-commit"] == commit);
  CHECK(objects["staging/data/big.ndjson"].sha256 == Sha256Hex(Big()));
  CHECK(objects["staging/data/big.ndjson"].metadata["sluice-sha256"] == Sha256Hex(Big()));
  CHECK(objects["staging/data/deaths.json"].content_type == "application/json");
  CHECK(objects.count("staging/_sluice/manifest.json") == 1);
  CHECK(objects.count("staging/_sluice/status.json") == 1);
  CheckManifestHolds(f.s3, "staging", true);
  auto requests = f.s3.Requests();
  CHECK(Count(requests, "POST", "/staging/data/big.ndjson", "uploads") == 1);
  CHECK(Count(requests, "PUT", "/staging/data/big.ndjson", "partNumber=") == (Big().size() + (1u << 19) - 1) / (1u << 19));
  CHECK(Count(requests, "POST", "/staging/data/big.ndjson", "uploadId=") == 1);
  // The claim of the target and the commit of the manifest are conditional writes (which the
  // emulator ignores: the backend's before/after check is what the tests can show).
  std::vector<std::string> manifest_puts;
  for (const auto& r : requests) {
    if (r.method == "PUT" && r.path == "/sluice-test/staging/_sluice/manifest.json") manifest_puts.push_back(r.condition);
  }
  REQUIRE(manifest_puts.size() == 2);
  CHECK(manifest_puts[0] == "if-none-match: *");
  CHECK_THAT(manifest_puts[1], Catch::StartsWith("if-match: \""));
  for (const auto& r : requests) {  // 404: the manifest before it exists; nothing else failed
    INFO(r.method << " " << r.path << r.query);
    CHECK((r.status < 400 || (r.status == 404 && (r.method == "GET" || r.method == "HEAD"))));
  }

  f.s3.ClearRequests();
  ProcessResult again = f.Publish({"--json", "--cache-control", "public, max-age=300"});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("\"uploaded\":0"));
  CHECK(f.s3.AcceptedWrites().empty());
}

TEST_CASE("s3: a changed file is the only data upload", "[s3]") {
  S3Fixture f;
  REQUIRE(f.Publish({}).exit_code == 0);
  f.repo.CommitFile("data/cases.csv", Rows(6), "one more day");
  f.s3.ClearRequests();
  ProcessResult run = f.Publish({"--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("\"uploaded\":1"));
  auto writes = f.s3.AcceptedWrites();
  CHECK(Count(writes, "PUT", "/staging/data/") == 1);
  CHECK(Count(writes, "PUT", "/staging/data/cases.csv") == 1);
  CHECK(Objects(f.s3, "staging/")["staging/data/cases.csv"].sha256 == Sha256Hex(Rows(6)));
  CheckManifestHolds(f.s3, "staging", true);
}

TEST_CASE("s3: wrong or missing credentials are a clear error, nothing is written, the secret is never shown", "[s3]") {
  S3Fixture f;
  TempDir actions;
  const auto log = actions.path() / "runs.ndjson";
  const auto summary = actions.Write("summary", "");
  ProcessResult wrong = f.Publish({}, {{"AWS_SECRET_ACCESS_KEY", std::string(kWrongSecret)},
                                       {"SLUICE_RUN_LOG", log.string()}, {"GITHUB_STEP_SUMMARY", summary.string()}});
  INFO(wrong.out << wrong.err);
  CHECK(wrong.exit_code == 2);
  CHECK_THAT(wrong.err, Catch::Contains("SignatureDoesNotMatch") && Catch::Contains("AWS_SECRET_ACCESS_KEY"));
  CHECK_THAT(wrong.err, Catch::Contains("s3://sluice-test/staging"));
  for (const std::string& text : {wrong.out, wrong.err, SlurpOr(log), SlurpOr(summary)}) {
    CHECK(text.find(kWrongSecret) == std::string::npos);
  }
  CHECK(f.s3.AcceptedWrites().empty());
  CHECK(Objects(f.s3, "").empty());

  ProcessResult unknown = f.Publish({}, {{"AWS_ACCESS_KEY_ID", std::string("AKIANOSUCHKEY")}});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("InvalidAccessKeyId") && Catch::Contains("AWS_ACCESS_KEY_ID"));

  ProcessResult missing = f.Publish({}, {{"AWS_SECRET_ACCESS_KEY", std::nullopt}});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
  CHECK(Objects(f.s3, "").empty());
}

TEST_CASE("s3: a bucket that does not exist is exit 2 with S3's code and the URL", "[s3]") {
  S3Fixture f;
  ProcessResult run = f.Publish({}, {}, "s3://no-such-bucket/staging");
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("s3://no-such-bucket/staging") && Catch::Contains("NoSuchBucket") &&
                          Catch::Contains("does not exist"));
}

TEST_CASE("s3: the emulator dies mid-publish: exit 3, the manifest never names a missing object, the rerun completes",
          "[s3]") {
  S3Fixture f;
  REQUIRE(f.Publish({}).exit_code == 0);
  f.repo.Write("data/cases.csv", Rows(9, 1));
  f.repo.Write("data/deaths.json", "[{\"county\": \"Alameda\", \"deaths\": 2}]\n");
  f.repo.Write("data/hospital.csv", Rows(3));
  f.repo.Commit("revised");
  f.s3.ExitAfterWrites(2);  // the claim of the manifest, then one data file
  ProcessResult cut = f.Publish({});
  INFO(cut.out << cut.err);
  CHECK(cut.exit_code == 3);
  f.s3.Restart();
  CheckManifestHolds(f.s3, "staging", false);

  // The dead run's lock is still on the manifest: the rerun says so, and --break-lock finishes.
  ProcessResult locked = f.Publish({});
  CHECK(locked.exit_code == 4);
  CHECK_THAT(locked.err, Catch::Contains("--break-lock"));
  ProcessResult rerun = f.Publish({"--break-lock", "--json"});
  INFO(rerun.err);
  REQUIRE(rerun.exit_code == 0);
  CheckManifestHolds(f.s3, "staging", true);
  CHECK(Objects(f.s3, "staging/")["staging/data/hospital.csv"].sha256 == Sha256Hex(Rows(3)));
}

TEST_CASE("s3: --delete-removed deletes what left the set after the manifest points past it", "[s3]") {
  S3Fixture f;
  REQUIRE(f.Publish({}).exit_code == 0);
  f.repo.Git({"rm", "-q", "data/deaths.json"});
  f.repo.Commit("deaths retired");
  ProcessResult run = f.Publish({"--delete-removed", "--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("\"deleted\":[\"data/deaths.json\"]"));
  auto objects = Objects(f.s3, "staging/");
  CHECK(objects.count("staging/data/deaths.json") == 0);
  CHECK(objects.count("staging/data/cases.csv") == 1);
  CHECK(ManifestIn(f.s3, "staging").removed.empty());
}

TEST_CASE("gs: the GCS path signs with an HMAC key and region auto and publishes through the XML API", "[s3]") {
  S3Fixture f;
  const std::string to = std::string("gs://") + S3rver::kBucket + "/gcs";
  ProcessResult run = f.Publish({"--json"}, {{"AWS_ACCESS_KEY_ID", std::nullopt}, {"AWS_SECRET_ACCESS_KEY", std::nullopt},
                                             {"AWS_ENDPOINT_URL_S3", std::nullopt},
                                             {"GOOGLE_HMAC_ACCESS_KEY_ID", std::string(S3rver::kKeyId)},
                                             {"GOOGLE_HMAC_SECRET", std::string(S3rver::kSecret)},
                                             {"STORAGE_EMULATOR_HOST", f.s3.url()}}, to);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto requests = f.s3.Requests();  // before s3-check adds the SDK's own
  auto objects = Objects(f.s3, "gcs/");
  CHECK(objects["gcs/data/cases.csv"].sha256 == Sha256Hex(Rows(5)));
  CHECK(objects["gcs/data/big.ndjson"].sha256 == Sha256Hex(Big()));
  REQUIRE_FALSE(requests.empty());
  for (const auto& r : requests) CHECK(r.region == "auto");
  bool claimed_absent = false;
  for (const auto& r : requests) claimed_absent |= r.condition == "x-goog-if-generation-match: 0";
  CHECK(claimed_absent);
}

TEST_CASE("s3 backend: PutAll in parallel, List decodes keys, PutIf refuses a changed object with exit 4", "[s3]") {
  S3rver s3;
  std::map<std::string, std::string> vars;
  for (const auto& [name, value] : s3.Env()) {
    if (value) vars[name] = *value;
  }
  auto url = storage::ParseStorageUrl(std::string("s3://") + S3rver::kBucket + "/lib", "/");
  REQUIRE(url.ok());
  auto opened = storage::OpenBackend(*url, Environment::FromMap(vars));
  REQUIRE(opened.ok());
  storage::Backend& backend = **opened;
  CHECK(backend.Describe() == "s3://sluice-test/lib");

  std::vector<std::string> bodies;
  for (int i = 0; i < 24; ++i) bodies.push_back(Rows(i + 1));
  std::vector<storage::PutItem> items;
  for (int i = 0; i < 24; ++i) items.push_back({fmt::format("part/{:02d} a&b.csv", i), bodies[i], {"text/csv", "", {}}, nullptr});
  std::size_t last_done = 0;
  auto statuses = backend.PutAll(items, 6, [&](std::size_t done, std::size_t) { last_done = done; });
  for (const auto& status : statuses) CHECK(status.message() == "");
  CHECK(last_done == 24);
  auto keys = backend.List();
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 24);
  CHECK(keys->front() == "part/00 a&b.csv");
  auto got = backend.Get("part/07 a&b.csv");
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->bytes == Rows(8));
  CHECK(backend.Delete("part/07 a&b.csv").ok());
  CHECK(backend.Delete("part/07 a&b.csv").ok());  // already gone: still fine
  auto gone = backend.Get("part/07 a&b.csv");
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->has_value());

  auto first = backend.PutIf("claim.json", "{}", {"application/json", "", {}}, storage::Precondition::IfAbsent());
  REQUIRE(first.ok());
  auto second = backend.PutIf("claim.json", "{\"b\":1}", {"application/json", "", {}}, storage::Precondition::IfAbsent());
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().exit_code() == 4);
  CHECK_THAT(second.status().message(), Catch::Contains("claim.json"));
  auto stale = backend.PutIf("claim.json", "{\"c\":1}", {"application/json", "", {}},
                             storage::Precondition::IfVersion("\"0123456789abcdef0123456789abcdef\""));
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.status().exit_code() == 4);
  auto next = backend.PutIf("claim.json", "{\"d\":1}", {"application/json", "", {}}, storage::Precondition::IfVersion(*first));
  REQUIRE(next.ok());
  CHECK(*next != *first);
}
