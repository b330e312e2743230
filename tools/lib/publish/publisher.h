// Publishing a set of files to a storage target, in the order that keeps readers safe:
//
//   1. read _sluice/manifest.json (the previous set and its version); stop (exit 4) if another
//      run's lock in it has not expired
//   2. plan against it; a dry run stops here
//   3. claim the target: the previous manifest plus this run's lock, written only if the
//      manifest's version is still the one read in 1 (a second publisher loses here, exit 4)
//   4. upload the added and modified files (up to `parallel` at once), and confirm each: by the
//      MD5 the service checked and gave back in its answer, by the committed block list of a
//      large one, else (or with verify "read-back", or a read URL) read back and its sha256
//      compared
//   5. write the new manifest (no lock) only if the version is still this run's claim
//   6. with --delete-removed, delete what left the set (the manifest no longer names it)
//   7. write _sluice/status.json (commit, time, files) for the freshness watch
//
// A run that fails in 4 puts the previous manifest back (without its lock) and says what was
// uploaded; a rerun compares against the same previous manifest and completes. Objects are
// overwritten in place (the dashboard reads fixed names), so until that rerun a file the failed
// run uploaded holds its new bytes under the previous manifest's sha256: never a missing file,
// and a reader that checks hashes can tell. An unchanged
// set (same files, same commit) writes nothing at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "publish/plan.h"
#include "publish/source.h"
#include "storage/backend.h"

namespace sluice::publish {

struct PublishOptions {
  std::string pipeline;
  std::string run_url;  // goes into the lock, so a refused second publisher can name the first
  bool dry_run = false;
  bool delete_removed = false;
  bool break_lock = false;  // take over a lock that has not expired (its run is known dead)
  std::string cache_control = "public, max-age=300";
  std::chrono::minutes lock_duration{60};
  int parallel = 8;  // uploads at once
  std::string read_url;  // where readers fetch the target's files: every file is read back there
  // Without a read URL: what the backend may take as proof of an upload (storage::Verification).
  storage::Verification verification = storage::Verification::kUploadHash;
  storage::PutProgress on_upload_progress;  // optional: files uploaded so far, of how many
  // Test hooks (SLUICE_PUBLISH_FAIL_AFTER, SLUICE_PUBLISH_PAUSE_FILE): fail after this many
  // uploads; after uploading, create <file>.waiting and wait (up to 60 s) for <file> to exist.
  int fail_after_uploads = -1;
  std::string pause_file;
};

struct ReportedFile {
  std::string path;
  FileChange change = FileChange::kAdded;
  std::uint64_t size = 0;
  std::string sha256;
  std::string content_type;
};

struct PublishReport {
  std::string target;
  std::string pipeline;
  std::string origin;
  std::optional<std::string> commit;
  bool dry_run = false;
  std::vector<ReportedFile> files;  // the plan
  std::vector<std::string> removed;
  std::vector<std::string> deleted;
  std::size_t uploaded = 0;
  std::uint64_t bytes_uploaded = 0;
  std::size_t verified = 0;
  // Of `verified`, those confirmed by their committed block list and properties, not read back
  // whole (large blobs put in blocks on Azure; storage::ConfirmedBy).
  std::size_t verified_by_block_list = 0;
  // Of `verified`, those confirmed by the MD5 the service checked on arrival and gave back in its
  // answer to the upload (storage::ConfirmedBy::kUploadHash): no second request.
  std::size_t verified_by_upload_hash = 0;
  bool manifest_written = false;
  bool status_written = false;
  std::vector<std::string> warnings;

  std::size_t Count(FileChange change) const;
  std::size_t unchanged() const { return Count(FileChange::kUnchanged); }
};

Result<PublishReport> Publish(storage::Backend& backend, const PublishSource& source, const PublishOptions& options);

}  // namespace sluice::publish
