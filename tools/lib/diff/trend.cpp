#include "diff/trend.h"

#include <cmath>
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "diff/passes.h"
#include "records/reader.h"

namespace sluice::diff {
namespace {

std::string DateLabel(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
  return text;
}

// Mermaid takes the text between quotes literally; a quote would end it.
std::string Quoted(std::string text) {
  std::erase_if(text, [](char c) { return c == '"' || c == '\n' || c == '`'; });
  return "\"" + text + "\"";
}

std::string Number(double value) {
  if (std::trunc(value) == value && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<long long>(value));
  return fmt::format("{:.6g}", value);
}

}  // namespace

std::optional<TrendConfig> TrendConfigOf(const rapidjson::Value& source) {
  if (!source.IsObject()) return std::nullopt;
  auto metrics = source.FindMember("metrics");
  if (metrics == source.MemberEnd() || !metrics->value.IsObject()) return std::nullopt;
  auto trend = metrics->value.FindMember("trend");
  if (trend == metrics->value.MemberEnd() || !trend->value.IsObject()) return std::nullopt;
  auto field = trend->value.FindMember("field");
  if (field == trend->value.MemberEnd() || !field->value.IsString()) return std::nullopt;
  TrendConfig config;
  config.field = field->value.GetString();
  auto history = trend->value.FindMember("history");
  if (history != trend->value.MemberEnd() && history->value.IsUint() && history->value.GetUint() > 0) {
    config.history = history->value.GetUint();
  }
  return config;
}

Status AddHistory(const git::Repository& repo, const std::string& revision, const std::string& path,
                  pipeline::DataFormat format, std::size_t history, Trend& trend,
                  const std::optional<json::PointerPattern>& records_at) {
  records::ReadOptions read;
  read.records = records_at;
  auto versions = repo.History(revision, path, history);
  if (!versions.ok()) return versions.status();
  std::vector<TrendPoint> points;
  std::set<std::string> labels;
  for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
    TrendPoint point;
    point.commit = it->commit;
    point.label = DateLabel(it->committed_at);
    // Two versions on one day need two labels, or the chart merges them.
    if (!labels.insert(point.label).second) point.label += " " + it->commit.substr(0, 7);
    SLUICE_RETURN_IF_ERROR(records::ReadRecordsFromString(
        it->content, fmt::format("{}@{}", path, it->commit.substr(0, 12)), format, read,
        [&](records::Record& r) {
          AddToTotal(r.value, trend.field, point.total);
          return Status::Ok();
        }));
    points.push_back(std::move(point));
  }
  trend.points.insert(trend.points.begin(), points.begin(), points.end());
  return Status::Ok();
}

std::string TrendMermaid(const Trend& trend) {
  std::string labels, values;
  for (const auto& p : trend.points) {
    labels += (labels.empty() ? "" : ", ") + Quoted(p.label);
    values += (values.empty() ? "" : ", ") + Number(p.total);
  }
  return fmt::format(
      "```mermaid\nxychart-beta\n  title {}\n  x-axis [{}]\n  y-axis {}\n  line [{}]\n```",
      Quoted(fmt::format("Total {} over the last {} version(s) and the new data", trend.field, trend.points.size() - 1)),
      labels, Quoted(trend.field), values);
}

}  // namespace sluice::diff
