// One request end to end against the fault server: limits, redirects, encodings, secrets,
// concurrency. Retry behaviour is in http_retry_test.cpp.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "http/client.h"
#include "support/fault_server.h"
#include "support/fixture_server.h"
#include "support/temp_dir.h"

using namespace sluice;
using namespace sluice::http;
using namespace std::chrono_literals;

TEST_CASE("redirect to file:// is refused without retry", "[http]") {
  Client client(FastRetries());
  auto target = GENERATE(as<std::string>{}, "file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/x");
  const std::string id = "redirect-" + target.substr(0, target.find(':'));
  auto response = client.Perform(FaultGet("/redirect?id=" + id + "&to=" + target));
  REQUIRE(!response.ok());
  CHECK(response.status().kind() == ErrorKind::kExternal);
  CHECK_THAT(response.status().message(), Catch::Contains("redirect to a non-HTTP(S) URL refused: " + target));
  CHECK(FaultRequestsSeen(id) == 1);
}

TEST_CASE("a redirect to http is followed", "[http]") {
  Client client(FastRetries());
  auto response = client.Perform(FaultGet("/redirect?id=redirect-ok&to=/bytes/10"));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->body == FaultPattern(10));
  CHECK_THAT(response->effective_url, Catch::EndsWith("/bytes/10"));
}

TEST_CASE("a URL with a scheme other than http(s) is refused", "[http]") {
  Client client(FastRetries());
  Transfer transfer;
  transfer.request.url = "file:///etc/passwd";
  auto response = client.Perform(transfer);
  REQUIRE(!response.ok());
  CHECK_THAT(response.status().message(), Catch::Contains("only http:// and https://"));
}

TEST_CASE("body over max_bytes fails at once", "[http]") {
  Client client(FastRetries());
  // Uncompressed, Content-Length already tells; gzipped, only the decoded count does.
  auto gzip = GENERATE(false, true);
  const std::string id = gzip ? "too-big-gzip" : "too-big";
  Transfer transfer = FaultGet("/bytes/100000?id=" + id + (gzip ? "&gzip=1" : ""));
  transfer.request.max_bytes = 10000;
  auto response = client.Perform(transfer);
  REQUIRE(!response.ok());
  CHECK(response.status().kind() == ErrorKind::kExternal);
  CHECK_THAT(response.status().message(), Catch::Contains("limit of 10000 bytes"));
  CHECK(FaultRequestsSeen(id) == 1);
}

TEST_CASE("gzip body is decoded", "[http]") {
  Client client(FastRetries());
  StringSink sink;
  auto response = client.Perform(FaultGet("/bytes/50000?gzip=1&id=gzip", &sink));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->Header("Content-Encoding") == "gzip");
  CHECK(response->bytes == 50000);
  CHECK(sink.data == FaultPattern(50000));
  CHECK_THAT(FaultStats("gzip"), Catch::Contains("gzip"));  // Accept-Encoding was sent
}

TEST_CASE("304 is returned as a response", "[http]") {
  Client client(FastRetries());
  auto first = client.Perform(FaultGet("/bytes/100?id=etag"));
  REQUIRE(first.ok());
  auto etag = first->Header("etag");
  REQUIRE(etag);
  Transfer again = FaultGet("/bytes/100?id=etag");
  again.request.headers = {{"If-None-Match", *etag}};
  auto second = client.Perform(again);
  REQUIRE(second.ok());
  CHECK(second->status == 304);
  CHECK(second->attempts == 1);
  CHECK(second->body.empty());
  CHECK_THAT(FaultStats("etag"), Catch::Contains(etag->substr(1, etag->size() - 2)));  // quotes are escaped
}

TEST_CASE("404 is a response, not retried", "[http]") {
  Client client(FastRetries());
  StringSink sink;
  auto response = client.Perform(FaultGet("/fail/404?times=99&id=not-found", &sink));
  REQUIRE(response.ok());
  CHECK(response->status == 404);
  CHECK(response->attempts == 1);
  CHECK(FaultRequestsSeen("not-found") == 1);
  // An error page goes to the response for display, never into the data sink.
  CHECK(sink.data.empty());
  CHECK_THAT(response->body, Catch::Contains("failure on purpose"));
}

