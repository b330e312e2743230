#include "checks/engine.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <map>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include <simdjson.h>

#include "checks/field_catalog.h"
#include "checks/options.h"
#include "checks/place_findings.h"
#include "checks/schema_check.h"
#include "core/fs.h"
#include "core/ordered_workers.h"
#include "git/repository.h"
#include "json/json.h"
#include "records/parallel_nested.h"

namespace sluice::checks {
namespace {

namespace fs = std::filesystem;
using CheckList = std::vector<std::unique_ptr<Check>>;

// Where the committed versions of an output come from.
struct PreviousSource {
  std::optional<std::string> content;  // the previous version, if there is one
  std::string label;                   // "HEAD:data/cases.csv"
  std::function<Result<std::vector<git::FileVersion>>(std::size_t)> history;  // may be empty
};

struct OutputJob {
  const pipeline::Manifest* manifest = nullptr;  // null ad hoc
  const pipeline::Source* source = nullptr;
  fs::path data;
  std::string display_path;
  records::ReadOptions read_options;
  CheckList checks;
  PreviousSource previous;
  StreamSeen seen;                              // this output: committed versions and new data
  std::map<std::string, StreamSeen> others_seen;  // other outputs its checks read
};

Status Stream(const std::string& bytes, const std::string& origin, const OutputJob& job,
              const std::function<void(const records::Record&)>& visit) {
  return records::ReadRecordsFromString(bytes, origin, job.source->format, job.read_options,
                                        [&](records::Record& r) {
                                          visit(r);
                                          return Status::Ok();
                                        });
}

Status FeedPrevious(OutputJob& job) {
  bool wanted = std::any_of(job.checks.begin(), job.checks.end(), [](const auto& c) { return c->wants_previous(); });
  if (!wanted) return Status::Ok();
  if (!job.previous.content) {
    for (auto& check : job.checks) check->OnNoPrevious();
    return Status::Ok();
  }
  return Stream(*job.previous.content, job.previous.label, job, [&](const records::Record& r) {
    job.seen.Saw(r);
    for (auto& check : job.checks) if (check->wants_previous()) check->OnPrevious(r);
  });
}

Status FeedHistory(OutputJob& job) {
  std::size_t depth = 0;
  for (const auto& check : job.checks) depth = std::max(depth, check->history_depth());
  if (depth == 0 || !job.previous.history) return Status::Ok();
  auto versions = job.previous.history(depth);
  if (!versions.ok()) return versions.status();
  for (std::size_t v = 0; v < versions->size(); ++v) {
    const auto& version = (*versions)[v];
    HistoricVersion meta{version.commit, version.committed_at};
    std::string origin = fmt::format("{}@{}", job.display_path, version.commit.substr(0, 12));
    for (auto& check : job.checks) if (v < check->history_depth()) check->OnHistoryVersion(v, meta);
    SLUICE_RETURN_IF_ERROR(Stream(version.content, origin, job, [&](const records::Record& r) {
      job.seen.Saw(r);
      for (auto& check : job.checks) if (v < check->history_depth()) check->OnHistory(v, meta, r);
    }));
  }
  return Status::Ok();
}

// Before the file is read: that it exists (a missing one names the manifest's pointer too) and
// the source's max_bytes (pipeline::CheckMaxBytes).
Status CheckSize(const OutputJob& job) {
  if (job.manifest == nullptr) return Status::Ok();
  if (!fs::exists(job.data)) {
    return InputError(fmt::format("{}: no such file (the output of source {}, {}); run sluice-fetch first, or fix the path",
                                  job.display_path, job.source->name,
                                  pipeline::SourcePointer(*job.manifest, *job.source, "output")));
  }
  return pipeline::CheckMaxBytes(*job.manifest, *job.source, job.data, job.display_path);
}

Status FeedOthers(OutputJob& job, const std::vector<OutputJob>& all) {
  for (auto& check : job.checks) {
    for (const auto& name : check->other_outputs()) {
      auto other = std::find_if(all.begin(), all.end(), [&](const OutputJob& j) { return j.source->name == name; });
      if (other == all.end()) return ConfigError(fmt::format("check '{}' reads output '{}', which the pipeline does not have",
                                                             check->spec().id, name));
      StreamSeen& seen = job.others_seen[name] = StreamSeen();
      SLUICE_RETURN_IF_ERROR(CheckSize(*other));
      SLUICE_RETURN_IF_ERROR(records::ReadRecords(other->data, other->source->format, other->read_options,
                                                  [&](records::Record& r) {
                                                    seen.Saw(r);
                                                    check->OnOther(name, r);
                                                    return Status::Ok();
                                                  }));
    }
  }
  return Status::Ok();
}

// NDJSON blocks handed to the worker threads. In the fast lane 1 MiB: each hand-off wakes a
// thread, and a quarter as many as with 256 KiB took a tenth off the system time. Otherwise
// 256 KiB: a block's records are kept as values until delivered, and five blocks in flight of
// 1 MiB each took the memory of the benchmark's manifest run from 22 MiB to 51 MiB.
constexpr std::size_t kFastLaneBlockBytes = 1 << 20;
constexpr std::size_t kNdjsonBlockBytes = 256 << 10;

// The fast lane for an output's records: the verdict of its one preparing check, when that
// check has one and no check reads the values of records that pass it; else none.
// SLUICE_FAST_LANE=off turns the lane off: every record then takes the ordinary path (for
// comparing the two, or ruling the lane out when a result looks wrong).
records::FastVerdict FastVerdictOf(const CheckList& checks) {
  if (const char* lane = std::getenv("SLUICE_FAST_LANE"); lane != nullptr && std::string_view(lane) == "off") return {};
  if (std::count_if(checks.begin(), checks.end(), [](const auto& check) { return check->prepares_records(); }) != 1) return {};
  // The schema's verdict first (it also refuses a record that repeats a key), then each check
  // that reads values and judges records one by one (not_null, range, pattern, enum); any other
  // check that reads values keeps every record on the ordinary path.
  std::vector<records::FastVerdict> verdicts;
  for (const auto& check : checks) {
    if (check->prepares_records()) {
      records::FastVerdict verdict = check->fast_verdict();
      if (!verdict) return {};
      verdicts.insert(verdicts.begin(), std::move(verdict));
    } else if (check->reads_values()) {
      records::FastVerdict verdict = check->fast_pass();
      if (!verdict) return {};
      verdicts.push_back(std::move(verdict));
    }
  }
  if (verdicts.size() == 1) return verdicts.front();
  return [verdicts = std::move(verdicts)](const simdjson::dom::element& record) {
    return std::all_of(verdicts.begin(), verdicts.end(), [&](const records::FastVerdict& v) { return v(record); });
  };
}

// The read of the new data: with the values its checks want from beside the records (stated
// ranges), each handed to the check that asked. The previous versions are read without them.
Result<records::ReadOptions> WithCaptures(OutputJob& job) {
  records::ReadOptions read = job.read_options;
  std::vector<std::pair<Check*, std::size_t>> owner;  // per capture: its check, and its index there
  for (auto& check : job.checks) {
    auto wanted = check->captures();
    if (!wanted.empty() && !read.records) {
      return ConfigError(fmt::format("{}: {}: check '{}' reads values beside the records ({}), but the records of '{}' "
                                     "are not inside a document: give the source a \"records\" pointer",
                                     check->spec().manifest_path, check->spec().pointer, check->spec().id,
                                     wanted.front().text, job.source->name));
    }
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      read.captures.push_back(std::move(wanted[i]));
      owner.emplace_back(check.get(), i);
    }
  }
  if (owner.empty()) return read;
  read.on_capture = [owner](const records::CapturedValue& found) {
    owner[found.capture].first->OnCaptured(owner[found.capture].second, found);
    return Status::Ok();
  };
  return read;
}

// One read of an output's records (the source's, or a check's own "records") past its checks.
// `watch_fields`: a field no record has is a configuration error (off for self-tests, whose
// stubs may remove a field on purpose).
Result<OutputReport> RunRead(OutputJob& job, const std::vector<OutputJob>& all, bool watch_fields) {
  SLUICE_RETURN_IF_ERROR(CheckSize(job));
  SLUICE_RETURN_IF_ERROR(FeedPrevious(job));
  SLUICE_RETURN_IF_ERROR(FeedHistory(job));
  SLUICE_RETURN_IF_ERROR(FeedOthers(job, all));
  OutputReport report;
  report.name = job.source->name;
  report.path = job.display_path;
  report.previous = job.previous.content ? job.previous.label : "";
  auto visit = [&](records::Record& r) {
    ++report.records;
    job.seen.Saw(r);
    for (auto& check : job.checks) check->OnRecord(r);
    return Status::Ok();
  };
  // NDJSON splits into lines, so it is read (and its records prepared) on every core.
  const std::size_t threads = WorkerThreads();
  const bool prepares =
      std::any_of(job.checks.begin(), job.checks.end(), [](const auto& check) { return check->prepares_records(); });
  records::FastVerdict verdict = FastVerdictOf(job.checks);
  // Records inside a document are found on this thread and parsed on the others, with the fast
  // lane; one thread, or the lane off, reads them on this thread alone (the two can be compared).
  const bool nested_in_parallel =
      job.source->format == pipeline::DataFormat::kJson && job.read_options.records && prepares && threads > 1 && verdict;
  // A JSON array is the same read with the root as the records pointer: its elements are found on
  // this thread and parsed on the others (records::StartsWithArray).
  const bool array_in_parallel = job.source->format == pipeline::DataFormat::kJson && !job.read_options.records &&
                                 prepares && threads > 1 && verdict && records::StartsWithArray(job.data);
  auto prepare = [&job](records::Record& r) {
    for (const auto& check : job.checks) {
      if (check->prepares_records()) check->PrepareRecord(r);
    }
  };
  records::FastLane fast{std::move(verdict), [&](std::uint64_t first, std::uint64_t count) {
                           report.records += count;
                           job.seen.records += count;
                           for (auto& check : job.checks) check->OnPassedRecords(first, count);
                           return Status::Ok();
                         }};
  if (job.source->format == pipeline::DataFormat::kNdjson && prepares && (threads > 1 || fast.verdict)) {
    SLUICE_RETURN_IF_ERROR(
        // One thread (SLUICE_THREADS=1): no workers, the fast lane on this thread.
        records::ReadNdjsonInParallel(job.data, job.read_options, threads > 1 ? threads : 0, prepare, visit,
                                      fast.verdict ? kFastLaneBlockBytes : kNdjsonBlockBytes, fast));
  } else {
    auto read = WithCaptures(job);
    if (!read.ok()) return read.status();
    if (nested_in_parallel && read->captures.empty()) {
      SLUICE_RETURN_IF_ERROR(
          records::ReadNestedInParallel(job.data, *read, threads, prepare, visit, kFastLaneBlockBytes, fast));
    } else if (array_in_parallel && read->captures.empty()) {
      records::ReadOptions root = *read;
      root.records = json::PointerPattern{};  // "": the document's root, an array
      SLUICE_RETURN_IF_ERROR(
          records::ReadNestedInParallel(job.data, root, threads, prepare, visit, kFastLaneBlockBytes, fast));
    } else {
      SLUICE_RETURN_IF_ERROR(records::ReadRecords(job.data, job.source->format, *read, visit));
    }
  }
  for (const auto& check : job.checks) {
    if (watch_fields) SLUICE_RETURN_IF_ERROR(CheckWatchedFields(*check, job.seen, job.others_seen));
  }
  for (auto& check : job.checks) report.checks.push_back(check->Finish());
  // Records inside a document keep their own places: a finding's pointer counts records, and
  // the document holds no array of them to place it in.
  if (job.source->format == pipeline::DataFormat::kJson && !job.read_options.records) {
    SLUICE_RETURN_IF_ERROR(PlaceFindings(job.data, report));
  }
  return report;
}

// A job reading the same data as `job` with the records pointer `records` instead of the source's.
OutputJob ReadingInside(const OutputJob& job, const json::PointerPattern& records) {
  OutputJob read;
  read.manifest = job.manifest;
  read.source = job.source;
  read.data = job.data;
  read.display_path = job.display_path;
  read.read_options = job.read_options;
  read.read_options.records = records;
  read.previous = job.previous;
  return read;
}

// The checks with a "records" pointer of their own read the file (and its previous versions)
// once more per pointer, checks naming the same pointer sharing the read; the report lists
// every check in the manifest's order, and counts the source's records.
Result<OutputReport> RunOutput(OutputJob& job, const std::vector<OutputJob>& all, bool watch_fields = true) {
  std::vector<OutputJob> reads;
  std::vector<std::pair<std::size_t, std::size_t>> places;  // per check: its read (0: the source's), its index there
  CheckList own;
  for (auto& check : job.checks) {
    const std::optional<json::PointerPattern>& records = check->spec().records;
    if (!records) {
      places.emplace_back(0, own.size());
      own.push_back(std::move(check));
      continue;
    }
    auto read = std::find_if(reads.begin(), reads.end(),
                             [&](const OutputJob& r) { return r.read_options.records->text == records->text; });
    if (read == reads.end()) read = reads.insert(reads.end(), ReadingInside(job, *records));
    places.emplace_back(1 + static_cast<std::size_t>(read - reads.begin()), read->checks.size());
    read->checks.push_back(std::move(check));
  }
  job.checks = std::move(own);
  auto report = RunRead(job, all, watch_fields);
  if (!report.ok() || reads.empty()) return report;
  std::vector<OutputReport> inside;
  for (auto& read : reads) {
    auto found = RunRead(read, all, watch_fields);
    if (!found.ok()) return found.status();
    inside.push_back(std::move(found).value());
  }
  std::vector<CheckOutcome> ordered;
  for (const auto& [read, index] : places) {
    ordered.push_back(std::move(read == 0 ? report->checks[index] : inside[read - 1].checks[index]));
  }
  report->checks = std::move(ordered);
  return report;
}

// A check's own "records" (CheckSpec::records): a pointer pattern into a JSON document.
Status ReadCheckRecords(CheckSpec& spec, const pipeline::Source& source) {
  const rapidjson::Value* value = json::Member(*spec.config, "records");
  if (value == nullptr) return Status::Ok();
  if (!value->IsString()) {
    return ConfigProblem(spec, "records", "a JSON pointer to the records inside the document, as \"/data/counties\"");
  }
  auto pattern = json::ParsePointerPattern(std::string_view(value->GetString(), value->GetStringLength()));
  if (!pattern.ok()) return ConfigProblem(spec, "records", pattern.status().message());
  if (source.format != pipeline::DataFormat::kJson) {
    return ConfigProblem(spec, "records", fmt::format("records inside a document need format json; source {} is {}",
                                                      source.name, pipeline::DataFormatName(source.format)));
  }
  spec.records = std::move(pattern).value();
  return Status::Ok();
}

// Loads the output's data schema (if any) as a check, and its CSV typing.
Status AddSchemaCheck(OutputJob& job, const fs::path& schema_file, const std::string& display, CheckSpec spec) {
  auto schema = json::ParseFile(schema_file);
  if (!schema.ok()) return schema.status();
  if (job.source->format == pipeline::DataFormat::kCsv) {
    const rapidjson::Value& record_schema =
        RecordSchemaPointer(*schema).empty() ? static_cast<const rapidjson::Value&>(*schema) : (*schema)["items"];
    job.read_options.csv_typing = records::CsvTypingFromSchema(record_schema);
  }
  auto check = MakeSchemaCheck(spec, *schema, display);
  if (!check.ok()) return check.status();
  job.checks.push_back(std::move(check).value());
  return Status::Ok();
}

std::string DefaultId(const std::string& output, const std::string& type, int occurrence) {
  return occurrence == 0 ? fmt::format("{}.{}", output, type) : fmt::format("{}.{}.{}", output, type, occurrence + 1);
}

// The manifest's path as people wrote it: relative to the workspace when inside it.
std::string ManifestDisplayPath(const pipeline::Manifest& manifest) {
  fs::path normal = manifest.path.lexically_normal();
  std::error_code ec;
  fs::path relative = fs::relative(normal, fs::current_path(ec), ec);
  return !ec && !relative.empty() && *relative.begin() != ".." ? relative.string() : normal.string();
}

// The manifest's {"type": "schema"} entry for `output`, which may set the schema check's id and
// severity; nullptr when there is none.
const rapidjson::Value* SchemaEntry(const pipeline::Manifest& manifest, const std::string& output) {
  const rapidjson::Value* checks = json::Member(*manifest.document, "checks");
  if (checks == nullptr || !checks->IsArray()) return nullptr;
  std::string only = manifest.sources.size() == 1 ? manifest.sources[0].name : "";
  for (const auto& config : checks->GetArray()) {
    if (json::StringOr(config, "type") == "schema" && json::StringOr(config, "output", only) == output) return &config;
  }
  return nullptr;
}

// The configured checks for `job` (the manifest's "checks", or ad hoc --checks), in order,
// ids made unique.
Status AddConfiguredChecks(OutputJob& job, const std::vector<CheckConfig>& configs, const std::string& default_output,
                           std::set<std::string>& ids) {
  std::map<std::string, int> occurrences;  // checks without an id of their own, by type
  std::string schema_entry;                 // the pointer of this output's schema entry, once seen
  for (const CheckConfig& entry : configs) {
    const rapidjson::Value& config = *entry.config;
    if (!config.IsObject()) return ConfigError(fmt::format("{}: {}: a check is a JSON object", entry.origin, entry.pointer));
    std::string output = json::StringOr(config, "output", default_output);
    if (entry.single_output) output = job.source->name;
    if (output.empty()) {  // several sources and none named: the check would run on nothing
      return ConfigError(fmt::format("{}: {}/output: the pipeline has several sources; name the one this {} check "
                                     "reads", entry.origin, entry.pointer, json::StringOr(config, "type")));
    }
    if (output != job.source->name) continue;
    CheckSpec spec;
    spec.type = json::StringOr(config, "type");
    spec.output = output;
    spec.severity = json::StringOr(config, "severity", "error") == "warn" ? Severity::kWarn : Severity::kError;
    spec.pointer = entry.pointer;
    spec.config = &config;
    spec.key = job.source->key;
    spec.manifest_path = entry.origin;
    // Run by AddSchemaCheck, from the source's "schema"; its entry may set only id and severity.
    // A second entry would be ignored (SchemaEntry reads the first), so it is refused: an output
    // has one schema, its source's "schema" file.
    if (spec.type == "schema") {
      SLUICE_RETURN_IF_ERROR(CheckKnownOptions(spec));
      if (!schema_entry.empty()) {
        return ConfigError(fmt::format("{}: {}: a second schema entry for output '{}' (the first is {}); an output has "
                                       "one schema, its source's \"schema\" file: give its id and severity in one entry",
                                       entry.origin, entry.pointer, output, schema_entry));
      }
      schema_entry = entry.pointer;
      continue;
    }
    // Only checks without an id of their own are numbered: an explicit id never shifts the
    // default ids of the checks after it.
    const rapidjson::Value* own_id = json::Member(config, "id");
    spec.id = own_id != nullptr && own_id->IsString() ? std::string(own_id->GetString(), own_id->GetStringLength())
                                                      : DefaultId(output, spec.type, occurrences[spec.type]++);
    if (!ids.insert(spec.id).second) {
      return ConfigError(fmt::format("{}: {}/id: the check id '{}' is used twice", spec.manifest_path, spec.pointer, spec.id));
    }
    SLUICE_RETURN_IF_ERROR(ReadCheckRecords(spec, *job.source));
    auto check = MakeCheck(spec);
    if (!check.ok()) return check.status();
    job.checks.push_back(std::move(check).value());
  }
  return Status::Ok();
}

std::vector<CheckConfig> ManifestChecks(const pipeline::Manifest& manifest) {
  std::vector<CheckConfig> configs;
  const rapidjson::Value* checks = json::Member(*manifest.document, "checks");
  if (checks == nullptr || !checks->IsArray()) return configs;
  std::string origin = ManifestDisplayPath(manifest);
  for (rapidjson::SizeType i = 0; i < checks->Size(); ++i) {
    configs.push_back(CheckConfig{&(*checks)[i], origin, fmt::format("/checks/{}", i), false});
  }
  return configs;
}

PreviousSource GitPrevious(const std::shared_ptr<git::Repository>& repo, const std::string& revision,
                           const std::string& repo_path) {
  PreviousSource previous;
  previous.label = fmt::format("{}:{}", revision, repo_path);
  if (!repo) return previous;
  auto content = repo->ReadFileAt(revision, repo_path);
  if (content.ok()) previous.content = std::move(content).value();
  previous.history = [repo, revision, repo_path](std::size_t depth) { return repo->History(revision, repo_path, depth); };
  return previous;
}

void ApplyOverrides(ValidationReport& report, const std::vector<std::string>& allow) {
  for (auto& output : report.outputs) {
    for (auto& check : output.checks) {
      if (!check.passed && std::find(allow.begin(), allow.end(), check.id) != allow.end()) check.overridden = true;
    }
  }
  report.allowed = allow;
}

}  // namespace

