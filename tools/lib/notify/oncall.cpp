#include "notify/oncall.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <date/date.h>
#include <fmt/format.h>

namespace sluice::notify {
namespace {

using namespace std::chrono;
using pipeline::Responders;

int Minutes(const std::string& clock) {
  auto parsed = ParseClock(clock);  // the schema's pattern vouches for it
  return parsed.ok() ? parsed->first * 60 + parsed->second : 0;
}

std::string Ymd(date::local_days day) { return date::format("%F", day); }

// "YYYY-MM-DD", which the manifest loader has checked is a real day.
date::local_days DayOf(const std::string& ymd) {
  int y = 1970, m = 1, d = 1;
  std::sscanf(ymd.c_str(), "%d-%d-%d", &y, &m, &d);
  return date::local_days{date::year{y} / m / d};
}

// "Mon 30 Nov 09:00", the moment local `at` (no zone: the answer names it once).
std::string Short(date::local_seconds at) {
  std::string text = date::format("%a %e %b %H:%M", at);
  for (std::size_t p = text.find("  "); p != std::string::npos; p = text.find("  ")) text.erase(p, 1);
  return text;
}

std::string Period(int days) {
  if (days == 1) return "today";
  if (days == 7) return "this week";
  if (days == 14) return "this sprint (14 days)";
  return fmt::format("for {} days", days);
}

// The people of turn `turn`: `together` of them from turn × together on, wrapping around.
std::vector<pipeline::Owner> Turn(const Responders& responders, long long turn) {
  std::vector<pipeline::Owner> people;
  long long n = static_cast<long long>(responders.people.size());
  for (int j = 0; j < responders.together && j < n; ++j) {
    long long index = ((turn * responders.together + j) % n + n) % n;
    people.push_back(responders.people[static_cast<std::size_t>(index)]);
  }
  return people;
}

// Who of `responders` is on call at local `now`, and the words for it after `what`.
void Answer(const Responders& responders, date::local_seconds now, const std::string& what, OnCallAnswer& answer) {
  if (responders.rotate_every_days == 0) {
    answer.people = responders.people;
    answer.why = what;
    return;
  }
  int handoff = Minutes(responders.handoff);
  date::local_seconds first = DayOf(responders.start) + minutes(handoff);
  // Local wall-clock seconds: a turn of 7 days hands off at 09:00 local whatever the clocks did.
  seconds period = days(responders.rotate_every_days);
  auto elapsed = now - first;
  long long turn = elapsed.count() >= 0 ? elapsed / period : -((-elapsed + period - seconds(1)) / period);
  date::local_seconds begins = first + period * turn;
  answer.people = Turn(responders, turn);
  answer.why = fmt::format("{}: on call {} ({} to {})", what, Period(responders.rotate_every_days), Short(begins),
                           Short(begins + period));
}

bool InClock(int minute, int start, int end) {
  return start < end ? (minute >= start && minute < end) : (minute >= start || minute < end);
}

}  // namespace

std::string PersonText(const pipeline::Owner& person) {
  if (person.slack.empty()) return "@" + person.github;
  return fmt::format("@{} (<{}{}>)", person.github, person.slack[0] == 'S' ? "!subteam^" : "@", person.slack);
}

Result<OnCallAnswer> WhoIsOnCall(const pipeline::Manifest& manifest, Time at) {
  OnCallAnswer answer;
  auto fallback = [&](const std::string& why) {
    answer.fallback = true;
    if (manifest.primary_owner) answer.people.push_back(*manifest.primary_owner);
    answer.why = manifest.primary_owner ? why + ": the primary owner" : why + ", and the manifest names no primary owner";
    return answer;
  };
  if (!manifest.oncall) {
    auto text = LocalText(at, "UTC");
    if (text.ok()) answer.at = *text;
    return fallback("no on-call set-up (manifest \"oncall\")");
  }
  const pipeline::OnCall& oncall = *manifest.oncall;
  auto zone = LocateZone(oncall.time_zone, oncall.origin + ": time_zone");
  if (!zone.ok()) return zone.status();
  auto local = date::zoned_time<seconds>(*zone, date::floor<seconds>(at)).get_local_time();
  date::local_days day = date::floor<date::days>(local);
  int minute = static_cast<int>(duration_cast<minutes>(local - day).count());
  answer.at = Short(local) + " " + oncall.time_zone;

  if (oncall.holiday_responders) {
    auto found = std::find(oncall.holidays.begin(), oncall.holidays.end(), Ymd(day));
    if (found != oncall.holidays.end()) {
      long long turn = found - oncall.holidays.begin();
      const Responders& responders = *oncall.holiday_responders;
      answer.people = Turn(responders, turn);
      bool rotates = static_cast<int>(responders.people.size()) > responders.together;
      answer.why = rotates ? fmt::format("holiday {}: turn {} of the holiday rotation", Ymd(day), turn + 1)
                           : fmt::format("holiday {}: the holiday responders", Ymd(day));
      return answer;
    }
  }
  if (oncall.business_hours) {
    const auto& days = oncall.business_days;
    bool working = std::find(days.begin(), days.end(), DayName(day)) != days.end();
    if (working && InClock(minute, Minutes(oncall.business_start), Minutes(oncall.business_end))) {
      std::string names;
      for (const auto& name : days) names += (names.empty() ? "" : ",") + name;
      Answer(*oncall.business_hours, local,
             fmt::format("business hours ({} {}-{})", names, oncall.business_start, oncall.business_end), answer);
      answer.business_hours = true;
      return answer;
    }
  }
  for (const auto& shift : oncall.shifts) {
    if (InClock(minute, Minutes(shift.start), Minutes(shift.end))) {
      Answer(shift.responders, local, fmt::format("shift {}-{}", shift.start, shift.end), answer);
      return answer;
    }
  }
  if (oncall.off_hours) {
    Answer(*oncall.off_hours, local, "off-hours", answer);
    return answer;
  }
  return fallback(fmt::format("nobody in {} covers {}", oncall.origin, answer.at));
}

}  // namespace sluice::notify
