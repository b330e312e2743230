// Who is on call (manifest "oncall", notify/oncall.h): business hours, a weekly off-hours rotation
// across a daylight-saving change, a holiday pair, shifts, the fallback to the primary owner, and
// the loader's errors naming the file and pointer.
#include <catch2/catch.hpp>

#include <string>

#include "core/clock.h"
#include "notify/compose.h"
#include "notify/oncall.h"
#include "pipeline/explain.h"
#include "pipeline/manifest.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sluice;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// America/Los_Angeles. Clocks went back on Sun 1 Nov 2026 (PDT, UTC-7 → PST, UTC-8). The
// off-hours rotation's first turn is ana's, from Mon 26 Oct 08:00 PDT.
const std::string kTeamRota = R"({
  "time_zone": "America/Los_Angeles",
  "business_hours": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00",
                     "responders": {"people": [{"github": "dash-team", "slack": "S0DASH"}]}},
  "off_hours": {"responders": {"people": [{"github": "ana", "slack": "U0ANA"}, {"github": "ben", "slack": "U0BEN"},
                                          {"github": "cam", "slack": "U0CAM"}],
                               "rotate_every_days": 7, "start": "2026-10-26", "handoff": "08:00"}},
  "holidays": {"dates": ["2027-01-01", "2026-11-26", "2026-12-25"],
               "responders": {"people": [{"github": "ana", "slack": "U0ANA"}, {"github": "ben", "slack": "U0BEN"},
                                         {"github": "cam", "slack": "U0CAM"}, {"github": "dee", "slack": "U0DEE"}],
                              "together": 2}}
})";

std::string Manifest(const std::string& oncall) {
  return R"({"name": "cases", "sources": [{"name": "cases", "url": "https://example.org/c.csv", "format": "csv",
    "output": "data/cases.csv"}],
    "owners": {"primary": {"github": "alice", "slack": "U0PRIMARY"}, "secondary": {"github": "bob", "slack": "U0BOB"}},
    "oncall": )" + oncall + "}";
}

Result<pipeline::Manifest> Load(const TempDir& dir, const std::string& oncall_member) {
  fs::path file = dir.Write("pipelines/cases.json", Manifest(oncall_member));
  return pipeline::LoadManifest(file, dir.path(), Environment::FromMap({}));
}

pipeline::Manifest Loaded(const TempDir& dir, const std::string& oncall_member) {
  auto manifest = Load(dir, oncall_member);
  INFO((manifest.ok() ? "" : manifest.status().message()));
  REQUIRE(manifest.ok());
  return std::move(manifest).value();
}

notify::OnCallAnswer At(const pipeline::Manifest& manifest, const std::string& utc) {
  auto at = ParseTimestamp(utc);
  REQUIRE(at.ok());
  auto answer = notify::WhoIsOnCall(manifest, *at);
  REQUIRE(answer.ok());
  return *answer;
}

std::string Logins(const notify::OnCallAnswer& answer) {
  std::string out;
  for (const auto& person : answer.people) out += (out.empty() ? "" : ",") + person.github;
  return out;
}

std::string LoadError(const std::string& oncall_member, const std::string& shared_file = "",
                      ErrorKind kind = ErrorKind::kConfig) {
  TempDir dir;
  if (!shared_file.empty()) dir.Write("oncall.json", shared_file);
  auto manifest = Load(dir, oncall_member);
  REQUIRE_FALSE(manifest.ok());
  CHECK(manifest.status().kind() == kind);
  return manifest.status().message();
}

}  // namespace

TEST_CASE("on call: business hours go to the business-hours responders, in the set-up's time zone", "[oncall]") {
  TempDir dir;
  auto manifest = Loaded(dir, kTeamRota);
  auto answer = At(manifest, "2026-11-03T18:00:00Z");  // Tue 10:00 PST
  CHECK(Logins(answer) == "dash-team");
  CHECK(answer.why == "business hours (mon,tue,wed,thu,fri 09:00-17:00)");
  CHECK(answer.at == "Tue 3 Nov 10:00 America/Los_Angeles");
  CHECK_FALSE(answer.fallback);
  // 17:00 local is off-hours already; 16:59 is not. In UTC both are the next day.
  CHECK(Logins(At(manifest, "2026-11-04T00:59:00Z")) == "dash-team");
  CHECK(Logins(At(manifest, "2026-11-04T01:00:00Z")) == "ben");
}

