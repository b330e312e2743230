// sluice-fetch driven as a user drives it: a manifest or flags in; files, exit code, outputs out.
// Every network request goes to the fault server on 127.0.0.1.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/fs.h"
#include "support/fixture_server.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

const std::string kFetch = std::string(SLUICE_BIN_DIR) + "/sluice-fetch";
const std::string kOldCsv = "date,county,cases\n2026-11-01,Alameda,10\n";

// A data repository with one pipeline manifest whose sources are given as JSON text.
struct Workspace {
  TempDir dir;
  explicit Workspace(const std::string& sources_json) {
    dir.Write("pipelines/p.json", R"({"name": "p", "sources": )" + sources_json + "}");
  }
  fs::path path(const std::string& relative) const { return dir.path() / relative; }
  std::string read(const std::string& relative) const { return ReadFile(path(relative)).value(); }
};

ProcessResult Fetch(const Workspace& ws, std::vector<std::string> args, EnvOverrides env = {}) {
  std::vector<std::string> argv = {kFetch};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--workspace");
  argv.push_back(ws.dir.path().string());
  env.emplace("GITHUB_ACTIONS", std::nullopt);
  env.emplace("GITHUB_OUTPUT", std::nullopt);
  env.emplace("GITHUB_STEP_SUMMARY", std::nullopt);
  env.emplace("SLUICE_RUN_LOG", std::nullopt);
  return RunProcess(argv, env);
}

std::string Source(const std::string& name, const std::string& url, const std::string& format,
                   const std::string& extra = "") {
  return R"({"name": ")" + name + R"(", "url": ")" + url + R"(", "format": ")" + format + R"(", "output": "data/)" +
         name + "." + (format == "csv" ? "csv" : "json") + "\"" + extra + "}";
}

int RequestsSeen(const FixtureServer& server, const std::string& id) {
  auto stats = RunProcess({"curl", "-sf", server.url("/stats?id=" + id)});
  auto pos = stats.out.find("\"count\":");
  REQUIRE(pos != std::string::npos);
  return std::stoi(stats.out.substr(pos + 8));
}

}  // namespace

TEST_CASE("a failing source leaves its previous file byte-for-byte while the others update", "[fetch]") {
  FixtureServer server;
  Workspace ws("[" + Source("good", server.url("/fail/500?times=0&id=mix-good"), "json") + ", " +
               Source("broken", server.url("/fail/500?times=99&id=mix-broken"), "csv") + "]");
  ws.dir.Write("data/broken.csv", kOldCsv);
  auto run = Fetch(ws, {"pipelines/p.json", "--retry-budget", "5"});
  CHECK(run.exit_code == 3);
  CHECK(ws.read("data/broken.csv") == kOldCsv);
  CHECK_THAT(ws.read("data/good.json"), Catch::Contains("\"ok\": true"));
  CHECK_THAT(run.err, Catch::Contains("source 'broken'"));
  CHECK_THAT(run.err, Catch::Contains("3 attempts"));
  CHECK_THAT(run.err, Catch::Contains("HTTP 500"));
  CHECK(RequestsSeen(server, "mix-broken") == 3);
  int leftovers = 0;
  for (const auto& entry : fs::directory_iterator(ws.path("data"))) leftovers += entry.path().filename().string()[0] == '.';
  CHECK(leftovers == 0);
}

TEST_CASE("every source is attempted and one error lists all that failed", "[fetch]") {
  FixtureServer server;
  Workspace ws("[" + Source("a", server.url("/fail/404?times=9&id=all-a"), "json") + ", " +
               Source("b", server.url("/fail/503?times=9&id=all-b"), "json") + "]");
  auto run = Fetch(ws, {"pipelines/p.json", "--attempts", "2"});
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.err, Catch::Contains("2 of 2 sources failed"));
  CHECK_THAT(run.err, Catch::Contains("source 'a'") && Catch::Contains("HTTP 404"));
  CHECK_THAT(run.err, Catch::Contains("source 'b'") && Catch::Contains("HTTP 503"));
  CHECK(RequestsSeen(server, "all-a") == 1);  // a 404 is not worth retrying
  CHECK(RequestsSeen(server, "all-b") == 2);
}

