#include "publish/report.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/secrets.h"

namespace sluice::publish {
namespace {

std::string Headline(const PublishRun& run) {
  const PublishReport& r = *run.report;
  const std::string what = r.pipeline.empty() ? r.origin : fmt::format("{} ({})", r.pipeline, r.origin);
  if (r.dry_run) {
    return fmt::format("dry run: {} -> {}: would upload {} ({} added, {} modified), {} unchanged, {} removed",
                       what, r.target, r.Count(FileChange::kAdded) + r.Count(FileChange::kModified),
                       r.Count(FileChange::kAdded), r.Count(FileChange::kModified), r.unchanged(), r.removed.size());
  }
  if (!r.manifest_written) return fmt::format("{} -> {}: unchanged, nothing written ({} files)", what, r.target, r.files.size());
  const std::size_t read_back = r.verified - r.verified_by_block_list - r.verified_by_upload_hash;
  const std::string verified =
      read_back == r.verified
          ? "read back and verified"
          : fmt::format("verified: {} by the MD5 the store checked and gave back, {} by their committed block list or "
                        "parts, {} read back",
                        r.verified_by_upload_hash, r.verified_by_block_list, read_back);
  return fmt::format("{} -> {}: uploaded {} ({} bytes, {}), {} unchanged, {} deleted; manifest written", what, r.target,
                     r.uploaded, r.bytes_uploaded, verified, r.unchanged(), r.deleted.size());
}

std::string ManifestUrl(const PublishReport& r) { return r.target + "/_sluice/manifest.json"; }

}  // namespace

std::string ReportText(const PublishRun& run) {
  const PublishReport& r = *run.report;
  std::string text = Headline(run) + "\n";
  if (!run.dry_run_reason.empty()) text += "  " + run.dry_run_reason + "\n";
  for (const auto& file : r.files) {
    if (file.change == FileChange::kUnchanged) continue;
    text += fmt::format("  {:<9} {} ({} bytes, {})\n", FileChangeName(file.change), file.path, file.size, file.content_type);
  }
  for (const auto& path : r.removed) {
    const bool deleted = std::find(r.deleted.begin(), r.deleted.end(), path) != r.deleted.end();
    text += fmt::format("  {:<9} {}{}\n", "removed", path, deleted ? " (deleted)" : r.dry_run ? "" : " (kept in storage; --delete-removed deletes it)");
  }
  for (const auto& warning : r.warnings) text += "  warning: " + warning + "\n";
  return Mask(text);
}

std::string ReportJson(const PublishRun& run) {
  const PublishReport& r = *run.report;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("pipeline");
  w.String(r.pipeline);
  w.Key("target");
  w.String(Mask(r.target));
  w.Key("commit");
  if (r.commit) w.String(*r.commit);
  else w.Null();
  w.Key("dry_run");
  w.Bool(r.dry_run);
  w.Key("uploaded");
  w.Uint64(r.uploaded);
  w.Key("bytes_uploaded");
  w.Uint64(r.bytes_uploaded);
  w.Key("verified");
  w.Uint64(r.verified);
  w.Key("verified_by_block_list");
  w.Uint64(r.verified_by_block_list);
  w.Key("verified_by_upload_hash");
  w.Uint64(r.verified_by_upload_hash);
  w.Key("unchanged");
  w.Uint64(r.unchanged());
  w.Key("manifest_written");
  w.Bool(r.manifest_written);
  w.Key("status_written");
  w.Bool(r.status_written);
  w.Key("files");
  w.StartArray();
  for (const auto& file : r.files) {
    w.StartObject();
    w.Key("path");
    w.String(file.path);
    w.Key("change");
    w.String(FileChangeName(file.change));
    w.Key("size");
    w.Uint64(file.size);
    w.Key("sha256");
    w.String(file.sha256);
    w.Key("content_type");
    w.String(file.content_type);
    w.EndObject();
  }
  w.EndArray();
  w.Key("removed");
  w.StartArray();
  for (const auto& path : r.removed) w.String(path);
  w.EndArray();
  w.Key("deleted");
  w.StartArray();
  for (const auto& path : r.deleted) w.String(path);
  w.EndArray();
  w.Key("warnings");
  w.StartArray();
  for (const auto& warning : r.warnings) w.String(Mask(warning));
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string ReportMarkdown(const PublishRun& run) {
  const PublishReport& r = *run.report;
  std::string md = fmt::format("### sluice-publish: {}\n\n{}\n\n", r.pipeline.empty() ? "ad hoc" : r.pipeline, Headline(run));
  if (!run.dry_run_reason.empty()) md += "> " + run.dry_run_reason + "\n\n";
  bool any = false;
  for (const auto& file : r.files) {
    if (file.change == FileChange::kUnchanged) continue;
    if (!any) md += "| file | change | bytes |\n|---|---|---|\n";
    any = true;
    md += fmt::format("| `{}` | {} | {} |\n", file.path, FileChangeName(file.change), file.size);
  }
  for (const auto& path : r.removed) md += fmt::format("| `{}` | removed | |\n", path);
  for (const auto& warning : r.warnings) md += "\n> warning: " + warning + "\n";
  return Mask(md + "\n");
}

Status PublishToActions(const PublishRun& run, actions::ActionsIo& io) {
  const PublishReport& r = *run.report;
  for (const auto& [name, value] : std::initializer_list<std::pair<const char*, std::string>>{
           {"uploaded", std::to_string(r.uploaded)},
           {"deleted", std::to_string(r.deleted.size())},
           {"unchanged", std::to_string(r.unchanged())},
           {"manifest", Mask(ManifestUrl(r))},
           {"dry-run", r.dry_run ? "true" : "false"}}) {
    SLUICE_RETURN_IF_ERROR(io.SetOutput(name, value));
  }
  return io.AppendSummary(ReportMarkdown(run));
}

Status PublishFailure(const PublishRun& run, const Status& failure, actions::ActionsIo& io) {
  io.Annotate({actions::AnnotationLevel::kError, Mask(failure.message()), "", 0, 0, "sluice-publish"});
  return io.AppendSummary(Mask(fmt::format("### sluice-publish: {} {}\n\n{}\n\nRunbook: runbooks/publish-failed.md\n\n",
                                           run.pipeline.empty() ? "ad hoc" : run.pipeline,
                                           failure.kind() == ErrorKind::kUnsafe ? "refused" : "failed", failure.message())));
}

void UploadProgressLine::Update(std::size_t done, std::size_t total) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  out_ << "\r\x1b[2K" << fmt::format("uploading {}/{} files", done, total) << std::flush;
  drawn_ = true;
}

void UploadProgressLine::Finish() {
  if (drawn_) out_ << "\r\x1b[2K" << std::flush;
  drawn_ = false;
}

}  // namespace sluice::publish
