// The S3/GCS backend's pieces without a server: where a URL leads with which keys, and the
// XML S3 answers with.
#include <catch2/catch.hpp>

#include "core/secrets.h"
#include "storage/s3_target.h"
#include "storage/s3_xml.h"
#include "storage/storage_url.h"

using namespace sluice;
using namespace sluice::storage;

namespace {

Result<S3Target> TargetFor(const std::string& url, std::map<std::string, std::string> env) {
  auto parsed = ParseStorageUrl(url, "/ws");
  REQUIRE(parsed.ok());
  return S3TargetFromEnvironment(*parsed, Environment::FromMap(std::move(env)));
}

}  // namespace

TEST_CASE("s3 target: virtual-hosted on AWS by default, path style under an endpoint override", "[s3]") {
  auto aws = TargetFor("s3://my-bucket/covid/daily", {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                                      {"AWS_SECRET_ACCESS_KEY", "secret-for-unit-test"},
                                                      {"AWS_DEFAULT_REGION", "eu-west-3"}});
  REQUIRE(aws.ok());
  CHECK(aws->origin == "https://my-bucket.s3.eu-west-3.amazonaws.com");
  CHECK(aws->bucket_path.empty());
  CHECK(aws->prefix == "covid/daily");
  CHECK(aws->scope.region == "eu-west-3");
  CHECK(Mask("x secret-for-unit-test y") == "x *** y");

  auto emulator = TargetFor("s3://my-bucket", {{"AWS_ACCESS_KEY_ID", "S3RVER"}, {"AWS_SECRET_ACCESS_KEY", "S3RVER"},
                                                {"AWS_ENDPOINT_URL", "http://127.0.0.1:4568/"}});
  REQUIRE(emulator.ok());
  CHECK(emulator->origin == "http://127.0.0.1:4568");
  CHECK(emulator->host == "127.0.0.1:4568");
  CHECK(emulator->bucket_path == "/my-bucket");
  CHECK(emulator->scope.region == "us-east-1");

  auto bad = TargetFor("s3://my-bucket", {{"AWS_ACCESS_KEY_ID", "a"}, {"AWS_SECRET_ACCESS_KEY", "b"},
                                           {"AWS_ENDPOINT_URL_S3", "ftp://host/path"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().exit_code() == 2);
  CHECK_THAT(bad.status().message(), Catch::Contains("AWS_ENDPOINT_URL_S3"));
}

TEST_CASE("s3 target: missing keys are exit 2 naming the variables, GCS prefers its HMAC variables", "[s3]") {
  auto none = TargetFor("s3://my-bucket/p", {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}});
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().exit_code() == 2);
  CHECK_THAT(none.status().message(), Catch::Contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));

  auto gcs = TargetFor("gs://my-bucket/p", {{"GOOGLE_HMAC_ACCESS_KEY_ID", "GOOG1E"}, {"GOOGLE_HMAC_SECRET", "gsecret"},
                                            {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", "awssecret"},
                                            {"AWS_SESSION_TOKEN", "token-not-for-gcs"}});
  REQUIRE(gcs.ok());
  CHECK(gcs->credentials.access_key_id == "GOOG1E");
  CHECK(gcs->credentials.session_token.empty());
  CHECK(gcs->origin == "https://storage.googleapis.com");
  CHECK(gcs->bucket_path == "/my-bucket");
  CHECK(gcs->scope.region == "auto");
  auto missing = TargetFor("gs://my-bucket/p", {});
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.status().message(), Catch::Contains("GOOGLE_HMAC_ACCESS_KEY_ID and GOOGLE_HMAC_SECRET"));
}

TEST_CASE("s3 xml: keys entity-decoded, element names matched whole, errors read", "[s3]") {
  const std::string list =
      "<ListBucketResult><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>"
      "<Contents><Key>p/a&amp;b &lt;1&gt;.csv</Key><Size>3</Size></Contents>"
      "<Contents><Key>p/caf&#233;&#x2F;x.json</Key></Contents>"
      "<NextContinuationToken>tok+/=</NextContinuationToken></ListBucketResult>";
  CHECK(s3xml::Texts(list, "Key", "Contents") == std::vector<std::string>{"p/a&b <1>.csv", "p/caf\xC3\xA9/x.json"});
  CHECK(s3xml::Text(list, "IsTruncated") == "true");
  CHECK(s3xml::Text(list, "NextContinuationToken") == "tok+/=");
  CHECK_FALSE(s3xml::Text(list, "Marker"));
  const std::string error = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request "
                            "signature we calculated does not match</Message></Error>";
  CHECK(s3xml::Text(error, "Code") == "SignatureDoesNotMatch");
  CHECK(s3xml::EscapeText("\"a\"&<b>") == "&quot;a&quot;&amp;&lt;b&gt;");
}
