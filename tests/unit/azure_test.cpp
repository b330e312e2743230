// The Azure backend's pieces that need no service: the SharedKey string-to-sign (against the
// example in Microsoft's "Authorize with Shared Key"), HMAC, MD5 and block ids, credentials
// from the environment (and never in a message), and the service's errors in words.
#include <catch2/catch.hpp>

#include <set>

#include <fmt/format.h>

#include "core/secrets.h"
#include "storage/azure_auth.h"
#include "storage/azure_response.h"
#include "storage/backend.h"
#include "storage/storage_url.h"

using namespace sluice;
using namespace sluice::storage::azure;

namespace {

constexpr const char* kKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

http::Response ErrorResponse(long status, const std::string& code, const std::string& message) {
  http::Response response;
  response.status = status;
  response.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code + "</Code><Message>" + message +
                  "\nRequestId:1f2e\nTime:2026-11-03T10:00:00Z</Message></Error>";
  return response;
}

}  // namespace

TEST_CASE("SharedKey: the string to sign is the documented one", "[azure]") {
  // "Authorize with Shared Key", section "Constructing the signature string": Get Container
  // Metadata, version 2015-02-21.
  const std::string expected =
      "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\nx-ms-version:2015-02-21\n"
      "/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20";
  http::Headers headers = {{"x-ms-version", "2015-02-21"}, {"X-Ms-Date", "Fri, 26 Jun 2015 23:39:12 GMT"}};
  CHECK(SharedKeyStringToSign("GET", headers, 0, "myaccount", "/mycontainer",
                              {{"restype", "container"}, {"comp", "metadata"}, {"timeout", "20"}}) == expected);

  // "Shared Key format for 2009-09-19 and later": repeated parameters are sorted and joined.
  const std::string listed = SharedKeyStringToSign(
      "GET", {}, 0, "myaccount", "/mycontainer",
      {{"restype", "container"}, {"comp", "list"}, {"include", "snapshots"}, {"include", "metadata"},
       {"include", "uncommittedblobs"}});
  CHECK(listed.substr(listed.find("/myaccount")) ==
        "/myaccount/mycontainer\ncomp:list\ninclude:metadata,snapshots,uncommittedblobs\nrestype:container");
}

TEST_CASE("SharedKey: standard headers take their slots, Content-Length is empty when 0", "[azure]") {
  http::Headers headers = {{"Content-Type", "text/csv"}, {"Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="},
                           {"If-None-Match", "*"}, {"x-ms-meta-b", " 2 "}, {"x-ms-blob-type", "BlockBlob"},
                           {"User-Agent", "not signed"}};
  CHECK(SharedKeyStringToSign("PUT", headers, 5, "devstoreaccount1", "/devstoreaccount1/data/a%20b.csv", {}) ==
        "PUT\n\n\n5\nXUFAKrxLKna5cZ2REBfFkg==\ntext/csv\n\n\n\n*\n\n\n"
        "x-ms-blob-type:BlockBlob\nx-ms-meta-b:2\n/devstoreaccount1/devstoreaccount1/data/a%20b.csv");
  CHECK(SharedKeyStringToSign("PUT", {}, 0, "a", "/c", {}) == "PUT\n\n\n\n\n\n\n\n\n\n\n\n/a/c");
}

TEST_CASE("HMAC-SHA256, base64, MD5 and block ids", "[azure]") {
  // RFC 4231, test case 2.
  CHECK(Base64(HmacSha256("Jefe", "what do ya want for nothing?")) == "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
  CHECK(Md5Base64("hello") == "XUFAKrxLKna5cZ2REBfFkg==");
  CHECK(Md5Base64("") == "1B2M2Y8AsgTpgAmY7PhCfg==");
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto decoded = DecodeBase64(Base64(text));
    REQUIRE(decoded.ok());
    CHECK(*decoded == text);
  }
  CHECK(Base64("foob") == "Zm9vYg==");
  CHECK_FALSE(DecodeBase64("Zm9vYg=").ok());
  CHECK_FALSE(DecodeBase64("Zm9v YmFy").ok());
  // Every id of one blob has the same length (the service requires it), ids are distinct, and
  // each names its block's MD5.
  std::set<std::string> ids;
  for (std::size_t i : {0u, 1u, 9u, 10u, 4999u, 49999u}) {
    const std::string md5 = Md5Base64(std::to_string(i));
    const std::string id = BlockId(i, md5);
    CHECK(id.size() == BlockId(0, Md5Base64("")).size());
    auto text = DecodeBase64(id);
    REQUIRE(text.ok());
    CHECK(*text == fmt::format("sluice-{:06d}-{}", i, md5));
    ids.insert(id);
  }
  CHECK(ids.size() == 6);
  CHECK(BlockId(7, Md5Base64("a")) != BlockId(7, Md5Base64("b")));
  CHECK(HttpDate(std::chrono::system_clock::from_time_t(1435361952)) == "Fri, 26 Jun 2015 23:39:12 GMT");
  CHECK(EncodePath("data/a b+ü.csv") == "data/a%20b%2B%C3%BC.csv");
}