TEST_CASE("timeout on a slow body is an error naming the attempts", "[http]") {
  Client client(FastRetries(2));
  Transfer transfer = FaultGet("/slow?delay_ms=3000&bytes=100");
  transfer.request.timeout = 300ms;
  Stopwatch stopwatch;
  auto response = client.Perform(transfer);
  REQUIRE(!response.ok());
  CHECK(response.status().kind() == ErrorKind::kExternal);
  const std::string& message = response.status().message();
  CHECK_THAT(message, Catch::StartsWith("GET " + SharedFaultServer().url("/slow")));
  CHECK_THAT(message, Catch::Contains("failed after 2 attempts") && Catch::Contains("(curl 28)") &&
                          Catch::Contains("; attempt 1: "));
  CHECK(stopwatch.elapsed() < 2s);
}

TEST_CASE("several transfers run concurrently", "[http]") {
  Client client(FastRetries());
  std::vector<Transfer> transfers;
  for (int size : {100, 200, 300, 400}) transfers.push_back(FaultGet("/slow?delay_ms=1000&bytes=" + std::to_string(size)));
  Stopwatch stopwatch;
  auto results = client.PerformAll(transfers, 4);
  CHECK(stopwatch.elapsed() < 3s);
  REQUIRE(results.size() == 4);
  for (size_t i = 0; i < results.size(); ++i) {
    REQUIRE(results[i].ok());
    CHECK(results[i]->body == FaultPattern(100 * (i + 1)));  // input order
  }
}

TEST_CASE("header values never appear in error messages", "[http]") {
  Client client(FastRetries(2));
  const std::string secret = "Bearer s3cr3t-t0ken-value";
  auto path = GENERATE(as<std::string>{}, "/reset?times=99&id=secret-reset", "/redirect?to=file:///etc/passwd",
                       "/slow?delay_ms=2000&bytes=10", "/fail/503?times=99&id=secret-503");
  Transfer transfer = FaultGet(path + "&token=url-s3cr3t");
  transfer.request.headers = {{"Authorization", secret}, {"X-Api-Key", "k3y-s3cr3t"}};
  transfer.request.timeout = 300ms;
  auto response = client.Perform(transfer);
  std::string everything = response.ok() ? response->effective_url : response.status().message();
  if (response.ok()) {
    for (const auto& line : response->attempt_log) everything += line;
  }
  CHECK(everything.find("s3cr3t") == std::string::npos);
}

TEST_CASE("requests carry the sluice User-Agent unless the caller sets one", "[http]") {
  Client client(FastRetries());
  REQUIRE(client.Perform(FaultGet("/bytes/1?id=ua-default")).ok());
  CHECK_THAT(FaultStats("ua-default"), Catch::Contains("\"User-Agent\": \"sluice/" SLUICE_VERSION "\""));
  Transfer custom = FaultGet("/bytes/1?id=ua-custom");
  custom.request.headers = {{"user-agent", "tester/1"}, {"Authorization", "token abcd"}};
  REQUIRE(client.Perform(custom).ok());
  const std::string stats = FaultStats("ua-custom");
  CHECK_THAT(stats, Catch::Contains("tester/1") && !Catch::Contains("sluice/"));
  CHECK_THAT(stats, Catch::Contains("\"Authorization\": \"token abcd\""));
}

TEST_CASE("a failing sink aborts the transfer with the sink's status", "[http]") {
  struct FullDisk : StringSink {
    Status OnData(std::string_view) override { return InputError("disk full"); }
  } sink;
  Client client(FastRetries());
  auto response = client.Perform(FaultGet("/bytes/1000?id=sink-fails", &sink));
  REQUIRE(!response.ok());
  CHECK(response.status().kind() == ErrorKind::kInput);
  CHECK(response.status().message() == "disk full");
  CHECK(FaultRequestsSeen("sink-fails") == 1);
}