TEST_CASE("500 twice then 200 succeeds on the third attempt", "[fetch][retry]") {
  FixtureServer server;
  Workspace ws("[" + Source("s", server.url("/fail/500?times=2&id=retry3"), "json") + "]");
  auto run = Fetch(ws, {"pipelines/p.json", "--json"});
  CHECK(run.exit_code == 0);
  CHECK_THAT(ws.read("data/s.json"), Catch::Contains("\"attempt\": 3"));
  CHECK_THAT(run.out, Catch::Contains("\"attempts\":3"));
  CHECK_THAT(run.out, Catch::Contains("\"state\":\"updated\""));
}

TEST_CASE("429 with Retry-After is honoured before the retry", "[fetch][retry]") {
  FixtureServer server;
  Workspace ws("[" + Source("s", server.url("/fail/429?times=1&id=ra&retry_after=1"), "json") + "]");
  auto started = std::chrono::steady_clock::now();
  auto run = Fetch(ws, {"pipelines/p.json"});
  auto waited = std::chrono::steady_clock::now() - started;
  CHECK(run.exit_code == 0);
  CHECK(waited >= std::chrono::milliseconds(900));
  CHECK(RequestsSeen(server, "ra") == 2);
}

TEST_CASE("a connection reset is retried and the file holds exactly one copy of the body", "[fetch][retry]") {
  FixtureServer server;
  Workspace ws("[" + Source("s", server.url("/reset?times=1&id=rst&after_bytes=1000&bytes=5000"), "csv") + "]");
  auto run = Fetch(ws, {"pipelines/p.json"});
  CHECK(run.exit_code == 0);
  CHECK(ws.read("data/s.csv").size() == 5000);
  CHECK(RequestsSeen(server, "rst") == 2);
}

TEST_CASE("a truncated body is retried, never written", "[fetch][retry]") {
  FixtureServer server;
  Workspace ws("[" + Source("s", server.url("/truncate?times=1&id=trunc&bytes=4000"), "csv") + "]");
  ws.dir.Write("data/s.csv", kOldCsv);
  auto run = Fetch(ws, {"pipelines/p.json", "--json"});
  CHECK(run.exit_code == 0);
  CHECK(ws.read("data/s.csv").size() == 4000);
  CHECK_THAT(run.out, Catch::Contains("\"attempts\":2"));

  auto always = Fetch(ws, {"--url", server.url("/truncate?times=9&id=trunc9&bytes=4000"), "--out",
                           ws.path("data/s.csv").string(), "--attempts", "2"});
  CHECK(always.exit_code == 3);
  CHECK(ws.read("data/s.csv").size() == 4000);  // the previous good copy
}

TEST_CASE("a slow body past --timeout fails with exit 3 and keeps the previous data", "[fetch]") {
  FixtureServer server;
  Workspace ws("[" + Source("s", server.url("/slow?delay_ms=5000&bytes=2000"), "csv") + "]");
  ws.dir.Write("data/s.csv", kOldCsv);
  auto run = Fetch(ws, {"pipelines/p.json", "--timeout", "1", "--attempts", "1"});
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.err, Catch::Contains("imed out") || Catch::Contains("imeout"));
  CHECK(ws.read("data/s.csv") == kOldCsv);
}

TEST_CASE("a redirect to file:// is refused without retry", "[fetch][security]") {
  FixtureServer server;
  Workspace ws("[" + Source("s", server.url("/redirect?to=file%3A%2F%2F%2Fetc%2Fpasswd&id=redir"), "csv") + "]");
  auto run = Fetch(ws, {"pipelines/p.json"});
  CHECK(run.exit_code == 3);
  CHECK_FALSE(fs::exists(ws.path("data/s.csv")));
  CHECK(RequestsSeen(server, "redir") == 1);
}

TEST_CASE("an HTML error page served with 200 fails the run and shows the first bytes", "[fetch][content]") {
  FixtureServer server;
  Workspace ws("[" + Source("s", server.url("/html"), "csv") + "]");
  ws.dir.Write("data/s.csv", kOldCsv);
  auto run = Fetch(ws, {"pipelines/p.json"});
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.err, Catch::Contains("HTML") && Catch::Contains("first bytes"));
  CHECK_THAT(run.err, Catch::Contains("<"));
  CHECK(ws.read("data/s.csv") == kOldCsv);
}

