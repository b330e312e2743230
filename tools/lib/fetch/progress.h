// A progress line on a terminal for large downloads; silent when stderr is not a terminal.
#pragma once

#include <chrono>
#include <iosfwd>
#include <mutex>
#include <string>

#include "http/client.h"

namespace sluice::fetch {

class ProgressLine {
 public:
  ProgressLine(std::ostream& out, bool enabled) : out_(out), enabled_(enabled) {}
  // Redraws at most 5 times a second, and only for bodies past 1 MiB: small files finish
  // before a line would help anyone.
  void Update(const std::string& source, const http::Progress& progress);
  void Finish();

 private:
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace sluice::fetch