TEST_CASE("on call: the weekly off-hours rotation hands off at local 08:00 across the change to winter time", "[oncall]") {
  TempDir dir;
  auto manifest = Loaded(dir, kTeamRota);
  // Sat 31 Oct 12:00 PDT: ana's first week.
  auto first = At(manifest, "2026-10-31T19:00:00Z");
  CHECK(Logins(first) == "ana");
  CHECK(first.why == "off-hours: on call this week (Mon 26 Oct 08:00 to Mon 2 Nov 08:00)");
  // Mon 2 Nov 07:30 PST (15:30 UTC). Seven days of UTC after ana's start (15:00 UTC) it would
  // already be ben's turn; in local time the handoff is at 08:00, so ana is still on call.
  CHECK(Logins(At(manifest, "2026-11-02T15:30:00Z")) == "ana");
  auto handed = At(manifest, "2026-11-02T16:00:00Z");  // 08:00 PST
  CHECK(Logins(handed) == "ben");
  CHECK(handed.why == "off-hours: on call this week (Mon 2 Nov 08:00 to Mon 9 Nov 08:00)");
  CHECK(Logins(At(manifest, "2026-11-14T20:00:00Z")) == "cam");  // Sat 14 Nov
  CHECK(Logins(At(manifest, "2026-11-21T20:00:00Z")) == "ana");   // wraps around
  // Before the rotation's first turn, the turns count backwards: the week before is cam's.
  CHECK(Logins(At(manifest, "2026-10-24T20:00:00Z")) == "cam");
}

TEST_CASE("on call: a holiday goes to the holiday pair, the n-th holiday to the n-th turn, before business hours", "[oncall]") {
  TempDir dir;
  auto manifest = Loaded(dir, kTeamRota);
  auto thanksgiving = At(manifest, "2026-11-26T20:00:00Z");  // Thu 12:00 PST, a working day's hours
  CHECK(Logins(thanksgiving) == "ana,ben");
  CHECK(thanksgiving.why == "holiday 2026-11-26: turn 1 of the holiday rotation");
  auto christmas = At(manifest, "2026-12-25T20:00:00Z");
  CHECK(Logins(christmas) == "cam,dee");
  CHECK(christmas.why == "holiday 2026-12-25: turn 2 of the holiday rotation");
  CHECK(Logins(At(manifest, "2027-01-01T08:30:00Z")) == "ana,ben");  // 00:30 local on 1 Jan: the third turn wraps
  // 23:30 UTC on 1 Jan is still 1 Jan locally, 07:59 UTC on 2 Jan too; 08:00 UTC on 2 Jan is not a holiday.
  CHECK(Logins(At(manifest, "2027-01-02T07:59:00Z")) == "ana,ben");
  CHECK(At(manifest, "2027-01-02T08:00:00Z").why.rfind("off-hours", 0) == 0);
}

TEST_CASE("on call: three 8-hour shifts, one running to midnight, each with its own rotation", "[oncall]") {
  TempDir dir;
  auto manifest = Loaded(dir, R"({"time_zone": "Europe/London", "shifts": [
    {"start": "00:00", "end": "08:00", "responders": {"people": [{"github": "night-a"}, {"github": "night-b"}],
                                                      "rotate_every_days": 14, "start": "2026-11-02", "handoff": "00:00"}},
    {"start": "08:00", "end": "16:00", "responders": {"people": [{"github": "day"}]}},
    {"start": "16:00", "end": "00:00", "responders": {"people": [{"github": "evening"}]}}]})");
  CHECK(Logins(At(manifest, "2026-12-07T23:30:00Z")) == "evening");
  auto night = At(manifest, "2026-12-08T00:00:00Z");
  CHECK(Logins(night) == "night-a");  // the third sprint of two weeks from 2 Nov: night-a, night-b, night-a
  CHECK(night.why == "shift 00:00-08:00: on call this sprint (14 days) (Mon 30 Nov 00:00 to Mon 14 Dec 00:00)");
  CHECK(Logins(At(manifest, "2026-12-08T08:00:00Z")) == "day");
  // Summer time in London: 08:30 BST is 07:30 UTC.
  CHECK(Logins(At(manifest, "2027-06-01T07:30:00Z")) == "day");
}

