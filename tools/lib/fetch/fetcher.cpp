#include "fetch/fetcher.h"

#include <algorithm>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/fs.h"
#include "core/hash.h"
#include "core/threaded_hash.h"
#include "core/secrets.h"
#include "core/subprocess.h"
#include "fetch/content_check.h"
#include "fetch/state.h"

namespace sluice::fetch {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Receives a body into the output's temporary file, hashing it on the way (on a thread of its
// own once the body is large).
class OutputSink : public http::BodySink {
 public:
  OutputSink(AtomicFile file, std::uint64_t max_bytes) : file_(std::move(file)), max_bytes_(max_bytes) {}

  Status OnData(std::string_view chunk) override {
    if (max_bytes_ > 0 && file_.size() + chunk.size() > max_bytes_) {
      return ExternalError(fmt::format("the body exceeds the limit of {} bytes (--max-bytes)", max_bytes_));
    }
    hash_.Update(chunk);
    return file_.Write(chunk);
  }
  Status Reset() override {
    hash_.Reset();
    return file_.Reset();
  }

  AtomicFile& file() { return file_; }
  std::string FinishHash() { return hash_.FinishHex(); }

 private:
  AtomicFile file_;
  ThreadedSha256 hash_;
  std::uint64_t max_bytes_;
};

std::uint64_t MaxBytes(const FetchTarget& target, const FetchOptions& options) {
  if (options.max_bytes) return *options.max_bytes;
  return target.source.max_bytes.value_or(0);
}

std::chrono::milliseconds Timeout(const FetchTarget& target, const FetchOptions& options) {
  if (options.timeout) return *options.timeout;
  return std::chrono::seconds(target.source.timeout_seconds.value_or(120));
}

int Attempts(const FetchTarget& target, const FetchOptions& options) {
  if (options.attempts) return *options.attempts;
  return target.source.attempts.value_or(options.retry.attempts);
}

std::string Origin(const pipeline::Source& source) {
  if (!source.command.empty()) {
    std::string joined;
    for (const auto& arg : source.command) joined += (joined.empty() ? "" : " ") + arg;
    return Mask(joined);
  }
  return RedactUrl(source.url);
}

// Checks the temporary file, then replaces the output unless it is byte-identical.
Status FinishOutput(OutputSink& sink, const FetchTarget& target, std::string_view content_type,
                    SourceOutcome& outcome) {
  SLUICE_RETURN_IF_ERROR(CheckContent(sink.file().temp_path(), target.source.format, content_type));
  outcome.sha256 = sink.FinishHash();
  outcome.bytes = sink.file().size();
  std::error_code ec;
  // A previous output of another size cannot be byte-identical: no need to read and hash it.
  std::uintmax_t previous_size = fs::file_size(target.output, ec);
  if (!ec && previous_size == outcome.bytes) {
    auto previous = Sha256OfFile(target.output);
    if (previous.ok() && *previous == outcome.sha256) {
      sink.file().Abandon();
      outcome.state = SourceState::kUnchanged;
      return Status::Ok();
    }
  }
  SLUICE_RETURN_IF_ERROR(sink.file().Commit());
  outcome.state = SourceState::kUpdated;
  return Status::Ok();
}

Result<std::unique_ptr<OutputSink>> MakeSink(const FetchTarget& target, const FetchOptions& options) {
  auto file = AtomicFile::Create(target.output);
  if (!file.ok()) return file.status();
  return std::make_unique<OutputSink>(std::move(file).value(), MaxBytes(target, options));
}

Result<fs::path> LocalSourcePath(const std::string& url, const fs::path& workspace) {
  if (url.rfind("file://", 0) == 0) {
    fs::path path = url.substr(7);
    if (!path.is_absolute()) return ConfigError(fmt::format("'{}': a file:// URL needs an absolute path", url));
    return path;
  }
  return ConfinePath(workspace, url.substr(5));  // "file:relative/path"
}

Status CopyLocalFile(const fs::path& path, OutputSink& sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InputError(fmt::format("cannot read source file {}", path.string()));
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    SLUICE_RETURN_IF_ERROR(sink.OnData(std::string_view(buffer.data(), static_cast<size_t>(in.gcount()))));
  }
  if (in.bad()) return InputError(fmt::format("cannot read source file {}", path.string()));
  return Status::Ok();
}

void FetchFile(const FetchTarget& target, const FetchOptions& options, SourceOutcome& outcome) {
  outcome.attempts = 1;
  auto path = LocalSourcePath(target.source.url, options.workspace);
  if (!path.ok()) {
    outcome.error = path.status();
    return;
  }
  auto sink = MakeSink(target, options);
  if (!sink.ok()) {
    outcome.error = sink.status();
    return;
  }
  Status copied = CopyLocalFile(*path, **sink);
  outcome.error = copied.ok() ? FinishOutput(**sink, target, "", outcome) : copied;
}

