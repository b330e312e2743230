#include "pipeline/explain.h"

#include <fmt/format.h>

#include "json/json.h"

namespace sluice::pipeline {
namespace {

std::string Number(const rapidjson::Value& value) {
  if (value.IsInt64()) return std::to_string(value.GetInt64());
  if (value.IsNumber()) return fmt::format("{}", value.GetDouble());
  if (value.IsString()) return value.GetString();
  return json::Write(value);
}

// "cases", "date, county"; from "field", "fields" or `member`.
std::string Names(const rapidjson::Value& check, const char* member) {
  const rapidjson::Value* value = json::Member(check, member);
  if (value == nullptr) return "";
  if (value->IsString()) return fmt::format("`{}`", value->GetString());
  std::string out;
  if (value->IsArray()) {
    for (const auto& item : value->GetArray()) {
      if (item.IsString()) out += fmt::format("{}`{}`", out.empty() ? "" : ", ", item.GetString());
    }
  }
  return out;
}

std::string FieldsOf(const rapidjson::Value& check) {
  std::string fields = Names(check, "field");
  if (fields.empty()) fields = Names(check, "fields");
  return fields.empty() ? "the fields" : fields;
}

std::string Opt(const rapidjson::Value& check, const char* member) {
  const rapidjson::Value* value = json::Member(check, member);
  return value == nullptr ? "" : Number(*value);
}

// One unit of a level's limits, "25%", "1% down and 25% up", "1% down": a one-sided option
// (max_decrease_percent) overrides the two-sided one (max_percent) for its direction.
std::string Moves(const rapidjson::Value& check, const std::string& level, const std::string& unit, const char* suffix) {
  std::string both = Opt(check, (level + "_" + unit).c_str());
  std::string down = Opt(check, (level + "_decrease_" + unit).c_str());
  std::string up = Opt(check, (level + "_increase_" + unit).c_str());
  if (down.empty()) down = both;
  if (up.empty()) up = both;
  if (down == up) return down.empty() ? "" : down + suffix;
  if (down.empty()) return fmt::format("{}{} up", up, suffix);
  if (up.empty()) return fmt::format("{}{} down", down, suffix);
  return fmt::format("{}{} down and {}{} up", down, suffix, up, suffix);
}

// A level's limits ("max" or "warn"), percent then absolute: "25% or 10", "1% down".
std::string Limits(const rapidjson::Value& check, const std::string& level) {
  std::string p = Moves(check, level, "percent", "%"), a = Moves(check, level, "absolute", "");
  if (!p.empty() && !a.empty()) return fmt::format("{} or {}", p, a);
  return p.empty() ? a : p;
}

std::string What(const rapidjson::Value& check, const std::string& type, const std::string& schema) {
  if (type == "schema") {
    return schema.empty() ? "every record matches the source's JSON Schema"
                          : fmt::format("every record matches the JSON Schema `{}`", schema);
  }
  if (type == "row_count") {
    std::string min = Opt(check, "min"), max = Opt(check, "max");
    if (!min.empty() && !max.empty()) return fmt::format("between {} and {} records", min, max);
    if (!min.empty()) return fmt::format("at least {} record{}", min, min == "1" ? "" : "s");
    return fmt::format("at most {} records", max);
  }
  if (type == "row_count_change") {
    std::string limits = Limits(check, "max");
    std::string text = limits.empty() ? "the number of records is compared with the published version"
                                      : "the number of records differs from the published version by at most " + limits;
    std::string warn = Limits(check, "warn");
    if (!warn.empty()) text += fmt::format(" (a move past {} only warns)", warn);
    return text;
  }
  if (type == "value_change") {
    std::string text = fmt::format("{} of each record moves by at most {} from the published version", FieldsOf(check),
                                   Limits(check, "max"));
    std::string warn = Limits(check, "warn");
    if (!warn.empty()) text += fmt::format(" (a move past {} only warns)", warn);
    return text;
  }
  if (type == "not_null") return fmt::format("{} are never empty", FieldsOf(check));
  if (type == "range") {
    std::string min = Opt(check, "min"), max = Opt(check, "max");
    if (!min.empty() && !max.empty()) return fmt::format("{} lie between {} and {}", FieldsOf(check), min, max);
    if (!min.empty()) return fmt::format("{} are at least {}", FieldsOf(check), min);
    return fmt::format("{} are at most {}", FieldsOf(check), max);
  }
  if (type == "pattern") return fmt::format("{} match the pattern `{}`", FieldsOf(check), Opt(check, "pattern"));
  if (type == "enum") {
    const rapidjson::Value* values = json::Member(check, "values");
    return fmt::format("{} are one of {}", FieldsOf(check), values != nullptr ? json::Write(*values) : "the listed values");
  }
  if (type == "unique") {
    std::string key = Names(check, "key");
    if (key.empty()) key = Names(check, "fields");
    return fmt::format("no two records share {}", key.empty() ? "the source's key" : key);
  }
  if (type == "complete") {
    std::string groups = Names(check, "group_by");
    return fmt::format("every {} from the first {} to the last has data{}", Opt(check, "unit").empty() ? "day" : Opt(check, "unit"),
                       FieldsOf(check), groups.empty() ? "" : " for each " + groups);
  }
  if (type == "reconcile") {
    std::string groups = Names(check, "group_by");
    std::string tolerance = Opt(check, "tolerance_percent").empty() ? Opt(check, "tolerance")
                                                                     : Opt(check, "tolerance_percent") + "%";
    const rapidjson::Value* against = json::Member(check, "against");
    return fmt::format("the {} of {}{} agrees with {}{}", Opt(check, "aggregate"), FieldsOf(check),
                       groups.empty() ? "" : " per " + groups, against != nullptr ? "`" + json::Write(*against) + "`" : "its reference",
                       tolerance.empty() ? "" : " within " + tolerance);
  }
  if (type == "anomaly") {
    std::string field = Names(check, "field");
    return fmt::format("the {}{} is no outlier against the last {} versions ({}, threshold {})", Opt(check, "metric"),
                       field.empty() ? "" : " of " + field, Opt(check, "history").empty() ? "few" : Opt(check, "history"),
                       Opt(check, "method").empty() ? "mad" : Opt(check, "method"),
                       Opt(check, "threshold").empty() ? "default" : Opt(check, "threshold"));
  }
  if (type == "freshness") {
    return fmt::format("the newest {} is at most {} days old", FieldsOf(check), Opt(check, "max_age_days"));
  }
  return fmt::format("`{}` check: {}", type, json::Write(check));
}

std::string PeopleText(const Responders& responders) {
  std::string people;
  for (const auto& person : responders.people) people += (people.empty() ? "" : ", ") + ("@" + person.github);
  if (responders.rotate_every_days == 0) return people;
  return fmt::format("{} in turn{}, every {} days from {} at {}", people,
                     responders.together > 1 ? fmt::format(" ({} at a time)", responders.together) : "",
                     responders.rotate_every_days, responders.start, responders.handoff);
}

// notify.incident_issue: on (true or an object, with its labels and assignees) or off.
std::string IncidentIssueLine(const rapidjson::Value* notify) {
  const rapidjson::Value* issue = notify != nullptr ? json::Member(*notify, "incident_issue") : nullptr;
  bool on = issue != nullptr && (issue->IsObject() || (issue->IsBool() && issue->GetBool()));
  if (!on) {
    return "- Incident issue: off (`\"incident_issue\": true` in `notify` opens one GitHub issue per incident, label "
           "`sluice:incident`).\n";
  }
  auto list = [&](const char* name) {
    std::string out;
    const rapidjson::Value* items = issue->IsObject() ? json::Member(*issue, name) : nullptr;
    if (items == nullptr || !items->IsArray()) return out;
    for (const auto& item : items->GetArray()) {
      if (item.IsString()) out += fmt::format("{}`{}`", out.empty() ? "" : ", ", item.GetString());
    }
    return out;
  };
  const rapidjson::Value* on_call = issue->IsObject() ? json::Member(*issue, "assign_on_call") : nullptr;
  bool assign_on_call = on_call == nullptr || !on_call->IsBool() || on_call->GetBool();
  std::string labels = list("labels"), assignees = list("assignees");
  return fmt::format("- Incident issue: on: a failure opens one GitHub issue per incident (label `sluice:incident`{}{}{}); "
                     "a repeat failure comments on it, the next run that does its job comments and closes it (a production "
                     "incident, the next run that publishes); the Slack post links it. The notify step needs `issues: write` (runbooks/incident-response.md).\n",
                     labels.empty() ? "" : ", " + labels, assignees.empty() ? "" : ", assigned " + assignees,
                     assign_on_call ? (assignees.empty() ? ", assigned whoever is on call" : " and whoever is on call") : "");
}

// Who sluice-notify mentions on a failure, when (sluice-notify --who-is-on-call answers for a moment).
std::string OnCallText(const OnCall& oncall) {
  std::string md = fmt::format("- On call ({}, times in {}); failures mention whoever is on call, and say why:\n",
                               oncall.origin, oncall.time_zone);
  if (oncall.holiday_responders) {
    std::string dates;
    for (const auto& date : oncall.holidays) dates += (dates.empty() ? "" : ", ") + date;
    const Responders& holiday = *oncall.holiday_responders;
    std::string people;
    for (const auto& person : holiday.people) people += (people.empty() ? "" : ", ") + ("@" + person.github);
    md += fmt::format("  - holidays ({}): {}{}\n", dates, people,
                      holiday.people.size() > static_cast<std::size_t>(holiday.together)
                          ? fmt::format(", {} at a time, a turn per holiday", holiday.together)
                          : "");
  }
  if (oncall.business_hours) {
    std::string days;
    for (const auto& day : oncall.business_days) days += (days.empty() ? "" : ",") + day;
    md += fmt::format("  - business hours ({} {}-{}): {}\n", days, oncall.business_start, oncall.business_end,
                      PeopleText(*oncall.business_hours));
  }
  for (const auto& shift : oncall.shifts) {
    md += fmt::format("  - shift {}-{}: {}\n", shift.start, shift.end, PeopleText(shift.responders));
  }
  if (oncall.off_hours) md += fmt::format("  - off-hours: {}\n", PeopleText(*oncall.off_hours));
  return md;
}

std::string OwnerText(const std::optional<Owner>& owner) {
  if (!owner) return "none named";
  std::string text = owner->github.empty() ? "" : "@" + owner->github;
  if (!owner->slack.empty()) text += fmt::format("{}Slack `{}`", text.empty() ? "" : ", ", owner->slack);
  return text.empty() ? "none named" : text;
}

std::string SourceFrom(const Source& source) {
  if (!source.command.empty()) {
    std::string argv;
    for (const auto& arg : source.command) argv += (argv.empty() ? "" : " ") + arg;
    return fmt::format("command `{}`", argv);
  }
  return fmt::format("`{}`", source.url);
}

}  // namespace

std::string ExplainCheck(const rapidjson::Value& check, const std::string& schema_of_output) {
  std::string type = json::StringOr(check, "type");
  std::string output = json::StringOr(check, "output");
  std::string severity = json::StringOr(check, "severity", "error");
  std::string id = json::StringOr(check, "id");
  return fmt::format("{}{}{}: {} — {}", id.empty() ? "" : "`" + id + "` ", output.empty() ? "every output" : output,
                     id.empty() ? fmt::format(" ({})", type) : "", What(check, type, schema_of_output),
                     severity == "warn" ? "when it fails, auto-approval is withheld and the owners asked to review"
                                        : "when it fails, the data PR is not opened (exit 1)");
}

std::string ExplainPipeline(const Manifest& m) {
  std::string md = fmt::format("# Pipeline `{}`\n\n", m.name);
  md += (m.description.empty() ? "_No description in the manifest._" : m.description) + "\n\n";
  md += fmt::format("Manifest: `{}`. Generated by `sluice-validate --explain`; rerun it after the manifest changes.\n\n",
                    m.path.filename().generic_string().empty() ? "" : "pipelines/" + m.path.filename().generic_string());

  md += "## Sources\n\n| source | from | format | output | key | schema |\n|---|---|---|---|---|---|\n";
  for (const Source& s : m.sources) {
    std::string key;
    for (const auto& k : s.key) key += (key.empty() ? "" : ", ") + k;
    md += fmt::format("| {} | {} | {} | `{}` | {} | {} |\n", s.name, SourceFrom(s), DataFormatName(s.format), s.output,
                      key.empty() ? "—" : key, s.schema.empty() ? "—" : "`" + s.schema + "`");
  }

  md += "\n## Checks\n\n";
  const rapidjson::Value* checks = m.document ? json::Member(*m.document, "checks") : nullptr;
  if (checks == nullptr || !checks->IsArray() || checks->Empty()) {
    md += "No data-quality checks: only the sources' schemas are applied.\n";
  } else {
    for (const auto& check : checks->GetArray()) {
      std::string schema;
      for (const Source& s : m.sources) {
        if (s.name == json::StringOr(check, "output")) schema = s.schema;
      }
      md += "- " + ExplainCheck(check, schema) + "\n";
    }
  }

  md += "\n## People and review\n\n";
  md += fmt::format("- Primary owner: {}\n- Secondary owner: {}\n", OwnerText(m.primary_owner), OwnerText(m.secondary_owner));
  if (m.oncall) md += OnCallText(*m.oncall);
  md += m.review == "auto"
            ? "- Review: **auto**. A data PR whose checks pass without warnings is labelled `sluice:auto-approve` and "
              "merged by sluice-approve at the publish window; a warning asks the owners instead.\n"
            : "- Review: **manual**. The owners are asked to review every data PR; their approval (approve, do not merge) "
              "lets sluice-approve merge it at the publish window.\n";
  if (m.schedule) {
    std::string at, days, skip;
    for (const auto& t : m.schedule->at) at += (at.empty() ? "" : ", ") + t;
    for (const auto& d : m.schedule->days) days += (days.empty() ? "" : ", ") + d;
    for (const auto& d : m.schedule->skip_dates) skip += (skip.empty() ? "" : ", ") + d;
    md += fmt::format("- Runs: at {} {}, {}{}; a slot may run up to {} minutes late, once (the workflow's frequent "
                      "UTC cron asks `sluice-fetch --when-due`); a run started by hand is always due.\n",
                      at, m.schedule->timezone, days.empty() ? "every day" : days,
                      skip.empty() ? "" : ", not on " + skip, m.schedule->catch_up_minutes);
  } else {
    md += "- Runs: whenever its workflow runs (no schedule in the manifest).\n";
  }
  md += "- Stop it: add the label `sluice:hold` to the PR (remove it to resume); pause every pipeline with the "
        "repository variable `SLUICE_PAUSED=true`.\n";

  md += "\n## Publishing\n\n";
  if (m.window) {
    std::string days;
    for (const auto& d : m.window->days) days += (days.empty() ? "" : ", ") + d;
    md += fmt::format("- Window: {} {} for {} minutes, {}.\n", m.window->time, m.window->timezone, m.window->open_minutes,
                      days.empty() ? "every day" : days);
  } else {
    md += "- Window: none set: an eligible PR merges at the next pass.\n";
  }
  md += fmt::format("- Staging: {}{}\n", m.staging_target.empty() ? "none" : "`" + m.staging_target + "`",
                    m.staging_url.empty() ? "" : fmt::format(" (read at {})", m.staging_url));
  md += fmt::format("- Production: `{}`{}\n", m.production_target,
                    m.production_url.empty() ? "" : fmt::format(" (read at {})", m.production_url));
  md += m.sla_max_age_hours
            ? fmt::format("- SLA: production data is late when older than {} hours (the SLA watch, `sluice-notify --watch`, "
                          "tells the owners). In a public repository GitHub disables scheduled workflows after 60 days "
                          "without a person's activity, the watch's with the rest: to keep watching, run it from a "
                          "private repository or a scheduler outside this one.\n",
                          *m.sla_max_age_hours)
            : "- SLA: none set.\n";

  const rapidjson::Value* notify = m.document ? json::Member(*m.document, "notify") : nullptr;
  const rapidjson::Value* routes = notify != nullptr ? json::Member(*notify, "routes") : nullptr;
  md += "\n## Notifications\n\n";
  if (routes == nullptr || !routes->IsObject() || routes->MemberCount() == 0) {
    md += "No Slack routes: sluice-notify posts nothing for this pipeline.\n";
  } else {
    for (const auto& route : routes->GetObject()) {
      std::string where = json::StringOr(route.value, "channel");
      std::string hook = json::StringOr(route.value, "webhook_env");
      md += fmt::format("- {}: {}{}\n", route.name.GetString(), where.empty() ? "" : "channel `" + where + "`",
                        hook.empty() ? "" : fmt::format("{}webhook `${}`", where.empty() ? "" : ", ", hook));
    }
  }

  md += IncidentIssueLine(notify);

  md += "\n## When something fails\n\n";
  md += "- Severity: a failure is `production` (bad or stale data may be live: whoever is on call is mentioned at any "
        "hour, and the incident issue holds the rollback command) or `upstream` (fetch, validation, the PR or the "
        "approval stopped the chain, production untouched: with an on-call set-up, outside business hours nobody is "
        "paged unless `oncall.page_upstream` is `always`). Routes `failure_production` and `failure_upstream` come "
        "before `failure`.\n";
  if (!m.runbook.empty()) md += fmt::format("- This pipeline's own runbook: {}\n", m.runbook);
  md += "- Start with `runbooks/incident-response.md` (triage, severity, who responds, escalation).\n"
        "- By failure: `runbooks/fetch-failed.md`, `runbooks/validation-failed.md`, `runbooks/threshold-breached.md`, "
        "`runbooks/pr-failed.md`, `runbooks/approval-refused.md`, `runbooks/publish-failed.md`, `runbooks/rollback.md`, "
        "`runbooks/sla-missed.md`, `runbooks/pausing-and-resuming.md`, `runbooks/github-settings.md`.\n";
  return md;
}

}  // namespace sluice::pipeline
