#include "checks/options.h"

#include <algorithm>
#include <cstddef>

#include <fmt/format.h>

#include "core/suggest.h"
#include "json/json.h"

namespace sluice::checks {
namespace {

struct TypeOptions {
  std::string type;
  std::vector<std::string> options;
};

struct SubOptions {
  std::string type;
  std::string option;
  std::vector<std::string> members;
};

// What each family reads (tools/lib/checks/<family>.cpp, through RequiredString,
// OptionalNumber, StringList or json::Member), in the order docs/checks.md lists them. "schema"
// entries are read by the engine (engine.cpp, SchemaEntry), which takes only the common members.
const std::vector<TypeOptions>& Table() {
  static const std::vector<TypeOptions> table = {
      {"schema", {}},
      {"row_count", {"min", "max"}},
      {"row_count_change",
       {"max_percent", "max_decrease_percent", "max_increase_percent", "warn_percent", "warn_decrease_percent",
        "warn_increase_percent", "per_day"}},
      {"value_change",
       {"field", "fields", "key", "max_percent", "max_absolute", "warn_percent", "warn_absolute", "max_decrease_percent",
        "max_increase_percent", "max_decrease_absolute", "max_increase_absolute", "warn_decrease_percent",
        "warn_increase_percent", "warn_decrease_absolute", "warn_increase_absolute", "per_day", "monotonic",
        "stale_after"}},
      {"not_null", {"field", "fields"}},
      {"range", {"field", "fields", "min", "max"}},
      {"pattern", {"field", "fields", "pattern"}},
      {"enum", {"field", "fields", "values"}},
      {"unique", {"key", "fields"}},
      {"complete", {"field", "unit", "group_by", "from", "to"}},
      {"reconcile", {"aggregate", "field", "group_by", "against", "tolerance", "tolerance_percent"}},
      {"anomaly", {"metric", "field", "history", "method", "threshold", "min_history"}},
      {"freshness", {"field", "max_age_days", "max_future_days"}},
  };
  return table;
}

// Options whose value is an object of options of its own. ("where" inside "against" maps field
// names to values, so its members are the data's names, not options.)
const std::vector<SubOptions>& SubTable() {
  static const std::vector<SubOptions> table = {
      {"reconcile", "against", {"output", "field", "key", "where", "value"}},
  };
  return table;
}

const std::vector<std::string>& Empty() {
  static const std::vector<std::string> empty;
  return empty;
}

const TypeOptions* Find(std::string_view type) {
  for (const auto& entry : Table()) {
    if (entry.type == type) return &entry;
  }
  return nullptr;
}

// "did you mean" for an unknown member: the closest spelling (core/suggest.h), else a known
// name that begins with it or that it begins with ("max" for "max_percent", "minimum" for
// "min"), at least 3 characters long.
std::string Suggestion(std::string_view name, const std::vector<std::string>& accepted) {
  std::vector<std::string> closest = ClosestNames(name, accepted, 1);
  if (!closest.empty()) return closest.front();
  for (const auto& known : accepted) {
    std::size_t shorter = std::min(name.size(), known.size());
    if (shorter >= 3 && name.substr(0, shorter) == std::string_view(known).substr(0, shorter)) return known;
  }
  return "";
}

bool Known(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The sentence for a member `name` that `accepted` does not hold; `what` is "the row_count
// check" or "\"against\" in the reconcile check".
std::string Refusal(std::string_view name, const std::string& what, const std::vector<std::string>& accepted) {
  std::string closest = Suggestion(name, accepted);
  if (!closest.empty()) {
    return fmt::format("\"{}\" is not an option of {}; did you mean \"{}\"? (docs/checks.md lists them)", name, what,
                       closest);
  }
  return fmt::format("\"{}\" is not an option of {}, which takes {} (docs/checks.md lists them)", name, what,
                     fmt::join(accepted, ", "));
}

// The members of an object-valued option such as reconcile's "against". A value of another
// type is left to the family, which says what it expected.
Status CheckSubOptions(const CheckSpec& spec, const std::string& option, const rapidjson::Value& value) {
  const std::vector<std::string>& members = KnownSubOptions(spec.type, option);
  if (members.empty() || !value.IsObject()) return Status::Ok();
  for (const auto& member : value.GetObject()) {
    std::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (Known(members, name)) continue;
    std::string what = fmt::format("\"{}\" in the {} check", option, spec.type);
    return ConfigProblem(spec, json::EscapePointerToken(option) + "/" + json::EscapePointerToken(name),
                         Refusal(name, what, members));
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& CommonOptions() {
  static const std::vector<std::string> common = {"type", "severity", "output", "id"};
  return common;
}

const std::vector<std::string>& KnownCheckTypes() {
  static const std::vector<std::string> types = [] {
    std::vector<std::string> names;
    for (const auto& entry : Table()) names.push_back(entry.type);
    return names;
  }();
  return types;
}

const std::vector<std::string>& KnownOptions(std::string_view type) {
  const TypeOptions* entry = Find(type);
  return entry == nullptr ? Empty() : entry->options;
}

const std::vector<std::string>& KnownSubOptions(std::string_view type, std::string_view option) {
  for (const auto& entry : SubTable()) {
    if (entry.type == type && entry.option == option) return entry.members;
  }
  return Empty();
}

Status CheckKnownOptions(const CheckSpec& spec) {
  if (spec.config == nullptr || !spec.config->IsObject()) return Status::Ok();
  const TypeOptions* entry = Find(spec.type);
  if (entry == nullptr) return Status::Ok();
  // The type's own options first: they are the likelier meant, and a tie goes to the first.
  std::vector<std::string> accepted = entry->options;
  accepted.insert(accepted.end(), CommonOptions().begin(), CommonOptions().end());
  // Every check of records may read them elsewhere in the document; the schema check reads
  // the source's records (engine.cpp, RunOutput).
  if (spec.type != "schema") accepted.emplace_back("records");
  for (const auto& member : spec.config->GetObject()) {
    std::string name(member.name.GetString(), member.name.GetStringLength());
    if (Known(accepted, name)) {
      SLUICE_RETURN_IF_ERROR(CheckSubOptions(spec, name, member.value));
      continue;
    }
    return ConfigProblem(spec, json::EscapePointerToken(name),
                         Refusal(name, fmt::format("the {} check", spec.type), accepted));
  }
  return Status::Ok();
}

}  // namespace sluice::checks
