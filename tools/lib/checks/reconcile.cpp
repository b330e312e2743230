// reconcile: an aggregate of this output's records must equal a stated figure, per group. The
// figure is a field of a record in another output (daily totals beside per-county rows, a
// parent's media_count beside its child rows), or of a summary record in this output singled
// out by "where" (a county "All" row), which is then left out of the aggregate.
//
// {"type": "reconcile", "aggregate": "sum", "field": "cases", "group_by": ["date"],
//  "against": {"output": "totals", "field": "total_cases", "key": ["date"]}, "tolerance": 0}
// {"type": "reconcile", "aggregate": "count", "group_by": ["parent_id"],
//  "against": {"output": "parents", "field": "media_count", "key": ["id"]}}
// {"type": "reconcile", "aggregate": "sum", "field": "cases", "group_by": ["date"],
//  "against": {"field": "cases", "where": {"county": "All"}}}
//
// Groups match when the group_by values equal against.key's (by position; key defaults to
// group_by). Every group on either side is compared: a group with no records aggregates to 0,
// a group with no counterpart record is a finding. Nulls in a summed field count as 0. A
// difference within "tolerance" (absolute) or "tolerance_percent" (of the stated figure) passes.
//
// The figure may also be a constant stated in the manifest, the same for every group:
// {"type": "reconcile", "aggregate": "sum", "field": "PERCENT", "group_by": ["COUNTY", "METRIC"],
//  "against": {"value": 100}, "tolerance": 0.5}
// (percentages that add up to 100 per group). This is reconcile rather than a check of its own
// because it is the same rule, "an aggregate per group equals a stated figure", with the same
// groups, tolerances and messages; only where the figure is written differs.
#include <cmath>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "checks/calendar.h"
#include "checks/families.h"
#include "json/json.h"

namespace sluice::checks {
namespace {

struct Against {
  std::optional<double> value;  // a constant stated in the manifest: no counterpart records
  std::string output;  // "" for this output
  FieldRef field;
  std::vector<FieldRef> key;
  std::vector<std::pair<FieldRef, rapidjson::Document>> where;
};

struct Location {
  std::uint64_t index = 0, line = 0, column = 0;
  bool known = false;
};

struct Group {
  double aggregate = 0;
  Location first;  // the first record of the group in this output
  std::optional<double> stated;
  Location stated_at;  // the counterpart record (located in this output only)
  std::uint64_t stated_records = 0;
  std::string stated_problem;  // the counterpart's field holds no number
};

class Reconcile : public Check {
 public:
  Reconcile(CheckSpec spec, bool sum, FieldRef field, std::vector<FieldRef> group_by, Against against,
            double tolerance, std::optional<double> tolerance_percent)
      : Check(std::move(spec)), sum_(sum), field_(std::move(field)), group_by_(std::move(group_by)),
        against_(std::move(against)), tolerance_(tolerance), tolerance_percent_(tolerance_percent) {
    bool other = !against_.output.empty();
    for (const auto& where : against_.where) Watch("against/where", where.first, other);
    if (sum_) Watch("field", field_);
    Watch("group_by", group_by_);
    // Read only on records that "where" picked: a "where" that picks none is reported as such.
    if (against_.where.empty() && !against_.value) {
      Watch("against/field", against_.field, other);
      Watch("against/key", against_.key, other);
    }
    // Against a constant, the whole output is one group even without records (a count of 0).
    if (against_.value && group_by_.empty()) groups_[""];
  }

  std::vector<std::string> other_outputs() const override {
    return against_.output.empty() ? std::vector<std::string>{} : std::vector<std::string>{against_.output};
  }
  void OnOther(const std::string& output, const records::Record& record) override {
    if (output == against_.output && Matches(record.value)) State(record, false);
  }
  void OnRecord(const records::Record& record) override;
  // The stated figure as summaries name it: "cases", "total_cases in totals", "100".
  std::string Stated() const {
    return against_.value ? FormatNumber(*against_.value) : against_.field.text() + Source();
  }
  CheckOutcome Finish() override;