TEST_CASE("progress reports the bytes received", "[http]") {
  Client client(FastRetries());
  Transfer transfer = FaultGet("/slow?delay_ms=200&bytes=20000");
  std::vector<Progress> seen;
  transfer.on_progress = [&](const Progress& progress) { seen.push_back(progress); };
  REQUIRE(client.Perform(transfer).ok());
  REQUIRE(!seen.empty());
  CHECK(seen.back().received == 20000);
  CHECK(seen.back().expected == 20000);
}

TEST_CASE("POST sends its body", "[http]") {
  Client client(FastRetries());
  Transfer transfer = FaultGet("/fail/503?times=1&id=post");
  transfer.request.method = "POST";
  transfer.request.body = std::string(5000, 'x');  // over 1 KiB: no Expect: 100-continue stall
  transfer.repeatable = true;
  Stopwatch stopwatch;
  auto response = client.Perform(transfer);
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK_THAT(FaultStats("post"), Catch::Contains("\"Content-Length\": \"5000\""));
  CHECK(stopwatch.elapsed() < 900ms);
}

TEST_CASE("a POST the server may have carried out is sent once, one the server declined is repeated", "[http]") {
  Client client(FastRetries());
  auto post = [](const std::string& path) {
    Transfer transfer = FaultGet(path);
    transfer.request.method = "POST";
    transfer.request.body = "{\"text\": \"the run failed\"}";
    return transfer;
  };
  // A 502 or a reset after the request went out: the post may exist; a repeat could make two.
  auto failed = client.Perform(post("/fail/502?times=1&id=post-5xx"));
  REQUIRE(failed.ok());
  CHECK(failed->status == 502);
  CHECK(failed->attempts == 1);
  CHECK(FaultRequestsSeen("post-5xx") == 1);
  auto reset = client.Perform(post("/reset?times=1&id=post-reset"));
  REQUIRE_FALSE(reset.ok());
  CHECK_THAT(reset.status().message(), Catch::Contains("not repeated: the server may have carried out this POST"));
  CHECK(FaultRequestsSeen("post-reset") == 1);
  // 429, and 503 with Retry-After, say the server did nothing: repeated.
  auto limited = client.Perform(post("/fail/429?times=1&retry_after=0&id=post-429"));
  REQUIRE(limited.ok());
  CHECK(limited->status == 200);
  CHECK(FaultRequestsSeen("post-429") == 2);
  auto busy = client.Perform(post("/fail/503?times=1&retry_after=0&id=post-503"));
  REQUIRE(busy.ok());
  CHECK(busy->status == 200);
  // A caller that knows its POST is safe to repeat says so.
  Transfer safe = post("/fail/502?times=1&id=post-safe");
  safe.repeatable = true;
  auto repeated = client.Perform(safe);
  REQUIRE(repeated.ok());
  CHECK(repeated->status == 200);
  CHECK(FaultRequestsSeen("post-safe") == 2);
  // GET is repeated as before.
  auto get = client.Perform(FaultGet("/fail/502?times=1&id=get-5xx"));
  REQUIRE(get.ok());
  CHECK(get->status == 200);
}

TEST_CASE("what may be repeated: reads, PUT and DELETE, but not POST, PATCH or a conditional write", "[http]") {
  auto with = [](const std::string& method, Headers headers = {}) {
    Transfer transfer;
    transfer.request.method = method;
    transfer.request.headers = std::move(headers);
    return transfer;
  };
  CHECK(Repeatable(with("GET")));
  CHECK(Repeatable(with("HEAD")));
  CHECK(Repeatable(with("PUT")));
  CHECK(Repeatable(with("DELETE")));
  CHECK_FALSE(Repeatable(with("POST")));
  CHECK_FALSE(Repeatable(with("PATCH")));
  CHECK_FALSE(Repeatable(with("PUT", {{"If-Match", "\"0x8D\""}})));
  CHECK_FALSE(Repeatable(with("PUT", {{"if-none-match", "*"}})));
  Transfer told = with("POST");
  told.repeatable = true;
  CHECK(Repeatable(told));
}