TEST_CASE("credentials come from the usual variables, missing ones name the variables, keys never show", "[azure]") {
  ClearSecretsForTesting();
  auto none = AzureAccessFrom("healthdata", Environment::FromMap({}));
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().kind() == ErrorKind::kConfig);
  CHECK_THAT(none.status().message(), Catch::Contains("AZURE_STORAGE_KEY") && Catch::Contains("AZURE_STORAGE_SAS_TOKEN") &&
                                          Catch::Contains("AZURE_STORAGE_CONNECTION_STRING"));

  auto keyed = AzureAccessFrom("healthdata", Environment::FromMap({{"AZURE_STORAGE_KEY", kKey}}));
  REQUIRE(keyed.ok());
  CHECK(keyed->endpoint == "https://healthdata.blob.core.windows.net");
  CHECK(keyed->key.size() == 64);
  CHECK(keyed->sas.empty());
  CHECK(Mask(std::string("key=") + kKey) == "key=***");

  auto bad = AzureAccessFrom("healthdata", Environment::FromMap({{"AZURE_STORAGE_KEY", "not base64!"}}));
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Contains("AZURE_STORAGE_KEY is not a base64 account key"));
  CHECK(bad.status().message().find("not base64!") == std::string::npos);

  auto other = AzureAccessFrom("healthdata", Environment::FromMap({{"AZURE_STORAGE_KEY", kKey}, {"AZURE_STORAGE_ACCOUNT", "elsewhere"}}));
  REQUIRE_FALSE(other.ok());
  CHECK_THAT(other.status().message(), Catch::Contains("'elsewhere'") && Catch::Contains("'healthdata'"));

  auto sas = AzureAccessFrom("healthdata", Environment::FromMap({{"AZURE_STORAGE_SAS_TOKEN", "?sv=2021-08-06&sp=rl&sig=c2VjcmV0c2ln%3D"},
                                                                 {"AZURE_STORAGE_BLOB_ENDPOINT", "http://127.0.0.1:10000/healthdata/"}}));
  REQUIRE(sas.ok());
  CHECK(sas->sas == "sv=2021-08-06&sp=rl&sig=c2VjcmV0c2ln%3D");
  CHECK(sas->endpoint == "http://127.0.0.1:10000/healthdata");
  CHECK(sas->credential_variable == "AZURE_STORAGE_SAS_TOKEN");
  CHECK(Mask("GET ...?sig=c2VjcmV0c2ln%3D") == "GET ...?sig=***");

  auto connection = AzureAccessFrom(
      "devstoreaccount1",
      Environment::FromMap({{"AZURE_STORAGE_CONNECTION_STRING",
                             std::string("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=") + kKey +
                                 ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"}}));
  REQUIRE(connection.ok());
  CHECK(connection->endpoint == "http://127.0.0.1:10000/devstoreaccount1");
  CHECK(connection->key.size() == 64);
  ClearSecretsForTesting();
}

TEST_CASE("az:// opens the Azure backend, described without credentials", "[azure]") {
  ClearSecretsForTesting();
  auto url = storage::ParseStorageUrl("az://healthdata/public/covid", "/ws");
  REQUIRE(url.ok());
  auto backend = storage::OpenBackend(*url, Environment::FromMap({{"AZURE_STORAGE_KEY", kKey}}));
  REQUIRE(backend.ok());
  CHECK((*backend)->Describe() == "az://healthdata/public/covid");
  auto missing = storage::OpenBackend(*url, Environment::FromMap({}));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().exit_code() == 2);
  ClearSecretsForTesting();
}

TEST_CASE("the service's errors in words: auth and missing container exit 2, the rest 3", "[azure]") {
  const FailureContext context{"uploading data/cases.csv", "http://127.0.0.1:10000/devstoreaccount1/data/p/data/cases.csv",
                               "devstoreaccount1", "data", "AZURE_STORAGE_KEY"};
  Status auth = ResponseFailure(ErrorResponse(403, "AuthenticationFailed", "Server failed to authenticate the request."), context);
  CHECK(auth.kind() == ErrorKind::kConfig);
  CHECK_THAT(auth.message(), Catch::Contains("HTTP 403 AuthenticationFailed: Server failed to authenticate the request.") &&
                                 Catch::Contains("check AZURE_STORAGE_KEY for account 'devstoreaccount1'") &&
                                 Catch::Contains(context.url));
  CHECK(auth.message().find("RequestId") == std::string::npos);
  Status permission = ResponseFailure(ErrorResponse(403, "AuthorizationPermissionMismatch", "no"), context);
  CHECK_THAT(permission.message(), Catch::Contains("lack a permission"));
  Status container = ResponseFailure(ErrorResponse(404, "ContainerNotFound", "The specified container does not exist."), context);
  CHECK(container.kind() == ErrorKind::kConfig);
  CHECK_THAT(container.message(), Catch::Contains("az storage container create --account-name devstoreaccount1 --name data"));
  Status busy = ResponseFailure(ErrorResponse(503, "ServerBusy", "Ingress is over the account limit &amp; retried"), context);
  CHECK(busy.kind() == ErrorKind::kExternal);
  CHECK_THAT(busy.message(), Catch::Contains("ServerBusy: Ingress is over the account limit & retried"));
  http::Response headed;
  headed.status = 400;
  headed.headers = {{"x-ms-error-code", "Md5Mismatch"}};
  CHECK_THAT(ResponseFailure(headed, context).message(), Catch::Contains("HTTP 400 Md5Mismatch"));
  CHECK(XmlTexts("<B><Name>a&lt;b</Name><Name>c&#x2F;d</Name></B>", "Name") == std::vector<std::string>{"a<b", "c/d"});
}