TEST_CASE("malformed JSON from a source names the line and column", "[fetch][content]") {
  Workspace ws("[" + Source("s", "file:sources/bad.json", "json") + "]");
  ws.dir.Write("sources/bad.json", "[\n  {\"a\": 1},\n  {\"a\": 2,,}\n]\n");
  auto run = Fetch(ws, {"pipelines/p.json"});
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.err, Catch::Contains("line 3, column"));
  CHECK_FALSE(fs::exists(ws.path("data/s.json")));
}

TEST_CASE("conditional request: a 304 leaves the data untouched and says unchanged", "[fetch][conditional]") {
  FixtureServer server;
  Workspace ws("[" + Source("s", server.url("/bytes/3000?id=cond"), "csv") + "]");
  REQUIRE(Fetch(ws, {"pipelines/p.json"}).exit_code == 0);
  auto first_write = fs::last_write_time(ws.path("data/s.csv"));
  auto second = Fetch(ws, {"pipelines/p.json", "--json"});
  CHECK(second.exit_code == 0);
  CHECK_THAT(second.out, Catch::Contains("\"http_status\":304"));
  CHECK_THAT(second.out, Catch::Contains("\"state\":\"unchanged\""));
  CHECK(fs::last_write_time(ws.path("data/s.csv")) == first_write);
  auto stats = RunProcess({"curl", "-sf", server.url("/stats?id=cond")});
  CHECK_THAT(stats.out, Catch::Contains("If-None-Match") || Catch::Contains("if-none-match"));

  // Someone replaced the file by hand: the validators no longer describe it, so fetch in full.
  ws.dir.Write("data/s.csv", kOldCsv);
  auto third = Fetch(ws, {"pipelines/p.json", "--json"});
  CHECK_THAT(third.out, Catch::Contains("\"http_status\":200"));
  CHECK(ws.read("data/s.csv").size() == 3000);
}

TEST_CASE("a body over --max-bytes fails at once and keeps the previous data", "[fetch][limits]") {
  FixtureServer server;
  Workspace ws("[" + Source("s", server.url("/bytes/100000?id=big"), "csv") + "]");
  ws.dir.Write("data/s.csv", kOldCsv);
  auto run = Fetch(ws, {"pipelines/p.json", "--max-bytes", "10K"});
  CHECK(run.exit_code == 3);
  CHECK(ws.read("data/s.csv") == kOldCsv);
  CHECK(RequestsSeen(server, "big") == 1);
}

TEST_CASE("a gzip-encoded body is stored decoded", "[fetch]") {
  FixtureServer server;
  Workspace ws("[" + Source("s", server.url("/bytes/20000?gzip=1&id=gz"), "csv") + "]");
  auto run = Fetch(ws, {"pipelines/p.json"});
  CHECK(run.exit_code == 0);
  CHECK(ws.read("data/s.csv").size() == 20000);
}

TEST_CASE("a command source's stdout becomes the data, a failing command keeps the old file", "[fetch][command]") {
  Workspace ws(R"([{"name": "ok", "command": ["printf", "a,b\n1,2\n"], "format": "csv", "output": "data/ok.csv"},
                  {"name": "bad", "command": ["sh", "-c", "echo partial; echo boom >&2; exit 7"], "format": "csv",
                   "output": "data/bad.csv", "attempts": 2}])");
  ws.dir.Write("data/bad.csv", kOldCsv);
  auto run = Fetch(ws, {"pipelines/p.json"});
  CHECK(run.exit_code == 3);
  CHECK(ws.read("data/ok.csv") == "a,b\n1,2\n");
  CHECK(ws.read("data/bad.csv") == kOldCsv);
  CHECK_THAT(run.err, Catch::Contains("exited with status 7") && Catch::Contains("boom"));
  CHECK_THAT(run.err, Catch::Contains("2 attempts"));
}

