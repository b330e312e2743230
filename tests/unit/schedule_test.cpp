// Local-time schedules (manifest "schedule"): a run is due once per slot, in the pipeline's time
// zone, across both daylight-saving changes, on listed days only, never on a skip date, and not
// once a slot is more than catch_up_minutes past.
#include <catch2/catch.hpp>

#include <cstdio>

#include <date/date.h>

#include "pipeline/schedule.h"
#include "support/temp_dir.h"

using namespace sluice;
using pipeline::DecideSchedule;
using pipeline::Schedule;

namespace {

Time Utc(const std::string& text) {  // "YYYY-MM-DD HH:MM"
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  REQUIRE(std::sscanf(text.c_str(), "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) == 5);
  return Time(date::sys_days(date::year(y) / mo / d)) + std::chrono::hours(h) + std::chrono::minutes(mi);
}

Schedule Daily() { return {{"07:05"}, "America/Los_Angeles", {}, {}, 180}; }

}  // namespace

TEST_CASE("a slot at 07:05 Los Angeles is due at 07:05 local on both sides of each daylight-saving change",
          "[schedule]") {
  // Spring forward on Sun 8 Mar 2026: 07:05 is 15:05 UTC before (PST), 14:05 UTC after (PDT).
  CHECK_FALSE(DecideSchedule(Daily(), Utc("2026-03-07 14:10"), {})->due);  // 06:10 PST: not yet
  auto before = DecideSchedule(Daily(), Utc("2026-03-07 15:10"), {});
  REQUIRE(before.ok());
  CHECK(before->due);
  CHECK(*before->slot == Utc("2026-03-07 15:05"));
  CHECK(before->slot_text == "Sat 7 Mar 07:05 America/Los_Angeles");
  auto after = DecideSchedule(Daily(), Utc("2026-03-09 14:10"), Utc("2026-03-08 14:05"));
  REQUIRE(after.ok());
  CHECK(after->due);
  CHECK(*after->slot == Utc("2026-03-09 14:05"));
  // A UTC cron written in winter (15:05) would run at 08:05 in summer; the slot is not missed,
  // and the 15:05 tick finds it already run.
  CHECK_FALSE(DecideSchedule(Daily(), Utc("2026-03-09 15:05"), Utc("2026-03-09 14:05"))->due);
  // Fall back on Sun 1 Nov 2026: 07:05 PDT is 14:05 UTC on 31 Oct, 07:05 PST 15:05 UTC on 2 Nov.
  CHECK(*DecideSchedule(Daily(), Utc("2026-10-31 14:06"), {})->slot == Utc("2026-10-31 14:05"));
  CHECK_FALSE(DecideSchedule(Daily(), Utc("2026-11-02 14:10"), Utc("2026-11-01 15:05"))->due);  // 06:10 PST
  CHECK(*DecideSchedule(Daily(), Utc("2026-11-02 15:06"), Utc("2026-11-01 15:05"))->slot == Utc("2026-11-02 15:05"));
}

TEST_CASE("a slot in the hour skipped by the spring change runs when the gap ends, one in the repeated hour once",
          "[schedule]") {
  Schedule early{{"02:30"}, "America/Los_Angeles", {}, {}, 180};
  // 02:30 does not exist on 8 Mar 2026: the slot is 03:00 PDT, 10:00 UTC.
  auto spring = DecideSchedule(early, Utc("2026-03-08 10:01"), Utc("2026-03-07 10:30"));
  REQUIRE(spring.ok());
  CHECK(spring->due);
  CHECK(*spring->slot == Utc("2026-03-08 10:00"));
  Schedule repeated{{"01:30"}, "America/Los_Angeles", {}, {}, 180};
  // 01:30 happens twice on 1 Nov 2026 (08:30 and 09:30 UTC): one slot, the first.
  auto first = DecideSchedule(repeated, Utc("2026-11-01 08:31"), Utc("2026-10-31 08:30"));
  REQUIRE(first.ok());
  CHECK(*first->slot == Utc("2026-11-01 08:30"));
  CHECK_FALSE(DecideSchedule(repeated, Utc("2026-11-01 09:31"), *first->slot)->due);
}

TEST_CASE("once per slot, listed days only, skip dates, and a slot missed past catch_up_minutes is skipped with the "
          "reason",
          "[schedule]") {
  // Every 15 minutes the cron ticks: only the first tick after the slot runs it.
  auto first = DecideSchedule(Daily(), Utc("2026-12-07 15:15"), Utc("2026-12-06 15:05"));
  REQUIRE(first->due);
  auto again = DecideSchedule(Daily(), Utc("2026-12-07 15:30"), *first->slot);
  CHECK_FALSE(again->due);
  CHECK_THAT(again->reason, Catch::Contains("the slot Mon 7 Dec 07:05 America/Los_Angeles has run already") &&
                                Catch::Contains("next Tue 8 Dec 07:05 America/Los_Angeles"));
  // Two slots a day.
  Schedule twice{{"07:05", "15:00"}, "America/Los_Angeles", {}, {}, 180};
  CHECK(*DecideSchedule(twice, Utc("2026-12-07 23:10"), *first->slot)->slot == Utc("2026-12-07 23:00"));
  // Weekdays only: Saturday's tick is not due, and names Monday.
  Schedule weekdays{{"07:05"}, "America/Los_Angeles", {"mon", "tue", "wed", "thu", "fri"}, {}, 180};
  auto saturday = DecideSchedule(weekdays, Utc("2026-12-05 15:10"), Utc("2026-12-04 15:05"));
  CHECK_FALSE(saturday->due);
  CHECK_THAT(saturday->reason, Catch::Contains("next Mon 7 Dec 07:05"));
  // A holiday.
  Schedule holidays{{"07:05"}, "America/Los_Angeles", {}, {"2026-12-25"}, 180};
  auto christmas = DecideSchedule(holidays, Utc("2026-12-25 15:10"), Utc("2026-12-24 15:05"));
  CHECK_FALSE(christmas->due);
  CHECK_THAT(christmas->reason, Catch::Contains("falls on a skip date (2026-12-25)") && Catch::Contains("next Sat 26 Dec"));
  // GitHub started the run four hours late: past catch_up_minutes, the slot is skipped and said so.
  auto late = DecideSchedule(Daily(), Utc("2026-12-07 19:10"), Utc("2026-12-06 15:05"));
  CHECK_FALSE(late->due);
  CHECK_THAT(late->reason, Catch::Contains("the slot Mon 7 Dec 07:05 America/Los_Angeles was missed by more than 180 minutes"));
  // An unknown zone is a configuration error naming the field.
  Schedule mars{{"07:05"}, "Mars/Olympus", {}, {}, 180};
  CHECK_THAT(DecideSchedule(mars, Utc("2026-12-07 15:10"), {}).status().message(), Catch::Contains("schedule.timezone"));
}

TEST_CASE("the schedule state keeps the last slot run, and a damaged state file is named", "[schedule]") {
  TempDir dir;
  const auto file = dir.path() / "state" / "cases.schedule.json";
  CHECK_FALSE(pipeline::ReadLastSlot(file)->has_value());
  REQUIRE(pipeline::WriteLastSlot(file, Utc("2026-12-07 15:05")).ok());
  CHECK(**pipeline::ReadLastSlot(file) == Utc("2026-12-07 15:05"));
  dir.Write("bad.json", R"({"last_slot": "yesterday"})");
  auto bad = pipeline::ReadLastSlot(dir.path() / "bad.json");
  CHECK_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Contains("bad.json: /last_slot"));
}
