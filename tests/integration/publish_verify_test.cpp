// How sluice-publish confirms an upload (issue 33): by the MD5 the store checked on arrival and
// gave back in its answer, not by a second request per file; by reading back where the answer
// proves nothing or the manifest asks for it. Against Azurite and the S3 emulator, with
// tests/fixtures/http_proxy.py in front to count requests and to take headers out of answers.
//
// What the services document, and what the emulators were checked to do here:
// - Azure Put Blob (learn.microsoft.com/rest/api/storageservices/put-blob): with Content-MD5
//   "the Blob service checks the hash of the content that has arrived with the header value";
//   a mismatch fails with 400 (Md5Mismatch); the answer carries Content-MD5. Azurite does both
//   (the first test; its code for the mismatch is InvalidOperation).
// - S3 PutObject (docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html): a Content-MD5
//   that does not match is 400 BadDigest; the ETag of a single-part object without SSE-KMS is
//   the MD5 of its bytes. s3rver 3.7 ignores Content-MD5: tests/fixtures/s3-emulator.mjs checks
//   it in front of s3rver, as S3 does (the S3 test says which one answered).
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "core/env.h"
#include "core/hash.h"
#include "http/client.h"
#include "storage/azure_auth.h"
#include "storage/sigv4.h"
#include "support/azurite.h"
#include "support/data_repo.h"
#include "support/fixture_server.h"
#include "support/process.h"
#include "support/s3rver.h"

using namespace sluice;

namespace {

const std::string kPublish = std::string(SLUICE_BIN_DIR) + "/sluice-publish";
constexpr int kSmallFiles = 20;

struct Seen {
  std::string method, path;
  long status = 0;
};

// What the proxy forwarded so far.
std::vector<Seen> Forwarded(const FixtureServer& proxy) {
  http::Client client;
  http::Transfer transfer;
  transfer.request.url = proxy.url("/_proxy/requests");
  auto response = client.Perform(transfer);
  REQUIRE(response.ok());
  REQUIRE(response->status == 200);
  rapidjson::Document document;
  document.Parse(response->body.c_str());
  REQUIRE(document.IsArray());
  std::vector<Seen> seen;
  for (const auto& entry : document.GetArray()) {
    seen.push_back({entry["method"].GetString(), entry["path"].GetString(), entry["status"].GetInt64()});
  }
  return seen;
}

// Requests of `method` whose path holds `part`.
std::size_t Count(const std::vector<Seen>& seen, const std::string& method, const std::string& part) {
  std::size_t n = 0;
  for (const Seen& s : seen) n += s.method == method && s.path.find(part) != std::string::npos ? 1 : 0;
  return n;
}

// A data repository with kSmallFiles small CSV files under data/.
void WriteSmallFiles(DataRepo& repo) {
  for (int i = 0; i < kSmallFiles; ++i) repo.Write(fmt::format("data/part-{:02d}.csv", i), fmt::format("n,v\n{},{}\n", i, i * i));
  repo.Commit("data");
}

EnvOverrides Quiet(EnvOverrides env) {
  for (const char* variable : {"CI", "GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "SLUICE_RUN_LOG",
                               "SLUICE_PUBLISH_FAIL_AFTER", "SLUICE_PUBLISH_PAUSE_FILE"}) {
    env[variable] = std::nullopt;
  }
  return env;
}

// Azurite behind the proxy: the account's endpoint is the proxy's.
struct AzureBehindProxy {
  Azurite azurite;
  FixtureServer proxy;
  DataRepo repo;

