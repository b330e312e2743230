#include <catch2/catch.hpp>

#include <regex>
#include <sstream>
#include <string>

#include "actions_io/actions_io.h"
#include "core/fs.h"
#include "core/secrets.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;
using Catch::Matchers::Contains;

namespace {

// An Actions-like environment whose files live in `dir`.
Environment InActions(const TempDir& dir, std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> vars = {{"GITHUB_ACTIONS", "true"},
                                             {"GITHUB_OUTPUT", (dir.path() / "output").string()},
                                             {"GITHUB_STEP_SUMMARY", (dir.path() / "summary.md").string()}};
  vars.merge(extra);
  return Environment::FromMap(vars);
}

std::string Contents(const fs::path& path) {
  auto text = ReadFile(path);
  return text.ok() ? *text : "(unreadable)";
}

}  // namespace

TEST_CASE("a single-line output is written as name=value", "[actions_io]") {
  TempDir dir;
  std::ostringstream commands;
  actions::ActionsIo io(InActions(dir), commands);
  REQUIRE(io.SetOutput("changed", "true").ok());
  REQUIRE(io.SetOutput("rows", "31").ok());
  CHECK(Contents(dir.path() / "output") == "changed=true\nrows=31\n");
}

TEST_CASE("multi-line output uses a heredoc delimiter", "[actions_io]") {
  TempDir dir;
  std::ostringstream commands;
  actions::ActionsIo io(InActions(dir), commands);
  REQUIRE(io.SetOutput("report", "line one\nline two").ok());
  std::string text = Contents(dir.path() / "output");
  std::smatch match;
  REQUIRE(std::regex_match(text, match, std::regex("report<<(ghadelimiter_[0-9a-f]{32})\nline one\nline two\n(.*)\n")));
  CHECK(match[1] == match[2]);
  // A fresh delimiter every time: a value cannot be crafted to close the next one.
  REQUIRE(io.SetOutput("report", "a\nb").ok());
  CHECK(Contents(dir.path() / "output").find(match[1].str(), text.size()) == std::string::npos);
}

TEST_CASE("an output name that could forge another output is refused", "[actions_io]") {
  TempDir dir;
  std::ostringstream commands;
  actions::ActionsIo io(InActions(dir), commands);
  CHECK(io.SetOutput("a=b", "x").kind() == ErrorKind::kInternal);
  CHECK(io.SetOutput("a\nb", "x").kind() == ErrorKind::kInternal);
  CHECK_FALSE(fs::exists(dir.path() / "output"));
}

TEST_CASE("outputs and summaries are masked", "[actions_io]") {
  ClearSecretsForTesting();
  RegisterSecret("tok-abcdef");
  TempDir dir;
  std::ostringstream commands;
  actions::ActionsIo io(InActions(dir), commands);
  REQUIRE(io.SetOutput("url", "https://x.test/?token=tok-abcdef").ok());
  REQUIRE(io.AppendSummary("## Fetch\nused tok-abcdef").ok());
  ClearSecretsForTesting();
  CHECK(Contents(dir.path() / "output") == "url=https://x.test/?token=***\n");
  CHECK(Contents(dir.path() / "summary.md") == "## Fetch\nused ***\n");
}

TEST_CASE("without the Actions files outputs and summaries are skipped", "[actions_io]") {
  std::ostringstream commands;
  actions::ActionsIo io(Environment::FromMap({}), commands);
  CHECK_FALSE(io.in_actions());
  CHECK(io.SetOutput("x", "y").ok());
  CHECK(io.AppendSummary("text").ok());
  CHECK(commands.str().empty());
}

TEST_CASE("command data and properties are escaped like actions/toolkit", "[actions_io]") {
  CHECK(actions::EscapeCommandData("100%\r\nnext: a,b") == "100%25%0D%0Anext: a,b");
  CHECK(actions::EscapeCommandProperty("100%\r\nnext: a,b") == "100%25%0D%0Anext%3A a%2Cb");
}

TEST_CASE("annotation properties are escaped", "[actions_io]") {
  TempDir dir;
  std::ostringstream commands;
  actions::ActionsIo io(InActions(dir), commands);
  actions::Annotation annotation;
  annotation.level = actions::AnnotationLevel::kWarning;
  annotation.file = "data/a,b:c.csv";
  annotation.line = 12;
  annotation.column = 3;
  annotation.title = "fips: 100%";
  annotation.message = "value changed\nby 30%";
  io.Annotate(annotation);
  CHECK(commands.str() ==
        "::warning file=data/a%2Cb%3Ac.csv,line=12,col=3,title=fips%3A 100%25::value changed%0Aby 30%25\n");
}

TEST_CASE("an annotation without a location has no properties", "[actions_io]") {
  TempDir dir;
  std::ostringstream commands;
  actions::ActionsIo io(InActions(dir), commands);
  io.Annotate({actions::AnnotationLevel::kError, "fetch failed", "", 0, 0, ""});
  CHECK(commands.str() == "::error::fetch failed\n");
}

TEST_CASE("outside Actions an annotation is a compiler-style line", "[actions_io]") {
  std::ostringstream commands;
  actions::ActionsIo io(Environment::FromMap({{"GITHUB_ACTIONS", "false"}}), commands);
  io.Annotate({actions::AnnotationLevel::kError, "not a FIPS code", "data/cases.csv", 4, 17, ""});
  CHECK(commands.str() == "error: data/cases.csv:4:17: not a FIPS code\n");
}

TEST_CASE("secrets are masked once per value", "[actions_io]") {
  ClearSecretsForTesting();
  TempDir dir;
  std::ostringstream commands;
  actions::ActionsIo io(InActions(dir), commands);
  RegisterSecret("first-secret");
  io.MaskRegisteredSecrets();
  io.MaskRegisteredSecrets();
  RegisterSecret("-----BEGIN KEY-----\r\nMIIEvQIBADAN\r\n-----END KEY-----");
  io.MaskRegisteredSecrets();
  ClearSecretsForTesting();
  CHECK(commands.str() ==
        "::add-mask::first-secret\n"
        "::add-mask::-----BEGIN KEY-----\n"
        "::add-mask::MIIEvQIBADAN\n"
        "::add-mask::-----END KEY-----\n");
}

TEST_CASE("outside Actions no mask commands are printed", "[actions_io]") {
  ClearSecretsForTesting();
  RegisterSecret("first-secret");
  std::ostringstream commands;
  actions::ActionsIo io(Environment::FromMap({}), commands);
  io.MaskRegisteredSecrets();
  ClearSecretsForTesting();
  CHECK(commands.str().empty());
}

TEST_CASE("the event payload is read from GITHUB_EVENT_PATH", "[actions_io]") {
  TempDir dir;
  std::ostringstream commands;
  auto event = dir.Write("event.json", R"({"action": "labeled", "label": {"name": "sluice:hold"}})");
  actions::ActionsIo io(InActions(dir, {{"GITHUB_EVENT_PATH", event.string()}}), commands);
  auto payload = io.EventPayload();
  REQUIRE(payload.ok());
  REQUIRE(payload->has_value());
  CHECK((**payload)["label"]["name"] == "sluice:hold");

  actions::ActionsIo no_event(InActions(dir), commands);
  auto none = no_event.EventPayload();
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  auto broken = dir.Write("broken.json", "{\"action\": }");
  actions::ActionsIo bad(InActions(dir, {{"GITHUB_EVENT_PATH", broken.string()}}), commands);
  auto error = bad.EventPayload();
  REQUIRE_FALSE(error.ok());
  CHECK_THAT(error.status().message(), Contains(broken.string() + ":1:12: "));
}