TEST_CASE("identical data is reported unchanged and not rewritten", "[fetch]") {
  Workspace ws("[" + Source("s", "file:sources/s.csv", "csv") + "]");
  ws.dir.Write("sources/s.csv", kOldCsv);
  REQUIRE(Fetch(ws, {"pipelines/p.json"}).exit_code == 0);
  auto written = fs::last_write_time(ws.path("data/s.csv"));
  auto again = Fetch(ws, {"pipelines/p.json", "--json"});
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("\"changed\":false"));
  CHECK(fs::last_write_time(ws.path("data/s.csv")) == written);
}

TEST_CASE("an output path outside the workspace is refused for safety", "[fetch][security]") {
  Workspace ws(R"([{"name": "s", "url": "file:sources/s.csv", "format": "csv", "output": "../escape.csv"}])");
  ws.dir.Write("sources/s.csv", kOldCsv);
  auto run = Fetch(ws, {"pipelines/p.json"});
  CHECK(run.exit_code == 4);
  CHECK_FALSE(fs::exists(ws.dir.path().parent_path() / "escape.csv"));
}

TEST_CASE("a manifest error names the JSON pointer, exits 2 and is in the run log as the pipeline's failure",
          "[fetch][usage]") {
  Workspace ws(R"([{"name": "s", "url": "file:sources/s.csv", "format": "xml", "output": "data/s.xml"}])");
  TempDir gh;
  const fs::path log = gh.path() / "runs.ndjson";
  auto run = Fetch(ws, {"pipelines/p.json"}, {{"SLUICE_RUN_LOG", log.string()}});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("/sources/0/format"));
  // sluice-notify finds the failure under its pipeline, with the sentence the person saw.
  const std::string record = ReadFile(log).value();
  CHECK(std::count(record.begin(), record.end(), '\n') == 1);
  CHECK_THAT(record, Catch::Contains("\"tool\":\"sluice-fetch\"") && Catch::Contains("\"pipeline\":\"p\"") &&
                         Catch::Contains("\"status\":\"failure\"") && Catch::Contains("\"exit_code\":2") &&
                         Catch::Contains("/sources/0/format"));
}

