// SigV4 against AWS's published examples: the Signature Version 4 test suite
// (get-vanilla-query-order-key-case; credential scope AKIDEXAMPLE/20150830/us-east-1/service)
// and the S3 API reference's "Example: GET Object" and "Example: PUT Object"
// (AKIAIOSFODNN7EXAMPLE, 20130524, examplebucket).
#include <catch2/catch.hpp>

#include <chrono>

#include "core/hash.h"
#include "storage/sigv4.h"

using namespace sluice::storage::sigv4;

namespace {

constexpr const char* kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const Credentials kS3Example{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

std::chrono::system_clock::time_point May24th2013() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1369353600));  // 2013-05-24T00:00:00Z
}

std::string HeaderOf(const RequestToSign& request, const std::string& name) {
  for (const auto& [n, v] : request.headers) {
    if (n == name) return v;
  }
  return "";
}

}  // namespace

TEST_CASE("sigv4 test suite: get-vanilla-query-order-key-case, step by step", "[sigv4]") {
  RequestToSign request{"GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}},
                        {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, kEmptySha256};
  const std::string canonical = CanonicalRequest(request);
  CHECK(canonical ==
        "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
        "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const Scope scope{"us-east-1", "service"};
  const std::string to_sign = StringToSign("20150830T123600Z", scope, canonical);
  CHECK(to_sign.rfind("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n", 0) == 0);
  CHECK(Signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830T123600Z", scope, to_sign) ==
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST_CASE("S3 API reference: GET Object with a Range header", "[sigv4]") {
  RequestToSign request{"GET", "/test.txt", {}, {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}},
                        kEmptySha256};
  REQUIRE(Sign(request, kS3Example, {"us-east-1", "s3"}, May24th2013()).ok());
  CHECK(HeaderOf(request, "x-amz-date") == "20130524T000000Z");
  CHECK(HeaderOf(request, "x-amz-content-sha256") == kEmptySha256);
  CHECK(HeaderOf(request, "Authorization") ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_CASE("S3 API reference: PUT Object, a key with '$' encoded once", "[sigv4]") {
  const std::string body = "Welcome to Amazon S3.";
  RequestToSign request{"PUT", "/" + UriEncode("test$file.text", true), {},
                        {{"Host", "examplebucket.s3.amazonaws.com"}, {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                         {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                        sluice::Sha256Hex(body)};
  CHECK(request.path == "/test%24file.text");
  REQUIRE(Sign(request, kS3Example, {"us-east-1", "s3"}, May24th2013()).ok());
  CHECK(HeaderOf(request, "x-amz-content-sha256") == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  CHECK(HeaderOf(request, "Authorization") ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
        "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST_CASE("a session token is sent and signed, a different secret gives a different signature", "[sigv4]") {
  RequestToSign with_token{"GET", "/k", {}, {{"Host", "b.s3.amazonaws.com"}}, kEmptySha256};
  Credentials temporary = kS3Example;
  temporary.session_token = "session-token-value";
  REQUIRE(Sign(with_token, temporary, {"us-east-1", "s3"}, May24th2013()).ok());
  CHECK(HeaderOf(with_token, "x-amz-security-token") == "session-token-value");
  CHECK_THAT(HeaderOf(with_token, "Authorization"), Catch::Contains("x-amz-date;x-amz-security-token,"));

  RequestToSign plain{"GET", "/k", {}, {{"Host", "b.s3.amazonaws.com"}}, kEmptySha256};
  RequestToSign other_secret = plain;
  REQUIRE(Sign(plain, kS3Example, {"us-east-1", "s3"}, May24th2013()).ok());
  REQUIRE(Sign(other_secret, {kS3Example.access_key_id, "another-secret", ""}, {"us-east-1", "s3"}, May24th2013()).ok());
  CHECK(HeaderOf(plain, "x-amz-security-token").empty());
  CHECK(HeaderOf(plain, "Authorization") != HeaderOf(other_secret, "Authorization"));
}

TEST_CASE("canonical form: header values trimmed and folded, repeated names joined, query values encoded", "[sigv4]") {
  RequestToSign request{"GET", "/", {{"prefix", "data/a b"}, {"list-type", "2"}, {"continuation-token", ""}},
                        {{"Host", "h"}, {"X-Amz-Meta-A", "  one   two "}, {"x-amz-meta-a", "three"}}, kEmptySha256};
  CHECK(CanonicalRequest(request) ==
        "GET\n/\ncontinuation-token=&list-type=2&prefix=data%2Fa%20b\nhost:h\nx-amz-meta-a:one two,three\n\n"
        "host;x-amz-meta-a\n" + std::string(kEmptySha256));
  CHECK(UriEncode("a b/ü~", true) == "a%20b/%C3%BC~");
  CHECK(Hex(Md5("")) == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(Base64(Md5("")) == "1B2M2Y8AsgTpgAmY7PhCfg==");
}
