#include "publish/command_line.h"

#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "git/repository.h"
#include "pipeline/manifest.h"
#include "storage/backend.h"

namespace sluice::publish {
namespace {

namespace fs = std::filesystem;

struct Resolved {
  std::string target_url;
  std::string read_url;  // the manifest's staging_url / production_url ("" none)
  std::string verify;    // the manifest's publish.verify ("" none)
  std::vector<std::string> paths;  // of the commit; empty = the whole tree
};

Result<Resolved> FromManifest(const CommandLine& cli, const fs::path& workspace, const Environment& env, PublishRun& run,
                              PublishOptions& options) {
  if (cli.positional.size() != 1) {
    return UsageError("name one pipeline manifest (sluice-publish pipelines/<name>.json --target staging|production), "
                      "or publish ad hoc with --to URL");
  }
  if (cli.target != "staging" && cli.target != "production") {
    return UsageError("--target staging|production is required with a pipeline manifest");
  }
  if (!cli.from.empty()) return UsageError("--from is for ad-hoc publishing (with --to); a pipeline publishes its outputs");
  auto manifest = pipeline::LoadManifest(cli.positional[0], workspace, env);
  if (!manifest.ok()) return manifest.status();
  run.pipeline = manifest->name;
  options.pipeline = manifest->name;
  Resolved resolved;
  resolved.target_url = cli.target == "staging" ? manifest->staging_target : manifest->production_target;
  if (resolved.target_url.empty()) {
    return ConfigError(fmt::format("{}: /publish/{}: the pipeline names no {} target", cli.positional[0], cli.target,
                                   cli.target));
  }
  for (const auto& source : manifest->sources) resolved.paths.push_back(source.output);
  resolved.read_url = cli.target == "staging" ? manifest->staging_url : manifest->production_url;
  resolved.verify = manifest->publish_verify;
  return resolved;
}

Result<PublishReport> Run(const CommandLine& cli, const Environment& env, PublishRun& run, storage::PutProgress progress) {
  fs::path workspace = fs::absolute(cli.workspace.empty() ? env.GetOr("GITHUB_WORKSPACE", ".") : cli.workspace)
                           .lexically_normal();
  PublishOptions options;
  options.run_url = pipeline::RunUrl(env);
  options.dry_run = cli.dry_run;
  options.delete_removed = cli.delete_removed;
  options.break_lock = cli.break_lock;
  options.cache_control = cli.cache_control;
  options.lock_duration = std::chrono::minutes(cli.lock_minutes);
  options.parallel = cli.parallel;
  options.read_url = cli.read_url;
  options.on_upload_progress = std::move(progress);
  options.pause_file = env.GetOr("SLUICE_PUBLISH_PAUSE_FILE", "");
  if (auto fail = env.Get("SLUICE_PUBLISH_FAIL_AFTER")) options.fail_after_uploads = std::atoi(fail->c_str());

  Resolved resolved;
  if (cli.to.empty()) {
    auto from_manifest = FromManifest(cli, workspace, env, run, options);
    if (!from_manifest.ok()) return from_manifest.status();
    resolved = std::move(from_manifest).value();
    run.target_name = cli.target;
    if (options.read_url.empty()) options.read_url = resolved.read_url;
  } else {
    if (!cli.target.empty()) return UsageError("--target names a pipeline's target; with --to, give no --target");
    if (!cli.from.empty() && (!cli.ref.empty() || !cli.positional.empty())) {
      return UsageError("--from DIR publishes a directory: give no --ref and no paths with it");
    }
    resolved.target_url = cli.to;
    resolved.paths = cli.positional;
  }
  const std::string verify = !cli.verify.empty() ? cli.verify : resolved.verify;
  if (verify == "read-back") options.verification = storage::Verification::kReadBack;

  auto url = storage::ParseStorageUrl(resolved.target_url, workspace);
  if (!url.ok()) return url.status();
  auto backend = storage::OpenBackend(*url, env);
  if (!backend.ok()) return backend.status();

  // Outside CI, production is planned, not written, unless the person says --yes.
  const bool in_ci = env.Get("CI").has_value() || env.Get("GITHUB_ACTIONS").has_value();
  if (run.target_name == "production" && !in_ci && !cli.yes && !cli.dry_run) {
    options.dry_run = true;
    run.dry_run_reason = "production outside CI: this is a dry run; add --yes to publish";
  }

  // Declared first, so that it outlives the source: the source's bytes are its blobs.
  std::optional<git::Repository> repository;
  Result<PublishSource> source = InternalError("no source");
  if (!cli.from.empty()) {
    source = FilesFromDirectory(fs::absolute(cli.from).lexically_normal());
  } else {
    auto discovered = git::Repository::Discover(workspace);
    if (!discovered.ok()) return discovered.status();
    repository.emplace(std::move(discovered).value());
    source = FilesFromCommit(*repository, cli.ref.empty() ? "HEAD" : cli.ref, resolved.paths);
  }
  if (!source.ok()) return source.status();
  return Publish(**backend, *source, options);
}

}  // namespace

void AddPublishOptions(CLI::App& app, CommandLine& cli) {
  app.add_option("manifest", cli.positional, "A pipeline manifest (pipelines/<name>.json); ad hoc with --to and --ref, "
                                             "the files and folders of the commit to publish (default: all)");
  app.add_option("--target", cli.target, "With a manifest: which of its publish targets")
      ->check(CLI::IsMember({"staging", "production"}));
  CLI::Option* ref = app.add_option("--ref", cli.ref, "The commit to publish, any git revision (default: HEAD). An older one rolls back");
  app.add_option("--from", cli.from, "Ad hoc: publish the files of this directory instead of a commit");
  app.add_option("--to", cli.to, "Ad hoc: the storage URL (az://account/container/prefix, s3://bucket/prefix, "
                                 "gs://bucket/prefix, file:///dir)");
  app.add_option("--workspace", cli.workspace, "The data repository's root (default: $GITHUB_WORKSPACE, else the "
                                               "current directory)");
  app.add_option("--cache-control", cli.cache_control, "Cache-Control of the data files")->capture_default_str();
  app.add_option("--lock-minutes", cli.lock_minutes, "How long this run's claim on the target lasts if it dies")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--parallel", cli.parallel, "Uploads at once (small files; blocks of a large one)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--read-url", cli.read_url, "Where readers fetch the target's files (public or CDN base URL): each "
                                             "uploaded file is read back through it and its sha256 compared before "
                                             "the manifest is written (default: confirmed as --verify says)");
  app.add_option("--verify", cli.verify, "How each upload is confirmed without --read-url: hash (the store checks the "
                                         "Content-MD5 sent and gives it back in its answer; an answer without it is "
                                         "read back) or read-back (every file read back whole). Default: the "
                                         "manifest's publish.verify, else hash")
      ->check(CLI::IsMember({"hash", "read-back"}));
  app.add_flag("--dry-run", cli.dry_run, "List what would change; write nothing");
  app.add_flag("--yes", cli.yes, "Write to production from outside CI (otherwise a dry run there)");
  app.add_flag("--delete-removed", cli.delete_removed, "Delete files that left the set, after the new manifest is written");
  app.add_flag("--break-lock", cli.break_lock, "Take over the target from a publish that died holding it");
  app.get_option("--from")->excludes(ref);
}

