#include "diff/command_line.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/fs.h"
#include "diff/trend.h"
#include "git/repository.h"
#include "json/json.h"
#include "pipeline/manifest.h"

namespace sluice::diff {
namespace {

namespace fs = std::filesystem;

Result<DiffReport> RunAdHoc(const CommandLine& cli) {
  FileRequest request;
  fs::path old_file = cli.targets[0], new_file = cli.targets[1];
  for (const auto& file : {old_file, new_file}) {
    if (!fs::is_regular_file(file)) return InputError(fmt::format("{}: no such file", file.string()));
  }
  auto format = pipeline::FormatFromFlag(cli.format, new_file);
  if (!format.ok()) return format.status();
  request.format = *format;
  request.display_path = new_file.string();
  request.old_side = DataInput::File(old_file);
  request.new_side = DataInput::File(new_file);
  request.key = cli.key;
  request.ignored = cli.ignore;
  if (cli.max_depth > 0) request.max_depth = cli.max_depth;
  if (cli.records) {
    auto pattern = json::ParsePointerPattern(*cli.records);
    if (!pattern.ok()) return UsageError(fmt::format("--records '{}': {}", *cli.records, pattern.status().message()));
    request.records = std::move(pattern).value();
  }
  auto diff = DiffFile(request);
  if (!diff.ok()) return diff.status();
  DiffReport report;
  report.files.push_back(std::move(*diff));
  return report;
}

std::optional<TrendConfig> TrendFor(const CommandLine& cli, const pipeline::Manifest& manifest, std::size_t source_index) {
  if (!cli.trend_field.empty()) return TrendConfig{cli.trend_field, cli.trend_history};
  if (!manifest.document) return std::nullopt;
  const rapidjson::Value* sources = json::Member(*manifest.document, "sources");
  if (sources == nullptr || !sources->IsArray() || source_index >= sources->Size()) return std::nullopt;
  return TrendConfigOf((*sources)[static_cast<rapidjson::SizeType>(source_index)]);
}

// One output: the working tree's file against its committed version at --against.
Result<FileDiff> DiffOutput(const CommandLine& cli, const pipeline::Manifest& manifest, std::size_t index,
                            const git::Repository& repo, const fs::path& workspace) {
  const pipeline::Source& source = manifest.sources[index];
  auto file = ConfinePath(workspace, source.output);
  if (!file.ok()) return file.status();
  if (!fs::is_regular_file(*file)) {
    return InputError(fmt::format("{}: the output of source {} does not exist ({}); run sluice-fetch first",
                                  source.output, source.name, pipeline::SourcePointer(manifest, source, "output")));
  }
  SLUICE_RETURN_IF_ERROR(pipeline::CheckMaxBytes(manifest, source, *file, source.output));
  std::string in_repo = fs::relative(*file, repo.workdir()).generic_string();
  auto committed = repo.ReadFileAt(cli.against, in_repo);
  if (!committed.ok()) return committed.status();
  FileRequest request;
  request.name = source.name;
  request.display_path = source.output;
  request.format = source.format;
  request.key = cli.key.empty() ? source.key : cli.key;
  request.ignored = source.volatile_fields;
  request.ignored.insert(request.ignored.end(), cli.ignore.begin(), cli.ignore.end());
  std::string origin = fmt::format("{}@{}", source.output, cli.against);
  request.old_side = committed->has_value() ? DataInput::Bytes(std::move(**committed), origin) : DataInput::Missing(origin);
  request.new_side = DataInput::File(*file, source.output);
  if (source.max_record_bytes) request.max_record_bytes = *source.max_record_bytes;
  if (source.max_depth) request.max_depth = *source.max_depth;
  if (cli.max_depth > 0) request.max_depth = cli.max_depth;
  request.records = source.records;
  auto trend = TrendFor(cli, manifest, index);
  if (trend) request.trend_field = trend->field;
  auto diff = DiffFile(request);
  if (!diff.ok()) return diff.status();
  if (trend && diff->trend) SLUICE_RETURN_IF_ERROR(AddHistory(repo, cli.against, in_repo, source.format, trend->history, *diff->trend,
                                                        source.records));
  return diff;
}

Result<DiffReport> RunManifest(const CommandLine& cli, const pipeline::Manifest& manifest, const fs::path& workspace) {
  for (const auto& name : cli.outputs) {
    if (manifest.FindSource(name) == nullptr) return UsageError(fmt::format("--output {}: the pipeline has no such source", name));
  }
  auto repo = git::Repository::Discover(workspace);
  if (!repo.ok()) return repo.status();
  DiffReport report;
  report.pipeline = manifest.name;
  report.against = cli.against;
  for (std::size_t i = 0; i < manifest.sources.size(); ++i) {
    const auto& name = manifest.sources[i].name;
    if (!cli.outputs.empty() && std::find(cli.outputs.begin(), cli.outputs.end(), name) == cli.outputs.end()) continue;
    auto diff = DiffOutput(cli, manifest, i, *repo, workspace);
    if (!diff.ok()) return diff.status();
    report.files.push_back(std::move(*diff));
  }
  return report;
}

}  // namespace

void AddDiffOptions(CLI::App& app, CommandLine& cli) {
  app.add_option("target", cli.targets, "A pipeline manifest (relative to the workspace), or two data files OLD NEW")
      ->required()
      ->expected(1, 2);
  app.add_option("--against", cli.against, "Git revision holding the previous version of each output")->capture_default_str();
  app.add_option("--workspace", cli.workspace, "Data repository root (default: $GITHUB_WORKSPACE, else the current directory)");
  app.add_option("--key", cli.key, "Record key fields, comma-separated (overrides the manifest's); without one, rows are "
                                   "compared as a multiset")
      ->delimiter(',')
      ->allow_extra_args(false);  // else "--key k OLD NEW" would take OLD and NEW as key fields
  app.add_option("--ignore", cli.ignore, "A field whose changes do not count (like a source's volatile fields); repeatable")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--output", cli.outputs, "Diff only this output (source name); repeatable")->allow_extra_args(false);
  app.add_option("--format", cli.format, "Ad hoc: json, ndjson or csv (default: from NEW's extension)");
  app.add_option("--records", cli.records,
                 "Ad hoc: where the records are inside a JSON document, a JSON pointer that may hold named wildcards "
                 "(/data/time_series/{series}/VALUES); both sides are read so");
  app.add_option("--trend", cli.trend_field, "Chart this field's total over the output's git history (overrides the "
                                             "source's metrics.trend.field)");
  app.add_option("--trend-history", cli.trend_history, "Versions in the trend chart")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--markdown", cli.markdown_file, "Also write the PR-body Markdown to this file");
  app.add_flag("--exit-code", cli.exit_code, "Exit 1 when the data changed (as git diff --exit-code)");
  app.add_option("--max-depth", cli.max_depth,
                 "How deep objects and arrays may nest in a record (default: each source's max_depth, else 512); "
                 "deeper is exit 2 with its line and column")
      ->check(CLI::Range(1, 100000));
}

DiffRun RunFromCommandLine(const CommandLine& cli, const Environment& env) {
  if (cli.targets.size() == 2) return DiffRun{"", RunAdHoc(cli)};
  fs::path workspace = fs::absolute(cli.workspace.empty() ? env.GetOr("GITHUB_WORKSPACE", ".") : cli.workspace);
  auto manifest = pipeline::LoadManifest(cli.targets[0], workspace, env);
  if (!manifest.ok()) return DiffRun{"", manifest.status()};
  return DiffRun{manifest->name, RunManifest(cli, *manifest, workspace)};
}

int ExitCodeFor(const DiffReport& report, const CommandLine& cli) {
  return cli.exit_code && report.changed() ? kExitNo : kExitOk;
}

pipeline::RunRecord RunRecordFor(const DiffRun& run, int exit_code, std::chrono::system_clock::time_point started) {
  pipeline::RunRecord record =
      pipeline::NewRunRecord("sluice-diff", run.pipeline, run.report.status(), exit_code, started);
  if (!run.report.ok()) return record;
  const DiffReport& report = *run.report;
  record.status = report.changed() ? "success" : "unchanged";
  record.message = report.changed() ? fmt::format("{} file(s) changed: +{} -{} ~{} rows", report.files_changed(),
                                                  report.added(), report.removed(), report.modified())
                   : report.order_only() ? "no change in the data (order only)"
                                         : "no change in the data";
  std::int64_t before = 0, after = 0;
  for (const auto& f : report.files) before += static_cast<std::int64_t>(f.rows_before), after += static_cast<std::int64_t>(f.rows_after);
  record.counts = {{"files", static_cast<std::int64_t>(report.files.size())},
                   {"files_changed", static_cast<std::int64_t>(report.files_changed())},
                   {"added", static_cast<std::int64_t>(report.added())},
                   {"removed", static_cast<std::int64_t>(report.removed())},
                   {"modified", static_cast<std::int64_t>(report.modified())},
                   {"rows_before", before},
                   {"rows_after", after}};
  return record;
}

}  // namespace sluice::diff
