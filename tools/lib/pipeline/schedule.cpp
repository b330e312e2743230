#include "pipeline/schedule.h"

#include <algorithm>

#include <date/date.h>
#include <fmt/format.h>

#include "core/clock.h"
#include "core/fs.h"
#include "json/json.h"
#include "json/writer.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono;

struct Slot {
  Time at;
  bool skipped = false;  // on a skip date
};

std::string DateText(date::local_days day) { return date::format("%Y-%m-%d", day); }

bool Listed(const Schedule& schedule, date::local_days day) {
  return schedule.days.empty() ||
         std::find(schedule.days.begin(), schedule.days.end(), DayName(day)) != schedule.days.end();
}

// The slots of the local days from `first` to `last`, in time order.
Result<std::vector<Slot>> Slots(const Schedule& schedule, const date::time_zone* zone, date::local_days first,
                                date::local_days last) {
  std::vector<Slot> slots;
  for (date::local_days day = first; day <= last; day += date::days(1)) {
    if (!Listed(schedule, day)) continue;
    const bool skipped = std::find(schedule.skip_dates.begin(), schedule.skip_dates.end(), DateText(day)) !=
                         schedule.skip_dates.end();
    for (const std::string& at : schedule.at) {
      auto clock = ParseClock(at);
      if (!clock.ok()) return clock.status().WithContext("schedule.at");
      slots.push_back({AtLocal(zone, day, clock->first, clock->second), skipped});
    }
  }
  std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.at < b.at; });
  return slots;
}

std::string Text(Time at, const std::string& timezone) {
  auto text = LocalText(at, timezone);
  return text.ok() ? *text : FormatUtc(at);
}

}  // namespace

Result<ScheduleDecision> DecideSchedule(const Schedule& schedule, Time now, std::optional<Time> last_run) {
  auto zone = LocateZone(schedule.timezone, "schedule.timezone");
  if (!zone.ok()) return zone.status();
  if (schedule.at.empty()) return ConfigError("schedule.at names no time of day");
  const date::local_days today = LocalDay(*zone, now);
  // Two days back covers a catch-up past midnight; eight ahead, the next slot of a weekly schedule.
  auto slots = Slots(schedule, *zone, today - date::days(2), today + date::days(8));
  if (!slots.ok()) return slots.status();
  ScheduleDecision decision;
  const Slot* latest = nullptr;
  for (const Slot& slot : *slots) {
    if (slot.at <= now) latest = &slot;
    if (slot.at > now && !slot.skipped && decision.next_text.empty()) decision.next_text = Text(slot.at, schedule.timezone);
  }
  const std::string next = decision.next_text.empty() ? "" : "; next " + decision.next_text;
  if (latest == nullptr || now - latest->at > minutes(schedule.catch_up_minutes)) {
    decision.reason = latest == nullptr ? fmt::format("not due: no slot in the last {} minutes{}", schedule.catch_up_minutes, next)
                                        : fmt::format("not due: the last slot, {}, is more than {} minutes past{}",
                                                      Text(latest->at, schedule.timezone), schedule.catch_up_minutes, next);
    if (latest != nullptr && (!last_run || *last_run < latest->at)) {
      decision.reason = fmt::format("the slot {} was missed by more than {} minutes (catch_up_minutes) and is "
                                    "skipped{}",
                                    Text(latest->at, schedule.timezone), schedule.catch_up_minutes, next);
    }
    return decision;
  }
  decision.slot = latest->at;
  decision.slot_text = Text(latest->at, schedule.timezone);
  if (latest->skipped) {
    decision.reason = fmt::format("the slot {} falls on a skip date ({}){}", decision.slot_text,
                                  DateText(LocalDay(*zone, latest->at)), next);
    return decision;
  }
  if (last_run && *last_run >= latest->at) {
    decision.reason = fmt::format("the slot {} has run already{}", decision.slot_text, next);
    return decision;
  }
  decision.due = true;
  decision.reason = fmt::format("due: the slot {}", decision.slot_text);
  return decision;
}

Result<std::optional<Time>> ReadLastSlot(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::optional<Time>();
  auto parsed = json::ParseFile(file);
  if (!parsed.ok()) return parsed.status();
  const std::string text = json::StringOr(*parsed, "last_slot");
  if (text.empty()) return InputError(fmt::format("{}: no \"last_slot\" in the schedule state", file.string()));
  auto when = ParseTimestamp(text);
  if (!when.ok()) return when.status().WithContext(file.string() + ": /last_slot");
  return std::optional<Time>(*when);
}

Status WriteLastSlot(const std::filesystem::path& file, Time slot) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  return WriteFileAtomically(file, json::Object([&](json::TextWriter& w) { json::Field(w, "last_slot", FormatUtc(slot)); }) +
                                       "\n");
}

}  // namespace sluice::pipeline
