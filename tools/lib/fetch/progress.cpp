#include "fetch/progress.h"

#include <ostream>

#include <fmt/format.h>

namespace sluice::fetch {

void ProgressLine::Update(const std::string& source, const http::Progress& progress) {
  constexpr std::uint64_t kWorthShowing = 1 << 20;
  if (!enabled_ || progress.received < kWorthShowing) return;
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  double mib = progress.received / (1024.0 * 1024.0);
  std::string line = progress.expected > 0
                         ? fmt::format("{}: {:.1f} / {:.1f} MiB ({:.0f}%)", source, mib,
                                       progress.expected / (1024.0 * 1024.0), 100.0 * progress.received / progress.expected)
                         : fmt::format("{}: {:.1f} MiB", source, mib);
  out_ << "\r\x1b[2K" << line << std::flush;
  drawn_ = true;
}

void ProgressLine::Finish() {
  std::lock_guard lock(mutex_);
  if (drawn_) out_ << "\r\x1b[2K" << std::flush;
  drawn_ = false;
}

}  // namespace sluice::fetch
