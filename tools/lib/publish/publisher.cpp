#include "publish/publisher.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <random>
#include <string_view>
#include <thread>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/clock.h"
#include "core/fs.h"
#include "core/hash.h"
#include "publish/read_back.h"

namespace sluice::publish {
namespace {

using Clock = std::chrono::system_clock;

std::string RandomId() {
  std::random_device device;
  return fmt::format("{:08x}{:08x}", device(), device());
}

storage::ObjectProperties RecordProperties() { return {"application/json", "no-cache", {}}; }

std::string Where(const storage::Backend& backend, std::string_view key) {
  return fmt::format("{}/{}", backend.Describe(), key);
}

struct Previous {
  std::optional<PublishedManifest> manifest;
  std::optional<std::string> version;  // nullopt: no manifest yet
};

Result<Previous> ReadPrevious(storage::Backend& backend) {
  auto object = backend.Get(std::string(kManifestKey));
  if (!object.ok()) return object.status().WithContext("reading the published manifest");
  Previous previous;
  if (!object->has_value()) return previous;
  auto manifest = ParsePublishedManifest((*object)->bytes, Where(backend, kManifestKey));
  if (!manifest.ok()) {
    return InputError(manifest.status().message() +
                      " (the target's manifest is damaged: see runbooks/publish-failed.md before touching it)");
  }
  previous.manifest = std::move(manifest).value();
  previous.version = (*object)->version;
  return previous;
}

// An Actions run page split into the run ("<server>/<repo>/actions/runs/<id>") and its attempt
// (1 when the URL names none, as RunUrl writes it).
struct RunAttempt {
  std::string run;
  long attempt = 1;
};

std::optional<RunAttempt> ParseRunAttempt(const std::string& url) {
  const std::size_t runs = url.find("/actions/runs/");
  if (runs == std::string::npos) return std::nullopt;
  const std::size_t attempts = url.find("/attempts/", runs);
  RunAttempt parsed{url.substr(0, attempts), 1};
  if (attempts != std::string::npos) {
    const std::string number = url.substr(attempts + std::string_view("/attempts/").size());
    if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos || number.size() > 9) return std::nullopt;
    parsed.attempt = std::stol(number);
  }
  return parsed;
}

Status CheckLock(const Previous& previous, const PublishOptions& options, const std::string& now, PublishReport& report) {
  if (!previous.manifest || !previous.manifest->lock) return Status::Ok();
  const PublishLock& lock = *previous.manifest->lock;
  if (lock.expires_at <= now) {
    report.warnings.push_back(fmt::format("taking over the lock of a run that started at {} and expired at {} (it did not "
                                          "finish)", lock.started_at, lock.expires_at));
    return Status::Ok();
  }
  const std::string holder = lock.run.empty() ? "run " + lock.id : lock.run;
  // GitHub starts a new attempt of a run (a re-run of its failed jobs) only after the previous
  // attempt has ended, so a lock held by an earlier attempt of this run belongs to a dead run.
  // The same attempt (another job of it) or another run may be alive: those still wait.
  const auto held = ParseRunAttempt(lock.run), mine = ParseRunAttempt(options.run_url);
  if (held && mine && held->run == mine->run && held->attempt < mine->attempt) {
    report.warnings.push_back(fmt::format("taking over the lock of attempt {} of this run (started {}): a run's earlier "
                                          "attempt has ended before a new one starts",
                                          held->attempt, lock.started_at));
    return Status::Ok();
  }
  if (options.break_lock) {
    report.warnings.push_back(fmt::format("breaking the lock of {} (started {}) as --break-lock asks", holder, lock.started_at));
    return Status::Ok();
  }
  if (options.dry_run) {
    report.warnings.push_back(fmt::format("{} is publishing to this target now (since {})", holder, lock.started_at));
    return Status::Ok();
  }
  return UnsafeError(fmt::format("another publish holds the target: {} (commit {}) since {}, lock until {}. Wait for it; "
                                 "if that run is dead, re-run its failed job (a later attempt of the same run takes the "
                                 "lock over) or rerun with --break-lock",
                                 holder, lock.commit ? lock.commit->substr(0, 12) : "none", lock.started_at,
                                 lock.expires_at));
}

std::string StatusJson(const PublishedManifest& manifest, const std::string& manifest_version, std::uint64_t bytes) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("pipeline");
  writer.String(manifest.pipeline);
  writer.Key("commit");
  if (manifest.commit) writer.String(*manifest.commit);
  else writer.Null();
  writer.Key("published_at");
  writer.String(manifest.published_at);
  writer.Key("files");
  writer.Uint64(manifest.files.size());
  writer.Key("bytes");
  writer.Uint64(bytes);
  writer.Key("manifest_sha256");
  writer.String(manifest_version);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

// The test hook that lets a test race two publishers deterministically.
void PauseForTest(const std::string& file) {
  if (file.empty()) return;
  (void)WriteFileAtomically(file + ".waiting", "");
  for (int i = 0; i < 600 && !std::filesystem::exists(file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

class Run {
 public:
  Run(storage::Backend& backend, const PublishSource& source, const PublishOptions& options, PublishReport& report)
      : backend_(backend), source_(source), options_(options), report_(report) {}

  Status Execute() {
    const std::string now = FormatUtc(Clock::now());
    auto previous = ReadPrevious(backend_);
    if (!previous.ok()) return previous.status();
    previous_ = std::move(previous).value();
    SLUICE_RETURN_IF_ERROR(CheckLock(previous_, options_, now, report_));
    plan_ = PlanPublish(source_, previous_.manifest);
    report_.removed = plan_.removed;
    // A dry run's plan rests on the files as read: a commit's file read from the working tree
    // must prove to be the commit's blob, or the plan would show bytes the commit does not hold.
    // (A plan of no change needs no such proof: it names the commit the manifest already names,
    // with the hashes the manifest holds, which bytes other than the commit's cannot have.)
    if (options_.dry_run) return CheckMappedFilesUnchanged(source_);
    const bool deletions_due = options_.delete_removed && (!plan_.removed.empty() || !plan_.lingering.empty());
    const bool stale_lock = previous_.manifest && previous_.manifest->lock;
    if (plan_.Unchanged() && !deletions_due && !stale_lock) return Status::Ok();  // nothing to write, nothing written

    SLUICE_RETURN_IF_ERROR(Claim(now));
    Status uploaded = UploadAndVerify();
    if (!uploaded.ok()) return Release(uploaded);
    PauseForTest(options_.pause_file);
    Status unchanged = CheckMappedFilesUnchanged(source_);
    if (!unchanged.ok()) return Release(unchanged);
    PublishedManifest next = NextManifest();
    const std::string next_json = PublishedManifestJson(next);
    auto committed = backend_.PutIf(std::string(kManifestKey), next_json, RecordProperties(),
                                    storage::Precondition::IfVersion(claim_version_));
    if (!committed.ok() && committed.status().kind() != ErrorKind::kUnsafe) {
      if (auto landed = LandedAnyway(next_json)) committed = std::move(*landed);
    }
    if (!committed.ok()) {
      if (committed.status().kind() != ErrorKind::kUnsafe) return Release(committed.status());
      return UnsafeError(fmt::format("{}; this run's lock was broken by another publisher. This run's manifest was NOT "
                                     "written and the other run's stands; rerun to publish {} again",
                                     committed.status().message(), source_.origin));
    }
    report_.manifest_written = true;
    std::string version = std::move(committed).value();
    if (options_.delete_removed) SLUICE_RETURN_IF_ERROR(DeleteRemoved(next, version));
    Status status = backend_.Put(std::string(kStatusKey), StatusJson(next, version, Bytes(next)), RecordProperties());
    if (status.ok()) report_.status_written = true;
    else report_.warnings.push_back("the data is published, but " + std::string(kStatusKey) + " was not written: " + status.message());
    return Status::Ok();
  }

  // The files as planned, into the report: after the uploads, since a large file's sha256 may
  // be worked out while it goes up.
  void ReportFiles() const {
    for (const auto& planned : plan_.files) {
      report_.files.push_back({planned.file->path, planned.change, planned.file->bytes.size(), planned.file->sha256(),
                               planned.content_type});
    }
  }

 private:
  Status Claim(const std::string& now) {
    PublishedManifest claim = previous_.manifest.value_or(PublishedManifest{options_.pipeline, std::nullopt, now, {}, {}, {}});
    claim.lock = PublishLock{RandomId(), source_.commit, options_.run_url, now,
                             FormatUtc(Clock::now() + options_.lock_duration)};
    unlocked_ = claim;
    unlocked_.lock.reset();
    auto precondition = previous_.version ? storage::Precondition::IfVersion(*previous_.version)
                                          : storage::Precondition::IfAbsent();
    const std::string claim_json = PublishedManifestJson(claim);
    auto claimed = backend_.PutIf(std::string(kManifestKey), claim_json, RecordProperties(), precondition);
    if (!claimed.ok() && claimed.status().kind() != ErrorKind::kUnsafe) {
      if (auto landed = LandedAnyway(claim_json)) claimed = std::move(*landed);
    }
    if (!claimed.ok()) {
      if (claimed.status().kind() != ErrorKind::kUnsafe) return claimed.status().WithContext("claiming the target");
      return UnsafeError(fmt::format("another publisher claimed the target first ({}); nothing was uploaded. Rerun "
                                     "when it has finished", claimed.status().message()));
    }
    claim_version_ = std::move(claimed).value();
    return Status::Ok();
  }

  // A manifest write whose answer was lost (a 5xx or a reset after it went out; such writes are
  // not repeated, see http::Transfer::repeatable) may have happened all the same: the manifest
  // read back says. Its version when it holds exactly `bytes`, else nullopt.
  std::optional<std::string> LandedAnyway(const std::string& bytes) {
    auto object = backend_.Get(std::string(kManifestKey));
    if (!object.ok() || !object->has_value() || (*object)->bytes != bytes) return std::nullopt;
    report_.warnings.push_back(fmt::format("{}: the store's answer to writing it was lost, but reading it back shows the "
                                           "write landed",
                                           Where(backend_, kManifestKey)));
    return (*object)->version;
  }

  // Puts the previous manifest back without this run's lock, so the next run starts at once.
  Status Release(const Status& failure) {
    auto released = backend_.PutIf(std::string(kManifestKey), PublishedManifestJson(unlocked_), RecordProperties(),
                                   storage::Precondition::IfVersion(claim_version_));
    std::string message = fmt::format("{}. Uploaded {} of {} changed files; the manifest still names the previous set, "
                                      "so readers are unaffected; rerun to complete",
                                      failure.message(), report_.uploaded, Changed());
    if (!released.ok()) message += fmt::format(" (the lock could not be released: {}; it expires by itself)", released.status().message());
    return Status(failure.kind(), message);
  }

  std::size_t Changed() const { return plan_.files.size() - plan_.Count(FileChange::kUnchanged); }

  Status UploadAndVerify() {
    std::vector<storage::PutItem> items;
    for (const PlannedFile& planned : plan_.files) {
      if (planned.change == FileChange::kUnchanged) continue;
      storage::ObjectProperties properties{planned.content_type, options_.cache_control, {}};
      if (source_.commit) properties.metadata["sluice-commit"] = *source_.commit;
      const SourceFile* file = planned.file;
      items.push_back({file->path, file->bytes, std::move(properties),
                       [file]() -> std::map<std::string, std::string> { return {{"sluice-sha256", file->sha256()}}; }});
    }
    std::size_t allowed = items.size();
    if (options_.fail_after_uploads >= 0) allowed = std::min(allowed, static_cast<std::size_t>(options_.fail_after_uploads));
    const std::vector<storage::PutItem> batch(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(allowed));
    std::vector<Status> statuses = backend_.PutAll(batch, options_.parallel, options_.on_upload_progress);
    Status first_failure;
    std::size_t failures = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (statuses[i].ok()) {
        ++report_.uploaded;
        report_.bytes_uploaded += batch[i].bytes.size();
      } else if (failures++ == 0) {
        first_failure = statuses[i];
      }
    }
    if (failures > 1) {
      first_failure = Status(first_failure.kind(), fmt::format("{} (and {} more uploads failed)", first_failure.message(),
                                                               failures - 1));
    }
    if (!first_failure.ok()) return first_failure;
    if (allowed < items.size()) {
      return ExternalError(fmt::format("{}: stopped by the test hook SLUICE_PUBLISH_FAIL_AFTER={}",
                                       Where(backend_, items[allowed].key), options_.fail_after_uploads));
    }
    // Confirm what was written: the manifest must never name bytes the target does not serve.
    if (!options_.read_url.empty()) {
      std::vector<LiveFile> live;
      for (const PlannedFile& planned : plan_.files) {
        if (planned.change != FileChange::kUnchanged) live.push_back({planned.file->path, planned.file->sha256()});
      }
      SLUICE_RETURN_IF_ERROR(ConfirmLive(options_.read_url, live, options_.parallel));
      report_.verified = live.size();
      return Status::Ok();
    }
    std::vector<storage::ConfirmItem> written;
    for (const PlannedFile& planned : plan_.files) {
      if (planned.change != FileChange::kUnchanged) {
        written.push_back({planned.file->path, planned.file->sha256(), planned.file->bytes.size()});
      }
    }
    const std::vector<storage::Confirmation> confirmations =
        backend_.ConfirmAll(written, options_.parallel, options_.verification);
    std::vector<Status> problems;
    for (const storage::Confirmation& confirmation : confirmations) {
      if (!confirmation.status.ok()) {
        problems.push_back(confirmation.status);
      } else {
        ++report_.verified;
        if (confirmation.by == storage::ConfirmedBy::kBlockList) ++report_.verified_by_block_list;
        if (confirmation.by == storage::ConfirmedBy::kUploadHash) ++report_.verified_by_upload_hash;
      }
    }
    if (problems.empty()) return Status::Ok();
    if (problems.size() == 1) return problems.front();
    return Status(problems.front().kind(), fmt::format("{} (and {} more files could not be confirmed as uploaded)",
                                                       problems.front().message(), problems.size() - 1));
  }

  PublishedManifest NextManifest() const {
    PublishedManifest next{options_.pipeline, source_.commit, FormatUtc(Clock::now()), {}, {}, {}};
    for (const PlannedFile& planned : plan_.files) {
      std::optional<std::string> commit = source_.commit;
      if (planned.change == FileChange::kUnchanged) commit = previous_.manifest->Find(planned.file->path)->commit;
      next.files.push_back({planned.file->path, planned.file->sha256(), planned.file->bytes.size(), commit});
    }
    next.removed = plan_.lingering;
    next.removed.insert(next.removed.end(), plan_.removed.begin(), plan_.removed.end());
    std::sort(next.removed.begin(), next.removed.end());
    next.removed.erase(std::unique(next.removed.begin(), next.removed.end()), next.removed.end());
    return next;
  }

  // After the manifest points past them; then the manifest forgets them (conditionally, again).
  Status DeleteRemoved(PublishedManifest next, std::string& version) {
    if (next.removed.empty()) return Status::Ok();
    for (const auto& path : next.removed) {
      Status deleted = backend_.Delete(path);
      if (!deleted.ok()) {
        return Status(deleted.kind(), fmt::format("the new set is published, but deleting a removed file failed: {}. "
                                                  "Rerun with --delete-removed to finish", deleted.message()));
      }
      report_.deleted.push_back(path);
    }
    next.removed.clear();
    auto written = backend_.PutIf(std::string(kManifestKey), PublishedManifestJson(next), RecordProperties(),
                                  storage::Precondition::IfVersion(version));
    if (!written.ok()) return written.status().WithContext("the removed files are deleted, but updating the manifest");
    version = std::move(written).value();
    return Status::Ok();
  }

  static std::uint64_t Bytes(const PublishedManifest& manifest) {
    std::uint64_t bytes = 0;
    for (const auto& file : manifest.files) bytes += file.size;
    return bytes;
  }

  storage::Backend& backend_;
  const PublishSource& source_;
  const PublishOptions& options_;
  PublishReport& report_;
  Previous previous_;
  PublishPlan plan_;
  PublishedManifest unlocked_;
  std::string claim_version_;
};

}  // namespace

std::size_t PublishReport::Count(FileChange change) const {
  return static_cast<std::size_t>(
      std::count_if(files.begin(), files.end(), [&](const ReportedFile& f) { return f.change == change; }));
}

Result<PublishReport> Publish(storage::Backend& backend, const PublishSource& source, const PublishOptions& options) {
  PublishReport report;
  report.target = backend.Describe();
  report.pipeline = options.pipeline;
  report.origin = source.origin;
  report.commit = source.commit;
  report.dry_run = options.dry_run;
  Run run(backend, source, options, report);
  Status status = run.Execute();
  if (!status.ok()) return status;
  run.ReportFiles();
  return report;
}

}  // namespace sluice::publish
