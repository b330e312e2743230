// Fetching a pipeline's sources: every source attempted, concurrently; each output replaced
// atomically and only by content that passed CheckContent; on any failure the previous file
// stays byte-for-byte as it was.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/client.h"
#include "pipeline/manifest.h"

namespace sluice::fetch {

// One source and the absolute path its data goes to.
struct FetchTarget {
  pipeline::Source source;
  std::filesystem::path output;
};

struct FetchOptions {
  std::filesystem::path workspace;   // file: sources and commands resolve against it
  std::filesystem::path state_file;  // "" keeps no state (no conditional requests)
  std::optional<std::uint64_t> max_bytes;     // overrides every source's
  std::optional<std::chrono::seconds> timeout;  // overrides every source's
  std::optional<int> attempts;                // overrides every source's
  http::RetryPolicy retry;  // attempts here is the default when neither flag nor source sets one
  int max_parallel = 8;
  std::function<void(const std::string& source, const http::Progress&)> on_progress;
};

enum class SourceState { kUpdated, kUnchanged, kFailed };
const char* SourceStateName(SourceState state);

struct SourceOutcome {
  std::string name;
  std::string output;  // as given (relative for manifests)
  std::string origin;  // redacted URL, or the command
  SourceState state = SourceState::kFailed;
  std::string sha256;  // of the output file now in place ("" if none)
  std::uint64_t bytes = 0;
  long http_status = 0;  // 0 for file and command sources
  bool not_modified = false;  // unchanged because the server said 304
  int attempts = 0;
  std::chrono::milliseconds duration{0};
  Status error;  // set when state is kFailed
  std::vector<std::string> attempt_log;
};

struct FetchReport {
  std::vector<SourceOutcome> sources;
  std::vector<std::string> warnings;  // problems that did not fail the run (state file)
  std::chrono::milliseconds duration{0};
  bool changed() const;  // any source updated
  int failed() const;
  // Ok, or one error listing every failed source; its kind is the most serious among them.
  Status status() const;
};

// Resolves each manifest source's output inside `workspace` (refusing escapes).
Result<std::vector<FetchTarget>> PlanFetch(const pipeline::Manifest& manifest, const std::filesystem::path& workspace,
                                           const std::vector<std::string>& only_sources);

FetchReport FetchSources(const std::vector<FetchTarget>& targets, const FetchOptions& options);

}  // namespace sluice::fetch