TEST_CASE("on call: a moment nobody covers, or no set-up at all, falls back to the primary owner and says so", "[oncall]") {
  TempDir dir;
  auto manifest = Loaded(dir, R"({"time_zone": "America/New_York",
    "business_hours": {"responders": {"people": [{"github": "dash-team", "slack": "S0DASH"}]}}})");
  auto saturday = At(manifest, "2026-12-05T15:00:00Z");
  CHECK(saturday.fallback);
  CHECK(Logins(saturday) == "alice");
  CHECK_THAT(saturday.why, Contains("nobody in"));
  CHECK_THAT(saturday.why, Contains("covers Sat 5 Dec 10:00 America/New_York: the primary owner"));
  // Weekdays 09:00-17:00 by default.
  CHECK(Logins(At(manifest, "2026-12-07T14:00:00Z")) == "dash-team");

  pipeline::Manifest none;
  none.primary_owner = pipeline::Owner{"alice", "U0PRIMARY"};
  auto answer = notify::WhoIsOnCall(none, *ParseTimestamp("2026-12-05T15:00:00Z"));
  REQUIRE(answer.ok());
  CHECK(answer->fallback);
  CHECK(answer->why == "no on-call set-up (manifest \"oncall\"): the primary owner");
}

TEST_CASE("on call: a failure mentions whoever is on call and why, escalation adds the secondary owner", "[oncall]") {
  TempDir dir;
  auto manifest = Loaded(dir, kTeamRota);
  auto answer = At(manifest, "2026-11-02T15:30:00Z");
  auto attention = notify::AttentionFor(manifest, notify::Event::kFailure, false, &answer);
  CHECK(attention.mentions == std::vector<std::string>{"<@U0ANA>"});
  CHECK(attention.on_call == "off-hours: on call this week (Mon 26 Oct 08:00 to Mon 2 Nov 08:00)");
  auto escalated = notify::AttentionFor(manifest, notify::Event::kFailure, true, &answer);
  CHECK(escalated.mentions == std::vector<std::string>{"<@U0ANA>", "<@U0BOB>"});
  CHECK(escalated.escalated);
  auto team = At(manifest, "2026-11-03T18:00:00Z");
  CHECK(notify::AttentionFor(manifest, notify::Event::kFailure, false, &team).mentions ==
        std::vector<std::string>{"<!subteam^S0DASH>"});
  // A success calls on nobody, on call or not.
  CHECK(notify::AttentionFor(manifest, notify::Event::kSuccess, false, &answer).mentions.empty());
}

TEST_CASE("on call: one shared oncall.json that manifests name, checked like the manifest", "[oncall]") {
  TempDir dir;
  dir.Write("oncall.json", kTeamRota);
  auto manifest = Loaded(dir, R"("oncall.json")");
  REQUIRE(manifest.oncall);
  CHECK(manifest.oncall->origin == "oncall.json");
  CHECK(Logins(At(manifest, "2026-11-02T15:30:00Z")) == "ana");

  CHECK_THAT(LoadError(R"("rota/missing.json")"), Contains("/oncall: rota/missing.json:"));
  CHECK_THAT(LoadError(R"("oncall.json")", R"({"time_zone": "America/Los_Angeles", "off_hours": {"responders":
      {"people": [{"github": "ana"}], "rotate_every_days": 7}}})"),
             StartsWith("oncall.json: /off_hours/responders"));
  CHECK_THAT(LoadError(R"("oncall.json")", R"({"time_zone": "Mars/Olympus_Mons",
      "off_hours": {"responders": {"people": [{"github": "ana"}]}}})"),
             StartsWith("oncall.json: /time_zone: Mars/Olympus_Mons is not a time zone this machine knows"));
  CHECK_THAT(LoadError(R"("../outside.json")", "", ErrorKind::kUnsafe), Contains("/oncall"));
}