int ValidationReport::errors() const {
  int n = 0;
  for (const auto& o : outputs)
    for (const auto& c : o.checks) n += !c.passed && !c.overridden && c.severity == Severity::kError;
  return n;
}

int ValidationReport::warnings() const {
  int n = 0;
  for (const auto& o : outputs)
    for (const auto& c : o.checks) n += !c.passed && (c.overridden || c.severity == Severity::kWarn);
  return n;
}

int ValidationReport::passed() const {
  int n = 0;
  for (const auto& o : outputs)
    for (const auto& c : o.checks) n += c.passed && !c.skipped;
  return n;
}

int ValidationReport::skipped() const {
  int n = 0;
  for (const auto& o : outputs)
    for (const auto& c : o.checks) n += c.skipped;
  return n;
}

namespace {

// How a source's records are read: its limits, or the command line's nesting limit.
void ApplyLimits(const pipeline::Source& source, const ValidateOptions& options, records::ReadOptions& read) {
  if (source.max_record_bytes) read.max_record_bytes = *source.max_record_bytes;
  if (source.max_depth) read.max_depth = *source.max_depth;
  if (options.max_depth) read.max_depth = *options.max_depth;
  read.records = source.records;
}

// A job for `source` reading `data`, with the schema check and the manifest's checks.
Result<OutputJob> PrepareJob(const pipeline::Manifest& manifest, const pipeline::Source& source,
                             const ValidateOptions& options, std::set<std::string>& ids, const fs::path& data) {
  OutputJob job;
  job.manifest = &manifest;
  job.source = &source;
  job.data = data;
  job.display_path = source.output;
  ApplyLimits(source, options, job.read_options);
  if (options.schema && !source.schema.empty()) {
    auto schema_file = ConfinePath(options.workspace, source.schema);
    if (!schema_file.ok()) return schema_file.status();
    CheckSpec spec{DefaultId(source.name, "schema", 0), "schema", source.name, Severity::kError, "", nullptr,
                   source.key, ManifestDisplayPath(manifest), std::nullopt};
    if (const rapidjson::Value* entry = SchemaEntry(manifest, source.name)) {
      spec.id = json::StringOr(*entry, "id", spec.id);
      spec.severity = json::StringOr(*entry, "severity", "error") == "warn" ? Severity::kWarn : Severity::kError;
    }
    ids.insert(spec.id);
    if (!fs::exists(*schema_file)) {
      return ConfigError(fmt::format("{}: {} does not exist (the data schema of source {})",
                                     pipeline::SourcePointer(manifest, source, "schema"), source.schema, source.name));
    }
    SLUICE_RETURN_IF_ERROR(AddSchemaCheck(job, *schema_file, source.schema, spec));
  }
  SLUICE_RETURN_IF_ERROR(
      AddConfiguredChecks(job, ManifestChecks(manifest), manifest.sources.size() == 1 ? manifest.sources[0].name : "", ids));
  return job;
}

// The repository holding the workspace and the revision the previous versions come from;
// null when there is none (not a repository, or no commits yet).
Result<std::shared_ptr<git::Repository>> OpenPrevious(const ValidateOptions& options) {
  auto found = git::Repository::Discover(options.workspace);
  if (!found.ok()) return std::shared_ptr<git::Repository>();
  auto repo = std::make_shared<git::Repository>(std::move(found).value());
  if (repo->ResolveCommit(options.previous_revision).ok()) return repo;
  if (options.previous_revision != "HEAD") {
    return UsageError(fmt::format("--previous {}: no such revision in {}", options.previous_revision,
                                  repo->workdir().string()));
  }
  return std::shared_ptr<git::Repository>();  // a repository without commits yet: every output is new
}

}  // namespace