  explicit AzureBehindProxy(std::vector<std::string> proxy_args = {})
      : proxy(WithUpstream(azurite.endpoint(), std::move(proxy_args)), "tests/fixtures/http_proxy.py") {
    WriteSmallFiles(repo);
  }
  static std::vector<std::string> WithUpstream(const std::string& endpoint, std::vector<std::string> args) {
    args.insert(args.begin(), {"--upstream", endpoint.substr(0, endpoint.rfind('/'))});
    return args;
  }
  ProcessResult Publish(const std::string& prefix, std::vector<std::string> args = {}) const {
    EnvOverrides env = Quiet(azurite.KeyEnv());
    env["AZURE_STORAGE_BLOB_ENDPOINT"] = proxy.url(std::string("/") + Azurite::kAccount);
    std::vector<std::string> argv = {kPublish, "--workspace", repo.path().string(), "--to",
                                     "az://devstoreaccount1/data/" + prefix, "data/", "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, env);
  }
};

}  // namespace

TEST_CASE("Azure: Azurite checks a Put Blob's Content-MD5 on arrival (400 Md5Mismatch) and gives it back in the answer",
          "[azure][publish][verify]") {
  Azurite azurite;
  azurite.Check({"create-container", "data"});
  std::string sas = azurite.Check({"sas", "data"});
  while (!sas.empty() && (sas.back() == '\n' || sas.back() == '\r')) sas.pop_back();
  const std::string bytes = "n,v\n1,2\n";
  auto put = [&](const std::string& md5) {
    http::Transfer transfer;
    transfer.request.method = "PUT";
    // A SAS signs no header, so the Content-MD5 can be anything the test likes.
    transfer.request.url = azurite.endpoint() + "/data/md5.csv?" + sas;
    transfer.request.headers = {{"x-ms-blob-type", "BlockBlob"}, {"x-ms-version", std::string(storage::azure::kApiVersion)},
                                {"Content-Type", "text/csv"}, {"Content-MD5", md5}};
    transfer.request.body = bytes;
    http::Client client;
    auto response = client.Perform(transfer);
    REQUIRE(response.ok());
    return std::move(response).value();
  };
  const http::Response wrong = put(storage::azure::Md5Base64("other bytes"));
  CHECK(wrong.status == 400);
  // Azure's error code is Md5Mismatch; Azurite 3 answers InvalidOperation "Provided contentMD5
  // doesn't match." Either way the blob is not written.
  CHECK_THAT(wrong.body, Catch::Contains("Md5Mismatch") || Catch::Contains("contentMD5 doesn't match"));
  CHECK(azurite.List("data", "md5.csv").GetArray().Size() == 0);
  const http::Response right = put(storage::azure::Md5Base64(bytes));
  CHECK(right.status == 201);
  CHECK(right.Header("Content-MD5") == storage::azure::Md5Base64(bytes));
}

TEST_CASE("Azure: small files are confirmed by the MD5 in the Put Blob answer, with no GET per file", "[azure][publish][verify]") {
  AzureBehindProxy f;
  f.azurite.Check({"create-container", "data"});
  ProcessResult first = f.Publish("hash");
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains(fmt::format("\"verified\":{}", kSmallFiles)) &&
                            Catch::Contains(fmt::format("\"verified_by_upload_hash\":{}", kSmallFiles)));
  const auto seen = Forwarded(f.proxy);
  CHECK(Count(seen, "PUT", "/hash/data/part-") == kSmallFiles);
  CHECK(Count(seen, "GET", "/hash/data/") == 0);
  CHECK(Count(seen, "HEAD", "/hash/data/") == 0);
  // What landed is what the commit holds, as the SDK reads it.
  rapidjson::Document list = f.azurite.List("data", "hash/data/");
  REQUIRE(list.GetArray().Size() == kSmallFiles);
  for (const auto& blob : list.GetArray()) {
    const std::string name = blob["name"].GetString();
    auto expected = f.repo.Git({"show", "HEAD:" + name.substr(std::string("hash/").size())});
    CHECK(std::string(blob["sha256"].GetString()) == Sha256Hex(expected));
  }
}

TEST_CASE("Azure: a Put Blob answer without Content-MD5 proves nothing: each such file is read back", "[azure][publish][verify]") {
  AzureBehindProxy f({"--strip-from-put-answers", "Content-MD5"});
  f.azurite.Check({"create-container", "data"});
  ProcessResult run = f.Publish("stripped");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains(fmt::format("\"verified\":{}", kSmallFiles)) &&
                          Catch::Contains("\"verified_by_upload_hash\":0"));
  CHECK(Count(Forwarded(f.proxy), "GET", "/stripped/data/part-") == kSmallFiles);
}

TEST_CASE("Azure: --verify read-back and the manifest's publish.verify read every small file back", "[azure][publish][verify]") {
  AzureBehindProxy f;
  f.azurite.Check({"create-container", "data"});
  ProcessResult run = f.Publish("asked", {"--verify", "read-back"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("\"verified_by_upload_hash\":0"));
  CHECK(Count(Forwarded(f.proxy), "GET", "/asked/data/part-") == kSmallFiles);

  f.repo.Write("pipelines/parts.json", R"({"name": "parts",
    "sources": [{"name": "p", "url": "file:sources/p.csv", "format": "csv", "output": "data/part-00.csv"}],
    "publish": {"staging": "az://devstoreaccount1/data/manifest-asked", "production": "file:///tmp/sluice-unused",
                "verify": "read-back"}})");
  f.repo.Commit("pipeline");
  EnvOverrides env = Quiet(f.azurite.KeyEnv());
  env["AZURE_STORAGE_BLOB_ENDPOINT"] = f.proxy.url(std::string("/") + Azurite::kAccount);
  ProcessResult manifest = f.repo.RunTool(kPublish, "pipelines/parts.json", {"--target", "staging", "--json"}, env);
  INFO(manifest.err);
  REQUIRE(manifest.exit_code == 0);
  CHECK_THAT(manifest.out, Catch::Contains("\"verified\":1") && Catch::Contains("\"verified_by_upload_hash\":0"));
  CHECK(Count(Forwarded(f.proxy), "GET", "/manifest-asked/data/part-00.csv") == 1);
}