PublishRun RunFromCommandLine(const CommandLine& cli, const Environment& env, storage::PutProgress progress) {
  PublishRun run{"", "", "", InternalError("not run")};
  run.report = Run(cli, env, run, std::move(progress));
  return run;
}

pipeline::RunRecord RunRecordFor(const PublishRun& run, int exit_code, std::chrono::system_clock::time_point started) {
  pipeline::RunRecord record = pipeline::NewRunRecord("sluice-publish", run.pipeline, run.report.status(), exit_code, started);
  record.target = run.target_name;  // "" for an ad-hoc --to
  if (!run.report.ok()) {
    // A publish that failed midway may have left production with part of a set; staging is not what readers see.
    if (run.target_name == "production") record.severity = "production";
    if (run.target_name == "staging") record.severity = "upstream";
    return record;
  }
  const PublishReport& report = *run.report;
  const bool wrote = report.manifest_written || report.uploaded > 0;
  record.status = report.dry_run ? "skipped" : wrote ? "success" : "unchanged";
  record.message = report.dry_run ? "dry run: nothing written"
                   : wrote ? fmt::format("published {} to {}", report.origin, report.target)
                           : "the target already holds this set";
  record.counts = {{"uploaded", static_cast<std::int64_t>(report.uploaded)},
                   {"unchanged", static_cast<std::int64_t>(report.unchanged())},
                   {"deleted", static_cast<std::int64_t>(report.deleted.size())},
                   {"bytes", static_cast<std::int64_t>(report.bytes_uploaded)}};
  return record;
}

}  // namespace sluice::publish