// A command is retried like a request: it often wraps a download of its own.
void FetchCommand(const FetchTarget& target, const FetchOptions& options, SourceOutcome& outcome) {
  auto sink = MakeSink(target, options);
  if (!sink.ok()) {
    outcome.error = sink.status();
    return;
  }
  int attempts = Attempts(target, options);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    outcome.attempts = attempt;
    if (attempt > 1) std::this_thread::sleep_for(http::BackoffDelay(options.retry, attempt - 1));
    outcome.error = (*sink)->Reset();
    if (!outcome.error.ok()) return;
    auto run = RunCommand(target.source.command, options.workspace.string(), Timeout(target, options),
                          [&](std::string_view chunk) { return (*sink)->OnData(chunk); });
    if (!run.ok()) {  // it could not start, or its output broke a limit: retrying will not help
      outcome.error = run.status();
      return;
    }
    if (run->timed_out) {
      outcome.error = ExternalError(fmt::format("the command timed out after {} s", Timeout(target, options).count() / 1000));
    } else if (run->exit_code != 0) {
      std::string why = run->signal != 0 ? fmt::format("was killed by signal {}", run->signal)
                                         : fmt::format("exited with status {}", run->exit_code);
      outcome.error = ExternalError(fmt::format("the command {}; its stderr ends: \"{}\"", why,
                                                Mask(PrintableExcerpt(run->stderr_tail, 400))));
    } else {
      outcome.error = FinishOutput(**sink, target, "", outcome);
      return;
    }
    outcome.attempt_log.push_back(fmt::format("attempt {}: {}", attempt, outcome.error.message()));
  }
  outcome.error = ExternalError(fmt::format("failed after {} attempts: {}", attempts, outcome.error.message()));
}

bool CanUseValidators(const FetchTarget& target, const SourceValidators& previous) {
  if (previous.url != RedactUrl(target.source.url) || previous.sha256.empty()) return false;
  // The validators describe the file we wrote; if someone replaced it since, fetch in full.
  auto current = Sha256OfFile(target.output);
  return current.ok() && *current == previous.sha256;
}

}  // namespace

namespace {

void Timed(void (*fetch)(const FetchTarget&, const FetchOptions&, SourceOutcome&), const FetchTarget& target,
           const FetchOptions& options, SourceOutcome& outcome) {
  auto started = Clock::now();
  fetch(target, options, outcome);
  outcome.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
}

struct HttpJob {
  size_t index;  // into the report
  std::unique_ptr<OutputSink> sink;
};

std::string HttpFailure(const http::Response& response) {
  std::string text = fmt::format("HTTP {} from {}", response.status, response.effective_url);
  if (!response.body.empty()) text += fmt::format("; the body starts \"{}\"", Mask(PrintableExcerpt(response.body)));
  if (response.attempts > 1) text = fmt::format("failed after {} attempts: {}", response.attempts, text);
  return text;
}

void RecordValidators(const FetchTarget& target, const http::Response& response, const SourceOutcome& outcome,
                      FetchState& state) {
  SourceValidators& entry = state.sources[target.source.name];
  entry.url = RedactUrl(target.source.url);
  entry.etag = response.Header("etag").value_or("");
  entry.last_modified = response.Header("last-modified").value_or("");
  entry.sha256 = outcome.sha256;
  entry.fetched_at = FormatUtc(std::chrono::system_clock::now());
}

void FetchHttp(const std::vector<FetchTarget>& targets, const std::vector<size_t>& indexes,
               const FetchOptions& options, FetchState& state, std::vector<SourceOutcome>& outcomes) {
  std::vector<http::Transfer> transfers;
  std::vector<HttpJob> jobs;
  for (size_t index : indexes) {
    const FetchTarget& target = targets[index];
    auto sink = MakeSink(target, options);
    if (!sink.ok()) {
      outcomes[index].error = sink.status();
      continue;
    }
    http::Transfer transfer;
    transfer.request.url = target.source.url;
    transfer.request.headers = target.source.headers;
    transfer.request.timeout = Timeout(target, options);
    transfer.request.max_bytes = MaxBytes(target, options);
    transfer.attempts = Attempts(target, options);
    auto previous = state.sources.find(target.source.name);
    if (previous != state.sources.end() && CanUseValidators(target, previous->second)) {
      if (!previous->second.etag.empty()) transfer.request.headers.emplace_back("If-None-Match", previous->second.etag);
      if (!previous->second.last_modified.empty()) {
        transfer.request.headers.emplace_back("If-Modified-Since", previous->second.last_modified);
      }
    }
    if (options.on_progress) {
      transfer.on_progress = [&options, name = target.source.name](const http::Progress& p) { options.on_progress(name, p); };
    }
    transfer.sink = sink->get();
    transfers.push_back(std::move(transfer));
    jobs.push_back(HttpJob{index, std::move(sink).value()});
  }
  http::Client client(options.retry);
  auto results = client.PerformAll(transfers, options.max_parallel);
  for (size_t i = 0; i < jobs.size(); ++i) {
    SourceOutcome& outcome = outcomes[jobs[i].index];
    const FetchTarget& target = targets[jobs[i].index];
    if (!results[i].ok()) {
      outcome.error = results[i].status();
      continue;
    }
    const http::Response& response = *results[i];
    outcome.http_status = response.status;
    outcome.attempts = response.attempts;
    outcome.attempt_log = response.attempt_log;
    outcome.duration = response.duration;
    if (response.status == 304) {
      outcome.state = SourceState::kUnchanged;
      outcome.not_modified = true;
      outcome.sha256 = state.sources[target.source.name].sha256;
      std::error_code ec;
      outcome.bytes = fs::file_size(target.output, ec);
    } else if (response.status < 200 || response.status > 299) {
      outcome.error = ExternalError(HttpFailure(response));
    } else {
      outcome.error = FinishOutput(*jobs[i].sink, target, response.Header("content-type").value_or(""), outcome);
      if (outcome.error.ok()) RecordValidators(target, response, outcome, state);
    }
  }
}

}  // namespace

