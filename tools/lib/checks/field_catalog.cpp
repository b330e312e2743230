#include "checks/field_catalog.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/suggest.h"
#include "json/json.h"

namespace sluice::checks {
namespace {

constexpr std::size_t kMaxFields = 2000;
constexpr int kMaxDepth = 8;

std::string LastName(const std::string& field) {
  std::size_t slash = field.rfind('/');
  return slash == std::string::npos ? field : field.substr(slash + 1);
}

bool SameIgnoringCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

void FieldCatalog::Learn(const rapidjson::Value& record) {
  if (record.IsObject()) {
    for (const auto& member : record.GetObject()) {
      std::string name(member.name.GetString(), member.name.GetStringLength());
      if (std::find(top_level_.begin(), top_level_.end(), name) == top_level_.end()) top_level_.push_back(name);
    }
  }
  Walk(record, "", 0);
}

void FieldCatalog::Walk(const rapidjson::Value& value, const std::string& pointer, int depth) {
  if (depth > kMaxDepth || fields_.size() >= kMaxFields) return;
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      std::string token = json::EscapePointerToken(std::string(member.name.GetString(), member.name.GetStringLength()));
      // A top-level member is named as it is ("cases"), a nested one by its pointer.
      std::string child = pointer + "/" + token;
      fields_.insert(depth == 0 ? std::string(member.name.GetString(), member.name.GetStringLength()) : child);
      Walk(member.value, child, depth + 1);
    }
  } else if (value.IsArray() && !value.Empty()) {
    std::string child = pointer + "/0";
    if (depth > 0) fields_.insert(child);
    Walk(value[0], child, depth + 1);
  }
}

std::vector<std::string> FieldCatalog::Suggest(const std::string& wanted) const {
  std::vector<std::string> same_name;
  std::vector<std::string> all(fields_.begin(), fields_.end());
  std::string last = LastName(wanted);
  for (const std::string& field : all) {
    if (field != wanted && SameIgnoringCase(LastName(field), last)) same_name.push_back(field);
  }
  if (!same_name.empty()) {
    if (same_name.size() > 3) same_name.resize(3);
    return same_name;
  }
  std::vector<std::string> close = ClosestNames(wanted, all, 3);
  if (close.empty()) {
    std::vector<std::string> lasts;
    for (const std::string& field : all) lasts.push_back(LastName(field));
    for (const std::string& name : ClosestNames(last, lasts, 3)) {
      for (const std::string& field : all) {
        if (LastName(field) == name && std::find(close.begin(), close.end(), field) == close.end()) close.push_back(field);
      }
    }
    if (close.size() > 3) close.resize(3);
  }
  return close;
}

std::string FieldCatalog::Sample() const {
  std::string text;
  std::size_t shown = std::min<std::size_t>(top_level_.size(), 8);
  for (std::size_t i = 0; i < shown; ++i) text += (i ? ", " : "") + top_level_[i];
  if (top_level_.size() > shown) text += ", ...";
  return text;
}

void StreamSeen::Saw(const records::Record& record) {
  ++records;
  if (records <= 2 && !record.valueless) catalog.Learn(record.value);
}

Status CheckWatchedFields(const Check& check, const StreamSeen& own, const std::map<std::string, StreamSeen>& others) {
  const CheckSpec& spec = check.spec();
  for (const WatchedField& watched : check.watched_fields()) {
    if (watched.field->matched()) continue;
    const StreamSeen* seen = &own;
    std::string output = spec.output;
    if (watched.other_output) {
      auto other = check.other_outputs();
      if (other.empty() || others.count(other.front()) == 0) continue;
      output = other.front();
      seen = &others.at(output);
    }
    if (seen->records == 0) continue;  // nothing to look in: an empty file is row_count's business
    const std::string& field = watched.field->text();
    bool source_key = watched.option.find(' ') != std::string::npos;
    std::string problem = fmt::format("the {} check '{}' reads \"{}\"{}, {} ({} records{})", spec.type, spec.id,
                                      field, source_key ? " (the source's key)" : "",
                                      watched.field->is_pattern() ? "a pattern that matches no field of any record of " + output
                                                                  : "which no record of " + output + " has",
                                      seen->records,
                                      watched.other_output ? "" : ", new and committed versions");
    std::vector<std::string> close = seen->catalog.Suggest(field);
    if (!close.empty()) {
      problem += "; did you mean ";
      for (std::size_t i = 0; i < close.size(); ++i) {
        problem += (i == 0 ? "" : i + 1 == close.size() ? " or " : ", ") + ("\"" + close[i] + "\"");
      }
      problem += "?";
    } else if (!seen->catalog.empty()) {
      problem += "; the records have " + seen->catalog.Sample();
    }
    problem += " (a name is a top-level member or CSV column; deeper fields are JSON pointers such as /a/b)";
    std::string member = watched.option.substr(0, watched.option.find(' '));
    return ConfigProblem(spec, member, problem);
  }
  return Status::Ok();
}

}  // namespace sluice::checks
