// sluice-publish's options, and running them: the manifest form
// (`sluice-publish pipelines/x.json --target staging|production [--ref REV]`) and the ad-hoc
// form (`sluice-publish --from DIR|--ref REV --to URL [PATH...]`).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/env.h"
#include "pipeline/run_record.h"
#include "publish/publisher.h"

namespace sluice::publish {

struct CommandLine {
  std::vector<std::string> positional;  // manifest form: the manifest; ad hoc with --ref: paths of the commit
  std::string target;                   // staging | production
  std::string ref;
  std::string from;
  std::string to;
  std::string workspace;
  std::string cache_control = "public, max-age=300";
  int lock_minutes = 60;
  int parallel = 8;
  std::string read_url;
  std::string verify;  // "hash" | "read-back"; "" the manifest's publish.verify, else "hash"
  bool dry_run = false;
  bool yes = false;
  bool delete_removed = false;
  bool break_lock = false;
};

void AddPublishOptions(CLI::App& app, CommandLine& cli);

struct PublishRun {
  std::string pipeline;
  std::string target_name;     // "staging", "production", or "" ad hoc
  std::string dry_run_reason;  // why this run only planned ("" when it wrote, or --dry-run was given)
  Result<PublishReport> report;
};

// `progress`, when set, is told of each finished upload (the tool draws it on a terminal).
PublishRun RunFromCommandLine(const CommandLine& cli, const Environment& env, storage::PutProgress progress = nullptr);

pipeline::RunRecord RunRecordFor(const PublishRun& run, int exit_code, std::chrono::system_clock::time_point started);

}  // namespace sluice::publish