 private:
  bool Matches(const rapidjson::Value& record) const;
  void State(const records::Record& record, bool located);
  std::optional<std::string> Problem(const std::string& key, const Group& group) const;
  Finding Locate(std::string message, const Group& group) const;
  std::string Aggregated() const { return sum_ ? "sum of " + field_.text() : "record count"; }
  bool Within(double difference, double stated) const {
    return std::fabs(difference) <= tolerance_ ||
           (tolerance_percent_ && std::fabs(difference) <= *tolerance_percent_ / 100 * std::fabs(stated));
  }
  std::string Source() const { return against_.output.empty() ? "" : " in " + against_.output; }

  bool sum_;
  FieldRef field_;
  std::vector<FieldRef> group_by_;
  Against against_;
  double tolerance_;
  std::optional<double> tolerance_percent_;
  std::map<std::string, Group> groups_;
  std::uint64_t ungrouped_ = 0;
};

bool Reconcile::Matches(const rapidjson::Value& record) const {
  for (const auto& [field, expected] : against_.where) {
    const rapidjson::Value* value = field.Find(record);
    if (value == nullptr || *value != expected) return false;
  }
  return true;
}

// A record that states the figure for its group.
void Reconcile::State(const records::Record& record, bool located) {
  auto key = against_.key.empty() ? std::optional<std::string>("") : KeyOf(record.value, against_.key);
  if (!key) return;
  Group& group = groups_[*key];
  if (++group.stated_records > 1) return;
  group.stated_at = Location{record.index, record.line, record.column, located};
  const rapidjson::Value* value = against_.field.Find(record.value);
  group.stated = NumberOf(value);
  if (!group.stated) group.stated_problem = fmt::format("{} is {}, not a number", against_.field.text(), Describe(value));
}

void Reconcile::OnRecord(const records::Record& record) {
  if (against_.output.empty() && !against_.value && Matches(record.value)) return State(record, true);
  auto key = group_by_.empty() ? std::optional<std::string>("") : KeyOf(record.value, group_by_);
  if (!key) {
    ++ungrouped_;
    return;
  }
  Group& group = groups_[*key];
  if (!group.first.known) group.first = Location{record.index, record.line, record.column, true};
  group.aggregate += sum_ ? NumberOf(field_.Find(record.value)).value_or(0) : 1;
}

std::optional<std::string> Reconcile::Problem(const std::string& key, const Group& group) const {
  std::string label = group_by_.empty() ? "" : DisplayKey(key) + ": ";
  if (against_.value) {
    double difference = group.aggregate - *against_.value;
    if (Within(difference, *against_.value)) return std::nullopt;
    return fmt::format("{}{} {} ≠ {} (off by {})", label, Aggregated(), FormatNumber(group.aggregate), Stated(),
                       FormatNumber(difference));
  }
  if (group.stated_records == 0) {
    return fmt::format("{}no record{} states {} for this group ({} {})", label, Source(), against_.field.text(),
                       Aggregated(), FormatNumber(group.aggregate));
  }
  if (group.stated_records > 1) {
    return fmt::format("{}{} records{} state {}; expected one", label, group.stated_records, Source(), against_.field.text());
  }
  if (!group.stated) return label + group.stated_problem;
  double difference = group.aggregate - *group.stated;
  if (Within(difference, *group.stated)) return std::nullopt;
  return fmt::format("{}{} {} ≠ {} {}{} (off by {})", label, Aggregated(), FormatNumber(group.aggregate),
                     against_.field.text(), FormatNumber(*group.stated), Source(), FormatNumber(difference));
}

// Points at the counterpart record when it is in this output, else at the group's first record.
Finding Reconcile::Locate(std::string message, const Group& group) const {
  if (group.stated_at.known) {
    const Location& at = group.stated_at;
    return Finding{std::move(message), at.line, at.column, against_.field.PointerIn(at.index)};
  }
  const Location& at = group.first;
  if (!at.known) return Finding{std::move(message), 0, 0, ""};
  std::string pointer = sum_ ? field_.PointerIn(at.index)
                             : (group_by_.empty() ? fmt::format("/{}", at.index) : group_by_.front().PointerIn(at.index));
  return Finding{std::move(message), at.line, at.column, std::move(pointer)};
}

CheckOutcome Reconcile::Finish() {
  CheckOutcome outcome = NewOutcome();
  for (const auto& [key, group] : groups_) {
    auto problem = Problem(key, group);
    if (!problem) continue;
    Fail(outcome, Locate(std::move(*problem), group));
  }
  std::string tolerance = tolerance_percent_ ? fmt::format("within {} or {}%", FormatNumber(tolerance_),
                                                          FormatNumber(*tolerance_percent_))
                          : tolerance_ > 0   ? fmt::format("within {}", FormatNumber(tolerance_))
                                             : "exactly";
  std::string what = fmt::format("the {} matches {} {}", Aggregated(), Stated(), tolerance);
  if (group_by_.empty()) {
    outcome.summary = outcome.passed ? what : outcome.examples.front().message;
  } else {
    outcome.summary = outcome.passed ? fmt::format("{} for all {} groups", what, groups_.size())
                                     : fmt::format("{} of {} groups fail: {}", outcome.failures, groups_.size(), what);
  }
  if (ungrouped_ > 0) outcome.summary += fmt::format(" ({} records without a group were left out)", ungrouped_);
  return outcome;
}

Result<Against> ReadAgainst(const CheckSpec& spec, const std::vector<std::string>& group_by) {
  const rapidjson::Value* object = json::Member(*spec.config, "against");
  if (object == nullptr || !object->IsObject()) {
    return ConfigProblem(spec, "against", "the reconcile check needs \"against\": {\"field\": ..., \"output\" or \"where\"}, or {\"value\": N}");
  }
  CheckSpec inner = spec;
  inner.pointer = spec.pointer + "/against";
  inner.config = object;
  Against against;
  if (const rapidjson::Value* value = json::Member(*object, "value")) {
    if (!value->IsNumber()) return ConfigProblem(inner, "value", fmt::format("expected a number, not {}", Describe(value)));
    for (const char* other : {"field", "output", "where", "key"}) {
      if (object->HasMember(other)) {
        return ConfigProblem(inner, other,
                             fmt::format("\"value\" states the figure itself, so \"{}\" does not go with it", other));
      }
    }
    against.value = value->GetDouble();
    return against;
  }
  auto field = RequiredString(inner, "field");
  if (!field.ok()) return field.status();
  against.field = FieldRef(*field);
  against.output = json::StringOr(*object, "output");
  auto key = StringList(inner, "key", false);
  if (!key.ok()) return key.status();
  for (const auto& name : key->empty() ? group_by : *key) against.key.emplace_back(name);
  if (against.key.size() != group_by.size()) {
    return ConfigProblem(inner, "key", fmt::format("needs as many fields as \"group_by\" ({})", group_by.size()));
  }
  if (const rapidjson::Value* where = json::Member(*object, "where")) {
    if (!where->IsObject() || where->MemberCount() == 0) return ConfigProblem(inner, "where", "expected {\"field\": value, ...}");
    for (const auto& member : where->GetObject()) {
      rapidjson::Document expected;
      expected.CopyFrom(member.value, expected.GetAllocator());
      against.where.emplace_back(FieldRef(member.name.GetString()), std::move(expected));
    }
  }
  if (against.output.empty() && against.where.empty()) {
    return ConfigProblem(inner, "output", "name another output, or pick this output's summary records with \"where\"");
  }
  return against;
}

}  // namespace

Result<std::unique_ptr<Check>> MakeReconcile(const CheckSpec& spec) {
  auto aggregate = RequiredString(spec, "aggregate");
  if (!aggregate.ok()) return aggregate.status();
  if (*aggregate != "sum" && *aggregate != "count") return ConfigProblem(spec, "aggregate", "expected \"sum\" or \"count\"");
  bool sum = *aggregate == "sum";
  auto field = sum ? RequiredString(spec, "field") : Result<std::string>(std::string());
  if (!field.ok()) return field.status();
  auto group_names = StringList(spec, "group_by", false);
  if (!group_names.ok()) return group_names.status();
  auto against = ReadAgainst(spec, *group_names);
  if (!against.ok()) return against.status();
  double tolerance = OptionalNumber(spec, "tolerance").value_or(0);
  auto tolerance_percent = OptionalNumber(spec, "tolerance_percent");
  if (tolerance < 0) return ConfigProblem(spec, "tolerance", "must not be negative");
  if (tolerance_percent && *tolerance_percent < 0) return ConfigProblem(spec, "tolerance_percent", "must not be negative");
  std::vector<FieldRef> group_by(group_names->begin(), group_names->end());
  return std::unique_ptr<Check>(std::make_unique<Reconcile>(spec, sum, FieldRef(*field), std::move(group_by),
                                                            std::move(*against), tolerance, tolerance_percent));
}

}  // namespace sluice::checks