TEST_CASE("usage: --help shows an example and the exit codes, an unknown flag exits 2", "[fetch][usage]") {
  auto help = RunProcess({kFetch, "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("Example:") && Catch::Contains("Exit codes:"));
  auto version = RunProcess({kFetch, "--version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("sluice-fetch "));
  auto bogus = RunProcess({kFetch, "--bogus"});
  CHECK(bogus.exit_code == 2);
  CHECK_THAT(bogus.err, Catch::Contains("usage: sluice-fetch"));
  auto neither = RunProcess({kFetch});
  CHECK(neither.exit_code == 2);
}

TEST_CASE("secrets in headers never reach output, summaries or the run log", "[fetch][secrets]") {
  FixtureServer server;
  Workspace ws("[" + Source("s", server.url("/fail/500?times=9&id=sec"), "json",
                            R"(, "headers": {"Authorization": "Bearer ${SLUICE_TEST_TOKEN}"})") + "]");
  const std::string token = "tok_3f9a8b7c6d5e4f3a2b1c";
  TempDir gh;
  fs::path output = gh.path() / "output", summary = gh.path() / "summary", log = gh.path() / "runs.ndjson";
  auto run = Fetch(ws, {"pipelines/p.json", "--attempts", "2"},
                   {{"SLUICE_TEST_TOKEN", token}, {"GITHUB_ACTIONS", "true"}, {"GITHUB_OUTPUT", output.string()},
                    {"GITHUB_STEP_SUMMARY", summary.string()}, {"SLUICE_RUN_LOG", log.string()}});
  CHECK(run.exit_code == 3);
  auto stats = RunProcess({"curl", "-sf", server.url("/stats?id=sec")});
  CHECK_THAT(stats.out, Catch::Contains(token));  // it was sent...
  CHECK_THAT(run.out, Catch::Contains("::add-mask::" + token));  // ...masked for the runner...
  std::string out_without_mask_line = run.out;
  out_without_mask_line.erase(out_without_mask_line.find("::add-mask::" + token), 12 + token.size());
  CHECK_THAT(out_without_mask_line, !Catch::Contains(token));  // ...and written nowhere else
  CHECK_THAT(run.err, !Catch::Contains(token));
  CHECK_THAT(ReadFile(output).value(), !Catch::Contains(token));
  CHECK_THAT(ReadFile(summary).value(), !Catch::Contains(token));
  CHECK_THAT(ReadFile(log).value(), !Catch::Contains(token));
}

TEST_CASE("outputs, summary and run record are written in Actions", "[fetch][actions]") {
  Workspace ws("[" + Source("s", "file:sources/s.csv", "csv") + "]");
  ws.dir.Write("sources/s.csv", kOldCsv);
  TempDir gh;
  fs::path output = gh.path() / "output", summary = gh.path() / "summary", log = gh.path() / "runs.ndjson";
  EnvOverrides env = {{"GITHUB_ACTIONS", "true"}, {"GITHUB_OUTPUT", output.string()},
                      {"GITHUB_STEP_SUMMARY", summary.string()}, {"SLUICE_RUN_LOG", log.string()}};
  auto run = Fetch(ws, {"pipelines/p.json"}, env);
  REQUIRE(run.exit_code == 0);
  std::string outputs = ReadFile(output).value();
  CHECK_THAT(outputs, Catch::Contains("changed=true"));
  CHECK_THAT(outputs, Catch::Contains("failed=0"));
  CHECK_THAT(outputs, Catch::Contains("sha256"));
  CHECK_THAT(ReadFile(summary).value(), Catch::Contains("| `s` | updated |"));
  std::string records = ReadFile(log).value();
  CHECK_THAT(records, Catch::Contains("\"tool\":\"sluice-fetch\"") && Catch::Contains("\"pipeline\":\"p\""));
  REQUIRE(Fetch(ws, {"pipelines/p.json"}, env).exit_code == 0);
  std::string two = ReadFile(log).value();
  CHECK(std::count(two.begin(), two.end(), '\n') == 2);
  CHECK_THAT(ReadFile(output).value(), Catch::Contains("changed=false"));
}

TEST_CASE("ad hoc: --url and --out fetch one file over HTTP", "[fetch][adhoc]") {
  FixtureServer server;
  TempDir dir;
  fs::path out = dir.path() / "x.csv";
  auto run = RunProcess({kFetch, "--url", server.url("/bytes/1234?id=adhoc"), "--out", out.string(), "--header",
                         "X-Trace: abc"});
  CHECK(run.exit_code == 0);
  CHECK(fs::file_size(out) == 1234);
  auto stats = RunProcess({"curl", "-sf", server.url("/stats?id=adhoc")});
  CHECK_THAT(stats.out, Catch::Contains("abc"));
  CHECK_THAT(stats.out, Catch::Contains("sluice/"));
}

TEST_CASE("a large download draws a progress line on a terminal, and none into a pipe", "[fetch][progress]") {
  FixtureServer server;
  TempDir dir;
  fs::path out = dir.path() / "big.csv";
  // 3 MiB trickled over 1.5 s: the line is redrawn several times on the way.
  std::string url = server.url("/slow?delay_ms=1500&bytes=3145728&id=progress");
  // A real pseudo-terminal, as a person at a shell has: python3's pty module runs the tool on
  // it and copies what the tool writes there to our stdout.
  auto on_terminal = RunProcess({"python3", "-c", "import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)", kFetch,
                                 "--url", url, "--out", out.string()});
  CHECK(on_terminal.exit_code == 0);
  CHECK_THAT(on_terminal.out, Catch::Contains("\x1b[2K"));
  CHECK_THAT(on_terminal.out, Catch::Contains(" / 3.0 MiB ("));
  CHECK(fs::file_size(out) == 3145728);

  auto into_pipe = RunProcess({kFetch, "--url", url, "--out", out.string()});
  CHECK(into_pipe.exit_code == 0);
  CHECK(into_pipe.err.find("\x1b[2K") == std::string::npos);
  CHECK(into_pipe.err.find("MiB (") == std::string::npos);
}

// Local-time schedules: the caller's frequent UTC cron runs sluice-fetch --when-due, which
// fetches once per slot of the manifest's schedule (07:05 Los Angeles, weekdays) and otherwise
// fetches nothing and says so.
TEST_CASE("fetching when due: once per slot of the manifest's local schedule, and a run not started by the schedule "
          "is always due",
          "[fetch][schedule]") {
  TempDir dir;
  dir.Write("sources/c.csv", "date,county,cases\n2026-12-07,Alameda,11\n");
  dir.Write("data/c.csv", kOldCsv);
  dir.Write("pipelines/p.json", R"({"name": "p", "sources": [{"name": "c", "url": "file:sources/c.csv", "format": "csv",
    "output": "data/c.csv"}], "schedule": {"at": ["07:05"], "timezone": "America/Los_Angeles",
    "days": ["mon", "tue", "wed", "thu", "fri"]}})");
  const fs::path outputs = dir.path() / "outputs.txt", summary = dir.path() / "summary.md", log = dir.path() / "runs.ndjson";
  auto run = [&](const std::string& now, EnvOverrides env = {}) {
    fs::remove(outputs);
    env.emplace("GITHUB_EVENT_NAME", "schedule");
    env["GITHUB_ACTIONS"] = "true";
    env["GITHUB_OUTPUT"] = outputs.string();
    env["GITHUB_STEP_SUMMARY"] = summary.string();
    env["SLUICE_RUN_LOG"] = log.string();
    return RunProcess({kFetch, "pipelines/p.json", "--when-due", "--now", now, "--workspace", dir.path().string()}, env);
  };
  // 06:50 PST on Mon 7 Dec: not yet.
  auto early = run("2026-12-07T06:50:00-08:00");
  INFO(early.out << early.err);
  CHECK(early.exit_code == 0);
  CHECK_THAT(early.out, Catch::Contains("p: not fetched:") && Catch::Contains("next Mon 7 Dec 07:05 America/Los_Angeles"));
  CHECK_THAT(ReadFile(outputs).value(), Catch::Contains("due=false"));
  CHECK(ReadFile(dir.path() / "data/c.csv").value() == kOldCsv);
  CHECK_THAT(ReadFile(summary).value(), Catch::Contains("sluice-fetch: p skipped"));
  CHECK_THAT(ReadFile(log).value(), Catch::Contains(R"("status":"skipped")"));
  // 07:20: the slot's first tick fetches.
  auto due = run("2026-12-07T07:20:00-08:00");
  INFO(due.out << due.err);
  CHECK(due.exit_code == 0);
  CHECK_THAT(due.out, Catch::Contains("due: the slot Mon 7 Dec 07:05 America/Los_Angeles"));
  CHECK_THAT(ReadFile(outputs).value(), Catch::Contains("due=true"));
  CHECK_THAT(ReadFile(dir.path() / "data/c.csv").value(), Catch::Contains("Alameda,11"));
  CHECK_THAT(ReadFile(dir.path() / ".sluice/state/p.schedule.json").value(), Catch::Contains("2026-12-07T15:05:00"));
  // 07:35: the next tick of the same slot does not fetch again.
  auto again = run("2026-12-07T07:35:00-08:00");
  CHECK_THAT(again.out, Catch::Contains("has run already") && Catch::Contains("next Tue 8 Dec 07:05"));
  CHECK_THAT(ReadFile(outputs).value(), Catch::Contains("due=false"));
  // A person starts the workflow by hand: due whatever the schedule says.
  auto by_hand = run("2026-12-07T07:40:00-08:00", {{"GITHUB_EVENT_NAME", "workflow_dispatch"}});
  CHECK_THAT(by_hand.out, Catch::Contains("started by workflow_dispatch, not by the schedule: due"));
  CHECK_THAT(ReadFile(outputs).value(), Catch::Contains("due=true"));
  // Saturday: not a listed day.
  auto saturday = run("2026-12-12T07:20:00-08:00");
  CHECK_THAT(saturday.out, Catch::Contains("not fetched") && Catch::Contains("next Mon 14 Dec 07:05"));
  // An ad hoc fetch has no schedule: --when-due with --url is refused, never silently ignored.
  auto ad_hoc = RunProcess({kFetch, "--url", "http://127.0.0.1:9/x.csv", "--out", (dir.path() / "x.csv").string(),
                            "--when-due"});
  CHECK(ad_hoc.exit_code == 2);
  CHECK_THAT(ad_hoc.err, Catch::Contains("--when-due needs a pipeline manifest"));
  CHECK_FALSE(fs::exists(dir.path() / "x.csv"));
}
