#include "checks/change_limits.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "checks/calendar.h"
#include "json/json.h"

namespace sluice::checks {
namespace {

Result<Limit> ReadLimit(const CheckSpec& spec, const std::string& option) {
  Limit limit{OptionalNumber(spec, option.c_str()), option};
  if (json::Member(*spec.config, option.c_str()) != nullptr && !limit.value) {
    return ConfigProblem(spec, option, "expected a number");
  }
  if (limit.value && *limit.value < 0) return ConfigProblem(spec, option, "must not be negative");
  return limit;
}

// "max_percent" and its one-sided forms: a one-sided limit overrides the two-sided one for its
// direction.
Status ReadUnit(const CheckSpec& spec, const std::string& level, const std::string& unit, Limit& fall, Limit& rise) {
  auto both = ReadLimit(spec, fmt::format("{}_{}", level, unit));
  auto decrease = ReadLimit(spec, fmt::format("{}_decrease_{}", level, unit));
  auto increase = ReadLimit(spec, fmt::format("{}_increase_{}", level, unit));
  for (const auto* read : {&both, &decrease, &increase}) {
    if (!read->ok()) return read->status();
  }
  fall = decrease->value ? *decrease : *both;
  rise = increase->value ? *increase : *both;
  return Status::Ok();
}

Status WarnBelowError(const CheckSpec& spec, const Limit& warn, const Limit& error) {
  if (!warn.value || !error.value || *warn.value < *error.value) return Status::Ok();
  return ConfigProblem(spec, warn.option,
                       fmt::format("must be below {} (a warning comes before the error)", error.option));
}

bool Symmetric(const Limit& fall, const Limit& rise) {
  return fall.value && rise.value && *fall.value == *rise.value;
}

std::string UnitText(const Limit& fall, const Limit& rise, double days, const char* unit) {
  auto scaled = [&](const Limit& limit) { return FormatNumber(*limit.value * days) + unit; };
  std::string text;
  if (Symmetric(fall, rise)) {
    text = "±" + scaled(fall);
  } else if (fall.value && rise.value) {
    text = fmt::format("-{} to +{}", scaled(fall), scaled(rise));
  } else if (fall.value) {
    text = "-" + scaled(fall);  // a limit on one direction only: written with its sign
  } else if (rise.value) {
    text = "+" + scaled(rise);
  } else {
    return "";
  }
  return days > 1 ? fmt::format("{} over {} days", text, days) : text;
}

// The limit as a breach names it: "25%" when it holds both ways, else "-1%" or "+25%".
std::string LimitWord(const Limit& limit, bool symmetric, bool fell, double days, const char* unit) {
  return fmt::format("{}{}{}", symmetric ? "" : (fell ? "-" : "+"), FormatNumber(*limit.value * days), unit);
}

}  // namespace

bool ChangeLevel::any() const {
  return fall_percent.value || rise_percent.value || fall_absolute.value || rise_absolute.value;
}

std::vector<std::string> ChangeLimitOptions(bool absolute) {
  std::vector<std::string> names;
  for (const char* level : {"max", "warn"}) {
    for (const char* unit : {"percent", "absolute"}) {
      if (!absolute && std::string(unit) == "absolute") continue;
      for (const char* side : {"", "_decrease", "_increase"}) names.push_back(fmt::format("{}{}_{}", level, side, unit));
    }
  }
  names.push_back("per_day");
  return names;
}

Result<ChangeLimits> ReadChangeLimits(const CheckSpec& spec, bool absolute) {
  ChangeLimits limits;
  for (auto [name, level] : {std::pair{"max", &limits.error}, std::pair{"warn", &limits.warn}}) {
    SLUICE_RETURN_IF_ERROR(ReadUnit(spec, name, "percent", level->fall_percent, level->rise_percent));
    if (absolute) SLUICE_RETURN_IF_ERROR(ReadUnit(spec, name, "absolute", level->fall_absolute, level->rise_absolute));
  }
  if (const rapidjson::Value* per_day = json::Member(*spec.config, "per_day")) {
    if (!per_day->IsBool()) return ConfigProblem(spec, "per_day", "expected true or false");
    limits.per_day = per_day->GetBool();
  }
  SLUICE_RETURN_IF_ERROR(WarnBelowError(spec, limits.warn.fall_percent, limits.error.fall_percent));
  SLUICE_RETURN_IF_ERROR(WarnBelowError(spec, limits.warn.rise_percent, limits.error.rise_percent));
  SLUICE_RETURN_IF_ERROR(WarnBelowError(spec, limits.warn.fall_absolute, limits.error.fall_absolute));
  SLUICE_RETURN_IF_ERROR(WarnBelowError(spec, limits.warn.rise_absolute, limits.error.rise_absolute));
  return limits;
}

std::vector<std::string> LimitBreaches(const ChangeLevel& level, double before, double after, double days) {
  std::vector<std::string> breaches;
  const double change = after - before;
  if (change == 0) return breaches;
  const bool fell = change < 0;
  const double percent = before == 0 ? (fell ? -INFINITY : INFINITY) : 100.0 * change / std::fabs(before);
  const Limit& percent_limit = fell ? level.fall_percent : level.rise_percent;
  if (percent_limit.value && std::fabs(percent) > *percent_limit.value * days) {
    std::string moved = std::isinf(percent) ? "from 0" : fmt::format("{:+.1f}%", percent);
    bool symmetric = Symmetric(level.fall_percent, level.rise_percent);
    breaches.push_back(fmt::format("{}, limit {}", moved, LimitWord(percent_limit, symmetric, fell, days, "%")));
  }
  const Limit& absolute_limit = fell ? level.fall_absolute : level.rise_absolute;
  if (absolute_limit.value && std::fabs(change) > *absolute_limit.value * days) {
    bool symmetric = Symmetric(level.fall_absolute, level.rise_absolute);
    breaches.push_back(fmt::format("{}{}, limit {}", fell ? "" : "+", FormatNumber(change),
                                   LimitWord(absolute_limit, symmetric, fell, days, "")));
  }
  return breaches;
}

std::vector<std::string> LimitTexts(const ChangeLevel& level, double days) {
  std::vector<std::string> texts;
  for (std::string text : {UnitText(level.fall_percent, level.rise_percent, days, "%"),
                           UnitText(level.fall_absolute, level.rise_absolute, days, "")}) {
    if (!text.empty()) texts.push_back(std::move(text));
  }
  return texts;
}

double DaysBetweenEditions(bool per_day, std::optional<std::chrono::system_clock::time_point> previous,
                           std::chrono::system_clock::time_point now) {
  if (!per_day || !previous) return 1;
  double hours = std::chrono::duration<double, std::ratio<3600>>(now - *previous).count();
  return std::max(1.0, std::round(hours / 24));
}

}  // namespace sluice::checks
