// The pipeline manifest (pipelines/<name>.json): what every tool reads.
// Its schema is schemas/pipeline.schema.json; LoadManifest validates against it and reports
// each problem by JSON pointer, then checks what a schema cannot say (unique source names,
// output paths inside the workspace, ${ENV} references that resolve).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "core/env.h"
#include "core/status.h"
#include "json/pointer_pattern.h"

namespace sluice::pipeline {

enum class DataFormat { kJson, kNdjson, kCsv };
const char* DataFormatName(DataFormat format);
// The format a file's extension suggests (.csv; .ndjson or .jsonl; anything else json), case-insensitive.
DataFormat FormatFromExtension(const std::filesystem::path& path);
// A --format flag's value ("json", "ndjson", "csv"), or, when empty, the format of `path`'s
// extension: .json, .ndjson, .jsonl or .csv, else a UsageError asking for --format.
Result<DataFormat> FormatFromFlag(const std::string& flag, const std::filesystem::path& path);

struct Source {
  std::string name;
  std::string url;                   // http(s)://, file:///abs, or file:relative/to/workspace
  std::vector<std::string> command;  // argv, run without a shell; exclusive with url
  std::vector<std::pair<std::string, std::string>> headers;  // ${VAR} expanded, values masked
  DataFormat format = DataFormat::kJson;
  std::string output;  // path of the data file, relative to the workspace
  std::vector<std::string> key;              // record key fields (empty: none)
  std::string schema;                        // JSON Schema of the data, relative path ("" none)
  std::vector<std::string> volatile_fields;  // ignored when deciding whether anything changed
  std::optional<std::uint64_t> max_bytes;
  // The largest record (an NDJSON line, a CSV row, an element of a JSON array, a whole JSON
  // document) the readers hold; unset: records::kDefaultMaxRecordBytes.
  std::optional<std::uint64_t> max_record_bytes;
  // How deep objects and arrays may nest in a JSON or NDJSON record; unset:
  // json::kDefaultMaxDepth (512). sluice-validate and sluice-diff --max-depth override it.
  std::optional<std::size_t> max_depth;
  // Format json: where the records are inside the document ("records", records::ReadOptions).
  std::optional<json::PointerPattern> records;
  std::optional<int> timeout_seconds;
  std::optional<int> attempts;
};

struct Owner {
  std::string github;  // login
  std::string slack;   // member id, e.g. U012AB3CD, or a user group id, S0123ABCD
};

struct PublishWindow {
  std::string time;      // "HH:MM", local to `timezone`
  std::string timezone;  // IANA name, e.g. America/Los_Angeles
  std::vector<std::string> days;  // "mon".."sun"; empty: every day
  int open_minutes = 180;  // how long it stays open after `time`
};

// Who responds to a failure (manifest "oncall", inline or a shared file it names): read and
// checked by LoadManifest, answered by notify/oncall.h.
struct Responders {
  std::vector<Owner> people;  // in rotation order
  int rotate_every_days = 0;  // 0: all of them at once (a team)
  std::string start;          // local YYYY-MM-DD: the first person's first turn
  std::string handoff = "09:00";
  int together = 1;           // people per turn (2: a rotating pair)
};

struct Shift {
  std::string start;  // "HH:MM"; may be after `end` (runs past midnight)
  std::string end;
  Responders responders;
};

struct OnCall {
  std::string origin;     // where it was written, for messages: "oncall.json" or "pipelines/x.json: /oncall"
  std::string time_zone;  // IANA name
  std::vector<std::string> business_days = {"mon", "tue", "wed", "thu", "fri"};
  std::string business_start = "09:00";
  std::string business_end = "17:00";
  std::optional<Responders> business_hours;
  std::vector<Shift> shifts;
  std::optional<Responders> off_hours;
  std::vector<std::string> holidays;  // local YYYY-MM-DD, sorted
  std::optional<Responders> holiday_responders;
  bool page_upstream_always = false;  // "page_upstream": "always"; else only in business hours
};

// When the pipeline runs (manifest "schedule"), in local time (pipeline/schedule.h).
struct Schedule {
  std::vector<std::string> at;  // "HH:MM", local to `timezone`
  std::string timezone;         // IANA name
  std::vector<std::string> days;        // "mon".."sun"; empty: every day
  std::vector<std::string> skip_dates;  // local "YYYY-MM-DD" without a run
  int catch_up_minutes = 180;           // how late a slot may still run
};

struct Manifest {
  std::filesystem::path path;  // the file it was read from
  std::string display_path;    // as the command named it (what LoadManifest's own errors say)
  std::string name;
  std::string description;
  std::vector<Source> sources;
  std::string review = "manual";  // "auto" or "manual"
  std::optional<Owner> primary_owner;
  std::optional<Owner> secondary_owner;
  std::optional<OnCall> oncall;
  // owners.escalate_after_hours: an incident still open this long mentions the secondary owner,
  // once, in its thread; without it, the secondary is mentioned from the second failed run on.
  std::optional<double> escalate_after_hours;
  std::string staging_target;     // storage URL
  std::string production_target;  // storage URL
  std::string staging_url;        // where people read the staging copy ("" unknown)
  std::string production_url;     // where readers fetch production ("" unknown)
  std::string publish_verify;     // publish.verify: "hash", "read-back" or "" (sluice-publish's default)
  std::optional<PublishWindow> window;
  std::optional<Schedule> schedule;
  std::string runbook;  // path or URL
  std::optional<double> sla_max_age_hours;  // sla.max_age_hours: production data older than this is late
  // The whole validated document, for modules that read their own sections (checks, labels).
  std::shared_ptr<const rapidjson::Document> document;

  const Source* FindSource(std::string_view source_name) const;
};

// Reads, validates and resolves a manifest. `workspace` is the data repository's root: output
// paths and file: sources must stay inside it. Errors: ConfigError
// "<file>: <pointer>: <problem>", or "<file>:<line>:<col>: ..." for malformed JSON;
// UnsafeError for a path that escapes the workspace. A relative `file` is relative to
// `workspace` (errors name it as given; Manifest::path is the file actually read).
Result<Manifest> LoadManifest(const std::filesystem::path& file, const std::filesystem::path& workspace,
                              const Environment& env);

// Where a member of `source` is written, for messages: "pipelines/cases.json: /sources/0/output"
// (the manifest named as the command named it).
std::string SourcePointer(const Manifest& manifest, const Source& source, std::string_view member);

// Refuses the data file of `source` (named `shown` in the message) when it is larger than the
// source's max_bytes: sluice-fetch enforces the limit on the download, but the other tools read
// workspace files that may have come from anywhere. Only the size is looked at, before anything
// is read. InputError "<shown>: <size> bytes, more than the source's max_bytes ...", naming the
// manifest pointer. Ok when the source has no max_bytes or the file does not exist.
Status CheckMaxBytes(const Manifest& manifest, const Source& source, const std::filesystem::path& file,
                     const std::string& shown);

// The manifest's JSON Schema, compiled into the library from schemas/pipeline.schema.json.
const char* ManifestSchemaText();

}  // namespace sluice::pipeline