Result<ValidationReport> ValidatePipeline(const pipeline::Manifest& manifest, const ValidateOptions& options) {
  auto repo = OpenPrevious(options);
  if (!repo.ok()) return repo.status();
  std::vector<OutputJob> jobs;
  std::set<std::string> ids;
  for (const auto& source : manifest.sources) {
    const auto& only = options.only_outputs;
    if (!only.empty() && std::find(only.begin(), only.end(), source.name) == only.end()) continue;
    auto data = ConfinePath(options.workspace, source.output);
    if (!data.ok()) return data.status();
    auto job = PrepareJob(manifest, source, options, ids, *data);
    if (!job.ok()) return job.status();
    std::string repo_path =
        *repo ? fs::relative(job->data, fs::weakly_canonical((*repo)->workdir())).generic_string() : source.output;
    job->previous = GitPrevious(*repo, options.previous_revision, repo_path);
    jobs.push_back(std::move(job).value());
  }
  for (const auto& id : options.allow) {
    if (ids.count(id) == 0) return UsageError(fmt::format("--allow {}: the pipeline has no check with that id", id));
  }
  ValidationReport report;
  report.pipeline = manifest.name;
  for (auto& job : jobs) {
    auto output = RunOutput(job, jobs);
    if (!output.ok()) return output.status();
    report.outputs.push_back(std::move(output).value());
  }
  ApplyOverrides(report, options.allow);
  return report;
}

