#include "pr/trailers.h"

#include <fmt/format.h>

namespace sluice::pr {

std::string CommitMessage(const std::string& pipeline, const std::string& summary, const std::string& run_url) {
  std::string message = fmt::format("Update {} data: {}\n\nSluice-Pipeline: {}\n", pipeline, summary, pipeline);
  if (!run_url.empty()) message += fmt::format("Sluice-Run: {}\n", run_url);
  return message;
}

bool MadeBySluice(std::string_view message, const std::string& pipeline) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ' || message.back() == '\r')) {
    message.remove_suffix(1);
  }
  // git's trailers are the last paragraph; a trailer quoted in the body does not count.
  const size_t blank = message.rfind("\n\n");
  if (blank == std::string_view::npos) return false;
  std::string_view trailers = message.substr(blank + 2);
  const std::string wanted = "Sluice-Pipeline: " + pipeline;
  while (!trailers.empty()) {
    const size_t end = trailers.find('\n');
    std::string_view line = trailers.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == wanted) return true;
    if (end == std::string_view::npos) break;
    trailers.remove_prefix(end + 1);
  }
  return false;
}

}  // namespace sluice::pr
