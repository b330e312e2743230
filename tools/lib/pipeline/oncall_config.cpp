#include "pipeline/oncall_config.h"

#include <algorithm>
#include <cstdio>

#include <date/date.h>
#include <fmt/format.h>

#include "core/local_time.h"
#include "json/json.h"

namespace sluice::pipeline {
namespace {

using rapidjson::Value;

int IntOr(const Value& object, const char* name, int fallback) {
  const Value* value = json::Member(object, name);
  return value != nullptr && value->IsInt() ? value->GetInt() : fallback;
}

// The schema's pattern admits 2026-02-30; a date here must be a day of the calendar.
bool RealDay(const std::string& text) {
  int y = 0, m = 0, d = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) return false;
  return (date::year{y} / m / d).ok();
}

class Reader {
 public:
  Reader(std::string file, std::string pointer) : file_(std::move(file)), pointer_(std::move(pointer)) {}

  Status Problem(const std::string& at, const std::string& what) const {
    return ConfigError(fmt::format("{}: {}{}: {}", file_, pointer_, at, what));
  }

  Result<Responders> ReadResponders(const Value& value, const std::string& at) const {
    Responders responders;
    for (const auto& person : value["people"].GetArray()) {
      responders.people.push_back(Owner{json::StringOr(person, "github"), json::StringOr(person, "slack")});
    }
    responders.rotate_every_days = IntOr(value, "rotate_every_days", 0);
    responders.start = json::StringOr(value, "start");
    responders.handoff = json::StringOr(value, "handoff", "09:00");
    responders.together = IntOr(value, "together", 1);
    if (!responders.start.empty() && !RealDay(responders.start)) {
      return Problem(at + "/start", fmt::format("{} is not a day of the calendar", responders.start));
    }
    if (responders.together > static_cast<int>(responders.people.size())) {
      return Problem(at + "/together", fmt::format("{} people per turn, but the rotation lists {}", responders.together,
                                                   responders.people.size()));
    }
    return responders;
  }

 private:
  std::string file_;
  std::string pointer_;
};

}  // namespace

Result<OnCall> ReadOnCall(const Value& value, const std::string& file, const std::string& pointer) {
  Reader reader(file, pointer);
  OnCall oncall;
  oncall.origin = pointer.empty() ? file : fmt::format("{}: {}", file, pointer);
  oncall.time_zone = json::StringOr(value, "time_zone");
  oncall.page_upstream_always = json::StringOr(value, "page_upstream") == "always";
  if (auto zone = LocateZone(oncall.time_zone, "time_zone"); !zone.ok()) {
    return reader.Problem("/time_zone", fmt::format("{} is not a time zone this machine knows (an IANA name, e.g. "
                                                    "America/Los_Angeles)", oncall.time_zone));
  }
  if (const Value* hours = json::Member(value, "business_hours")) {
    if (json::Member(*hours, "days") != nullptr) oncall.business_days = json::Strings(*hours, "days");
    oncall.business_start = json::StringOr(*hours, "start", "09:00");
    oncall.business_end = json::StringOr(*hours, "end", "17:00");
    if (oncall.business_end <= oncall.business_start) {  // "HH:MM" compares as time
      return reader.Problem("/business_hours/end", fmt::format("business hours end at {}, not after they start at {}",
                                                               oncall.business_end, oncall.business_start));
    }
    auto responders = reader.ReadResponders((*hours)["responders"], "/business_hours/responders");
    if (!responders.ok()) return responders.status();
    oncall.business_hours = std::move(responders).value();
  }
  if (const Value* shifts = json::Member(value, "shifts")) {
    for (rapidjson::SizeType i = 0; i < shifts->Size(); ++i) {
      const Value& shift = (*shifts)[i];
      std::string at = fmt::format("/shifts/{}", i);
      Shift read{json::StringOr(shift, "start"), json::StringOr(shift, "end"), {}};
      if (read.start == read.end) {
        return reader.Problem(at + "/end", fmt::format("the shift starts and ends at {}: give it some hours", read.end));
      }
      auto responders = reader.ReadResponders(shift["responders"], at + "/responders");
      if (!responders.ok()) return responders.status();
      read.responders = std::move(responders).value();
      oncall.shifts.push_back(std::move(read));
    }
  }
  if (const Value* off = json::Member(value, "off_hours")) {
    auto responders = reader.ReadResponders((*off)["responders"], "/off_hours/responders");
    if (!responders.ok()) return responders.status();
    oncall.off_hours = std::move(responders).value();
  }
  if (const Value* holidays = json::Member(value, "holidays")) {
    oncall.holidays = json::Strings(*holidays, "dates");
    for (std::size_t i = 0; i < oncall.holidays.size(); ++i) {
      if (!RealDay(oncall.holidays[i])) {
        return reader.Problem(fmt::format("/holidays/dates/{}", i),
                              fmt::format("{} is not a day of the calendar", oncall.holidays[i]));
      }
    }
    std::sort(oncall.holidays.begin(), oncall.holidays.end());
    auto responders = reader.ReadResponders((*holidays)["responders"], "/holidays/responders");
    if (!responders.ok()) return responders.status();
    if (responders->rotate_every_days != 0) {
      return reader.Problem("/holidays/responders/rotate_every_days",
                            "holidays rotate per holiday (the n-th date is the n-th turn): leave rotate_every_days out");
    }
    oncall.holiday_responders = std::move(responders).value();
  }
  if (!oncall.business_hours && oncall.shifts.empty() && !oncall.off_hours && !oncall.holiday_responders) {
    return reader.Problem("", "names nobody: give business_hours, shifts, off_hours or holidays");
  }
  return oncall;
}

}  // namespace sluice::pipeline