const char* SourceStateName(SourceState state) {
  switch (state) {
    case SourceState::kUpdated: return "updated";
    case SourceState::kUnchanged: return "unchanged";
    case SourceState::kFailed: return "failed";
  }
  return "failed";
}

bool FetchReport::changed() const {
  return std::any_of(sources.begin(), sources.end(), [](const auto& s) { return s.state == SourceState::kUpdated; });
}

int FetchReport::failed() const {
  return static_cast<int>(
      std::count_if(sources.begin(), sources.end(), [](const auto& s) { return s.state == SourceState::kFailed; }));
}

Status FetchReport::status() const {
  std::string message;
  ErrorKind kind = ErrorKind::kRejected;
  int worst = -1;
  int count = failed();
  for (const auto& source : sources) {
    if (source.state != SourceState::kFailed) continue;
    if (source.error.exit_code() > worst) {
      worst = source.error.exit_code();
      kind = source.error.kind();
    }
    message += fmt::format("{}source '{}' ({}): {}", message.empty() ? "" : "\n", source.name, source.origin,
                           source.error.message());
  }
  if (count == 0) return Status::Ok();
  return Status(kind, fmt::format("{} of {} sources failed; their previous data is untouched.\n{}", count,
                                  sources.size(), message));
}

Result<std::vector<FetchTarget>> PlanFetch(const pipeline::Manifest& manifest, const fs::path& workspace,
                                           const std::vector<std::string>& only_sources) {
  std::vector<FetchTarget> targets;
  for (const auto& name : only_sources) {
    if (manifest.FindSource(name) == nullptr) {
      return UsageError(fmt::format("--source {}: the pipeline '{}' has no such source", name, manifest.name));
    }
  }
  for (const auto& source : manifest.sources) {
    if (!only_sources.empty() && std::find(only_sources.begin(), only_sources.end(), source.name) == only_sources.end()) {
      continue;
    }
    auto output = ConfinePath(workspace, source.output);
    if (!output.ok()) return output.status().WithContext(fmt::format("source '{}' output", source.name));
    targets.push_back(FetchTarget{source, *output});
  }
  return targets;
}

FetchReport FetchSources(const std::vector<FetchTarget>& targets, const FetchOptions& options) {
  FetchReport report;
  report.sources.resize(targets.size());
  auto started = Clock::now();
  FetchState state;
  if (!options.state_file.empty()) {
    auto loaded = LoadFetchState(options.state_file);
    // A damaged state file only costs conditional requests; the fetch goes on in full.
    if (loaded.ok()) state = std::move(loaded).value();
    else report.warnings.push_back(loaded.status().message() + "; fetching every source in full");
  }
  std::vector<size_t> http_indexes;
  std::vector<std::future<void>> local;
  for (size_t i = 0; i < targets.size(); ++i) {
    SourceOutcome& outcome = report.sources[i];
    outcome.name = targets[i].source.name;
    outcome.output = targets[i].source.output;
    outcome.origin = Origin(targets[i].source);
    const auto& source = targets[i].source;
    if (!source.command.empty()) {
      local.push_back(std::async(std::launch::async, [&, i] { Timed(FetchCommand, targets[i], options, report.sources[i]); }));
    } else if (source.url.rfind("file:", 0) == 0) {
      local.push_back(std::async(std::launch::async, [&, i] { Timed(FetchFile, targets[i], options, report.sources[i]); }));
    } else {
      http_indexes.push_back(i);
    }
  }
  if (!http_indexes.empty()) FetchHttp(targets, http_indexes, options, state, report.sources);
  for (auto& task : local) task.get();
  for (auto& outcome : report.sources) {
    if (!outcome.error.ok()) outcome.state = SourceState::kFailed;
  }
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  if (!options.state_file.empty()) {
    Status saved = SaveFetchState(options.state_file, state);
    // Losing the validators only costs a full download next time: a warning, not a failure.
    if (!saved.ok()) report.warnings.push_back("the fetch state was not saved: " + saved.message());
  }
  return report;
}

}  // namespace sluice::fetch