Result<OutputReport> ValidateAsOutput(const pipeline::Manifest& manifest, const pipeline::Source& source,
                                      const fs::path& data, const ValidateOptions& options,
                                      std::optional<std::string> previous) {
  std::set<std::string> ids;
  auto job = PrepareJob(manifest, source, options, ids, data);
  if (!job.ok()) return job.status();
  job->display_path = data.string();
  job->previous.content = std::move(previous);
  job->previous.label = source.output + " (last good)";
  // Checks that reconcile against another output read that output's current file.
  std::vector<OutputJob> others;
  for (const auto& other : manifest.sources) {
    if (&other == &source) continue;
    auto other_data = ConfinePath(options.workspace, other.output);
    if (!other_data.ok()) return other_data.status();
    OutputJob other_job;
    other_job.manifest = &manifest;
    other_job.source = &other;
    other_job.data = *other_data;
    other_job.display_path = other.output;
    ApplyLimits(other, options, other_job.read_options);
    others.push_back(std::move(other_job));
  }
  return RunOutput(*job, others, /*watch_fields=*/false);
}

Result<ValidationReport> ValidateFile(const AdHocValidation& request) {
  pipeline::Source source;
  source.name = request.data.stem().string();
  source.output = request.data.string();
  source.format = request.format;
  source.key = request.key;
  OutputJob job;
  job.source = &source;
  job.data = request.data;
  job.display_path = request.data.string();
  job.read_options.max_depth = request.max_depth;
  job.read_options.records = request.records;
  std::set<std::string> ids;
  if (!request.schema.empty()) {
    CheckSpec spec{source.name + ".schema", "schema", source.name, Severity::kError, "", nullptr, request.key, "", std::nullopt};
    ids.insert(spec.id);
    SLUICE_RETURN_IF_ERROR(AddSchemaCheck(job, request.schema, request.schema.string(), spec));
  }
  SLUICE_RETURN_IF_ERROR(AddConfiguredChecks(job, request.checks, source.name, ids));
  for (const auto& id : request.allow) {
    if (ids.count(id) == 0) return UsageError(fmt::format("--allow {}: no check with that id ran", id));
  }
  if (request.previous) {
    auto content = ReadFile(*request.previous);
    if (!content.ok()) return content.status();
    job.previous.content = std::move(content).value();
    job.previous.label = request.previous->string();
  }
  std::vector<OutputJob> none;
  auto output = RunOutput(job, none);
  if (!output.ok()) return output.status();
  ValidationReport report;
  report.outputs.push_back(std::move(output).value());
  ApplyOverrides(report, request.allow);
  return report;
}

}  // namespace sluice::checks
