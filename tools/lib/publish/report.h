// What a sluice-publish run did, for people (terminal, step summary), machines (--json) and the
// chain (outputs uploaded, deleted, unchanged, manifest, dry-run).
#pragma once

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

#include "actions_io/actions_io.h"
#include "core/status.h"
#include "publish/command_line.h"

namespace sluice::publish {

std::string ReportText(const PublishRun& run);
std::string ReportJson(const PublishRun& run);
std::string ReportMarkdown(const PublishRun& run);
Status PublishToActions(const PublishRun& run, actions::ActionsIo& io);
// A run that failed or was refused still says so in the step summary.
Status PublishFailure(const PublishRun& run, const Status& failure, actions::ActionsIo& io);

// "uploading 12/40 files" redrawn on one terminal line (at most 5 times a second, and the
// last one always), cleared by Finish; silent when not enabled (not a TTY, --json).
class UploadProgressLine {
 public:
  UploadProgressLine(std::ostream& out, bool enabled) : out_(out), enabled_(enabled) {}
  void Update(std::size_t done, std::size_t total);
  void Finish();

 private:
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace sluice::publish