TEST_CASE("s3: the gate refuses a PutObject whose Content-MD5 is wrong with 400 BadDigest (s3rver alone does not)",
          "[s3][publish][verify]") {
  S3rver s3;
  const std::string bytes = "n,v\n1,2\n";
  auto put = [&](const std::string& md5) {
    const std::string host = s3.url().substr(s3.url().find("://") + 3);
    storage::sigv4::RequestToSign signing{"PUT", std::string("/") + S3rver::kBucket + "/md5.csv", {},
                                          {{"Host", host}, {"Content-MD5", md5}}, Sha256Hex(bytes)};
    REQUIRE(storage::sigv4::Sign(signing, {S3rver::kKeyId, S3rver::kSecret, ""}, {"us-east-1", "s3"},
                                 std::chrono::system_clock::now())
                .ok());
    http::Transfer transfer;
    transfer.request.method = "PUT";
    transfer.request.url = s3.url() + signing.path;
    transfer.request.headers = signing.headers;
    transfer.request.headers.emplace_back("Content-Type", "text/csv");
    transfer.request.body = bytes;
    http::Client client;
    auto response = client.Perform(transfer);
    REQUIRE(response.ok());
    return std::move(response).value();
  };
  using storage::sigv4::Base64;
  using storage::sigv4::Md5;
  const http::Response wrong = put(Base64(Md5("other bytes")));
  CHECK(wrong.status == 400);
  CHECK_THAT(wrong.body, Catch::Contains("<Code>BadDigest</Code>"));
  const http::Response right = put(Base64(Md5(bytes)));
  CHECK(right.status == 200);
  CHECK(right.Header("etag") == "\"" + storage::sigv4::Hex(Md5(bytes)) + "\"");
}

TEST_CASE("s3: small files are confirmed by their ETag, with no GET per file, and an answer without one is read back",
          "[s3][publish][verify]") {
  S3rver s3;
  DataRepo repo;
  WriteSmallFiles(repo);
  auto publish = [&](const std::string& endpoint, const std::string& prefix) {
    EnvOverrides env = Quiet(s3.Env());
    env["AWS_ENDPOINT_URL_S3"] = endpoint;
    return RunProcess({kPublish, "--workspace", repo.path().string(), "--to",
                       std::string("s3://") + S3rver::kBucket + "/" + prefix, "data/", "--json"},
                      env);
  };
  s3.ClearRequests();
  ProcessResult direct = publish(s3.url(), "hash");
  INFO(direct.err);
  REQUIRE(direct.exit_code == 0);
  CHECK_THAT(direct.out, Catch::Contains(fmt::format("\"verified_by_upload_hash\":{}", kSmallFiles)));
  std::size_t gets = 0, puts = 0;
  for (const S3Request& r : s3.Requests()) {
    if (r.path.find("/hash/data/") == std::string::npos) continue;
    gets += r.method == "GET" || r.method == "HEAD" ? 1 : 0;
    puts += r.method == "PUT" ? 1 : 0;
  }
  CHECK(puts == kSmallFiles);
  CHECK(gets == 0);

  // Only the data files' answers lose their ETag: the manifest's conditional writes need theirs.
  FixtureServer proxy({"--upstream", s3.url(), "--strip-from-put-answers", "ETag", "--strip-under", "/data/"},
                      "tests/fixtures/http_proxy.py");
  ProcessResult stripped = publish(proxy.url(""), "stripped");
  INFO(stripped.err);
  REQUIRE(stripped.exit_code == 0);
  CHECK_THAT(stripped.out, Catch::Contains(fmt::format("\"verified\":{}", kSmallFiles)) &&
                               Catch::Contains("\"verified_by_upload_hash\":0"));
  CHECK(Count(Forwarded(proxy), "GET", "/stripped/data/part-") == kSmallFiles);
}