TEST_CASE("on call: what a schema cannot say is refused with its pointer", "[oncall]") {
  auto inline_error = [](const std::string& oncall) {
    std::string message = LoadError(oncall);
    return message.substr(message.find(": ") + 2);  // after the manifest's temporary path
  };
  CHECK(inline_error(R"({"time_zone": "UTC", "holidays": {"dates": ["2026-02-30"],
      "responders": {"people": [{"github": "ana"}]}}})") ==
        "/oncall/holidays/dates/0: 2026-02-30 is not a day of the calendar");
  CHECK(inline_error(R"({"time_zone": "UTC", "holidays": {"dates": ["2026-12-25"],
      "responders": {"people": [{"github": "ana"}], "together": 2}}})") ==
        "/oncall/holidays/responders/together: 2 people per turn, but the rotation lists 1");
  CHECK(inline_error(R"({"time_zone": "UTC", "holidays": {"dates": ["2026-12-25"],
      "responders": {"people": [{"github": "ana"}], "rotate_every_days": 7, "start": "2026-11-02"}}})") ==
        "/oncall/holidays/responders/rotate_every_days: holidays rotate per holiday (the n-th date is the n-th turn): "
        "leave rotate_every_days out");
  CHECK(inline_error(R"({"time_zone": "UTC", "business_hours": {"start": "17:00", "end": "09:00",
      "responders": {"people": [{"github": "ana"}]}}})") ==
        "/oncall/business_hours/end: business hours end at 09:00, not after they start at 17:00");
  CHECK(inline_error(R"({"time_zone": "UTC"})") ==
        "/oncall: names nobody: give business_hours, shifts, off_hours or holidays");
  CHECK_THAT(inline_error(R"({"time_zone": "UTC", "off_hours": {"responders": {"people": [{"github": "ana"}],
      "handoff": "25:00"}}})"), StartsWith("/oncall/off_hours/responders/handoff: "));
}

TEST_CASE("on call: --explain shows the set-up, for the runbook reader", "[oncall]") {
  TempDir dir;
  dir.Write("oncall.json", kTeamRota);
  auto manifest = Loaded(dir, R"("oncall.json")");
  std::string md = pipeline::ExplainPipeline(manifest);
  CHECK_THAT(md, Contains("- On call (oncall.json, times in America/Los_Angeles); failures mention whoever is on call, "
                          "and say why:\n"
                          "  - holidays (2026-11-26, 2026-12-25, 2027-01-01): @ana, @ben, @cam, @dee, 2 at a time, a "
                          "turn per holiday\n"
                          "  - business hours (mon,tue,wed,thu,fri 09:00-17:00): @dash-team\n"
                          "  - off-hours: @ana, @ben, @cam in turn, every 7 days from 2026-10-26 at 08:00\n"));
}

TEST_CASE("on call: an upstream failure pages nobody outside business hours, a production one pages at any hour", "[oncall][severity]") {
  TempDir dir;
  auto manifest = Loaded(dir, kTeamRota);
  auto night = At(manifest, "2026-11-02T15:30:00Z");  // Mon 07:30 PST
  CHECK_FALSE(night.business_hours);
  auto upstream = notify::AttentionFor(manifest, notify::Event::kFailure, false, &night, "upstream");
  CHECK(upstream.mentions.empty());
  CHECK(upstream.on_call == "nobody paged: production is untouched, and it waits for business hours (off-hours: on "
                            "call this week (Mon 26 Oct 08:00 to Mon 2 Nov 08:00))");
  auto production = notify::AttentionFor(manifest, notify::Event::kFailure, false, &night, "production");
  CHECK(production.mentions == std::vector<std::string>{"<@U0ANA>"});
  auto day = At(manifest, "2026-11-03T18:00:00Z");
  CHECK(day.business_hours);
  CHECK(notify::AttentionFor(manifest, notify::Event::kFailure, false, &day, "upstream").mentions ==
        std::vector<std::string>{"<!subteam^S0DASH>"});
  // A holiday is not business hours, whatever the clock says.
  CHECK_FALSE(At(manifest, "2026-11-26T20:00:00Z").business_hours);

  TempDir always_dir;
  std::string always = kTeamRota;
  always.insert(always.find('{') + 1, R"("page_upstream": "always",)");
  auto paged = Loaded(always_dir, always);
  auto paged_night = At(paged, "2026-11-02T15:30:00Z");
  CHECK(notify::AttentionFor(paged, notify::Event::kFailure, false, &paged_night, "upstream").mentions ==
        std::vector<std::string>{"<@U0ANA>"});
}