TEST_CASE("a body_view is sent in place of the body, and finish runs once before the first attempt", "[http]") {
  Client client(FastRetries());
  const std::string bytes(5000, 'v');
  int finished = 0;
  Transfer transfer = FaultGet("/fail/503?times=1&id=finish-view");
  transfer.request.method = "POST";
  transfer.request.body = "not this";
  transfer.request.body_view = std::string_view(bytes).substr(0, 3000);
  transfer.repeatable = true;
  transfer.finish = [&](Request& request) {
    ++finished;
    request.headers.emplace_back("X-Finished", std::to_string(finished));
    return Status::Ok();
  };
  auto response = client.Perform(transfer);
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->attempts == 2);  // the 503 was retried with the finished request
  CHECK(finished == 1);
  const std::string stats = FaultStats("finish-view");
  CHECK_THAT(stats, Catch::Contains("\"Content-Length\": \"3000\"") && Catch::Contains("\"X-Finished\": \"1\""));
  CHECK(transfer.request.headers.empty());  // the caller's transfer is left as it was
}

TEST_CASE("a failing finish fails its own transfer, unsent, and not the others", "[http]") {
  Client client(FastRetries());
  std::vector<Transfer> transfers{FaultGet("/fail/503?times=0&id=finish-refused"), FaultGet("/fail/503?times=0&id=finish-sent")};
  transfers[0].finish = [](Request&) { return ConfigError("no hash for this block"); };
  auto results = client.PerformAll(transfers, 2);
  REQUIRE(results.size() == 2);
  REQUIRE_FALSE(results[0].ok());
  CHECK(results[0].status().kind() == ErrorKind::kConfig);
  CHECK_THAT(results[0].status().message(), Catch::Contains("no hash for this block"));
  CHECK(FaultRequestsSeen("finish-refused") == 0);
  REQUIRE(results[1].ok());
  CHECK(results[1]->status == 200);
}

TEST_CASE("a transfer whose finish is not ready lets the ones that are go first, then starts", "[http]") {
  Client client(FastRetries());
  // The second transfer's finish is ready only once the server has seen the first request: a
  // loop that ran every finish before sending anything would wait for it forever (here: 5 s).
  std::vector<Transfer> transfers{FaultGet("/fail/503?times=0&id=ready-first"), FaultGet("/fail/503?times=0&id=ready-second")};
  int seen_at_finish = -1;
  int asked = 0;
  transfers[1].finish_ready = [&] {
    ++asked;
    return FaultRequestsSeen("ready-first") > 0;
  };
  transfers[1].finish = [&](Request&) {
    for (int i = 0; i < 500 && (seen_at_finish = FaultRequestsSeen("ready-first")) == 0; ++i) std::this_thread::sleep_for(10ms);
    return Status::Ok();
  };
  auto results = client.PerformAll(transfers, 2);
  REQUIRE(results.size() == 2);
  REQUIRE(results[0].ok());
  REQUIRE(results[1].ok());
  CHECK(results[1]->status == 200);
  CHECK(seen_at_finish == 1);
  CHECK(asked >= 1);

  // With nothing else running, a transfer that is never ready starts all the same.
  Transfer alone = FaultGet("/fail/503?times=0&id=ready-alone");
  alone.finish_ready = [] { return false; };
  alone.finish = [](Request&) { return Status::Ok(); };
  auto response = client.Perform(alone);
  REQUIRE(response.ok());
  CHECK(response->status == 200);
}

TEST_CASE("the fault server serves files from its root with validators", "[http][fixture]") {
  TempDir dir;
  dir.Write("cases.csv", "county,cases\nAlameda,3\n");
  FixtureServer server({"--root", dir.path().string()});
  Client client(FastRetries());
  Transfer transfer;
  transfer.request.url = server.url("/data/cases.csv");
  auto response = client.Perform(transfer);
  REQUIRE(response.ok());
  CHECK(response->body == "county,cases\nAlameda,3\n");
  auto last_modified = response->Header("last-modified");
  REQUIRE(last_modified);
  transfer.request.headers = {{"If-Modified-Since", *last_modified}};
  auto again = client.Perform(transfer);
  REQUIRE(again.ok());
  CHECK(again->status == 304);
  transfer.request.url = server.url("/data/..%2F..%2Fetc%2Fpasswd");
  CHECK(client.Perform(transfer)->status == 404);
}
