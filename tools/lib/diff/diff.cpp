#include "diff/diff.h"

#include <algorithm>

#include "diff/cells.h"
#include "diff/passes.h"

namespace sluice::diff {
namespace {

// Whether the JSON file holds one document rather than an array of records.
Result<bool> IsDocument(const FileRequest& request) {
  if (request.format != pipeline::DataFormat::kJson || request.records) return false;
  for (const DataInput* side : {&request.old_side, &request.new_side}) {
    if (!side->exists()) continue;
    auto start = PeekSide(*side, 4096);
    if (!start.ok()) return start.status();
    auto first = start->find_first_not_of(" \t\r\n");
    if (first == std::string::npos) continue;  // empty: no records, either way
    if (!LooksLikeJsonArray(*start)) return true;
  }
  return false;
}

Status RunPasses(const FileRequest& request, const std::vector<std::string>& skipped, FileDiff& out, PassFacts& facts) {
  if (request.format == pipeline::DataFormat::kCsv) {
    return request.key.empty() ? DiffUnkeyedCsv(request, skipped, out, facts) : DiffKeyedCsv(request, skipped, out, facts);
  }
  return request.key.empty() ? DiffUnkeyed(request, skipped, out, facts) : DiffKeyed(request, skipped, out, facts);
}

// Runs the passes; when the two sides turn out not to have the same fields, runs them again
// leaving the drifted fields out, so a new column does not mark every row as changed.
Status DiffRecords(const FileRequest& request, FileDiff& out) {
  std::vector<std::string> skipped = request.ignored;
  FileDiff fresh = out;
  PassFacts facts;
  SLUICE_RETURN_IF_ERROR(RunPasses(request, skipped, out, facts));
  if (!request.trend_field.empty()) {
    fresh.trend = Trend{request.trend_field, {{"new", "", facts.new_total}}};
    out.trend = fresh.trend;
  }
  if (out.rows_before == 0 || out.rows_after == 0) return Status::Ok();  // nothing to drift from
  auto removed = FieldsMissingFrom(facts.old_fields, facts.new_fields);
  auto added = FieldsMissingFrom(facts.new_fields, facts.old_fields);
  auto not_ignored = [&](const std::string& f) { return std::find(skipped.begin(), skipped.end(), f) == skipped.end(); };
  std::erase_if(removed, [&](const auto& f) { return !not_ignored(f); });
  std::erase_if(added, [&](const auto& f) { return !not_ignored(f); });
  if (removed.empty() && added.empty()) return Status::Ok();
  skipped.insert(skipped.end(), removed.begin(), removed.end());
  skipped.insert(skipped.end(), added.begin(), added.end());
  out = fresh;
  out.columns_removed = removed;
  out.columns_added = added;
  PassFacts again;
  SLUICE_RETURN_IF_ERROR(RunPasses(request, skipped, out, again));
  return Status::Ok();
}

}  // namespace

DataInput DataInput::File(const std::filesystem::path& file, std::string origin) {
  DataInput input;
  input.origin = origin.empty() ? file.string() : std::move(origin);
  input.path = file;
  return input;
}

DataInput DataInput::Bytes(std::string content, std::string origin) {
  DataInput input;
  input.origin = std::move(origin);
  input.bytes = std::make_shared<const std::string>(std::move(content));
  return input;
}

DataInput DataInput::Missing(std::string origin) {
  DataInput input;
  input.origin = std::move(origin);
  return input;
}

void AddToTotal(const rapidjson::Value& row, const std::string& field, double& total) {
  if (!row.IsObject()) return;
  auto found = row.FindMember(rapidjson::StringRef(field.data(), field.size()));
  if (found == row.MemberEnd()) return;
  if (auto value = NumericValue(found->value)) total += *value;
}

Result<FileDiff> DiffFile(const FileRequest& original) {
  FileRequest request = original;  // the sides read with the request's record limit
  request.old_side.max_record_bytes = request.new_side.max_record_bytes = request.max_record_bytes;
  request.old_side.max_depth = request.new_side.max_depth = request.max_depth;
  request.old_side.records = request.new_side.records = request.records;
  FileDiff out;
  out.name = request.name;
  out.path = request.display_path;
  out.format = request.format;
  out.key = request.key;
  out.ignored = request.ignored;
  out.old_exists = request.old_side.exists();
  auto document = IsDocument(request);
  if (!document.ok()) return document.status();
  if (*document) {
    SLUICE_RETURN_IF_ERROR(DiffDocuments(request, out));
    return out;
  }
  SLUICE_RETURN_IF_ERROR(DiffRecords(request, out));
  std::stable_sort(out.changed.begin(), out.changed.end(), [](const auto& a, const auto& b) { return a.rank > b.rank; });
  return out;
}

bool FileDiff::has_changes() const {
  return !old_exists || !added.empty() || !removed.empty() || !changed.empty() || !changed_groups.empty() || !columns_added.empty() ||
         !columns_removed.empty() || !pointers.empty();
}

bool DiffReport::changed() const {
  return std::any_of(files.begin(), files.end(), [](const auto& f) { return f.has_changes(); });
}

bool DiffReport::order_only() const {
  return !changed() && std::any_of(files.begin(), files.end(), [](const auto& f) { return f.order_only(); });
}

std::uint64_t DiffReport::files_changed() const {
  return static_cast<std::uint64_t>(std::count_if(files.begin(), files.end(), [](const auto& f) { return f.has_changes(); }));
}

std::uint64_t DiffReport::added() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.added.size();
  return n;
}

std::uint64_t DiffReport::removed() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.removed.size();
  return n;
}

std::uint64_t DiffReport::modified() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.changed.size() + f.changed_groups.size();
  return n;
}

std::uint64_t DiffReport::groups_changed() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.changed_groups.size();
  return n;
}

std::uint64_t DiffReport::collisions() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.collision_count;
  return n;
}

bool LooksLikeJsonArray(std::string_view start) {
  if (start.substr(0, 3) == "\xEF\xBB\xBF") start.remove_prefix(3);
  auto first = start.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && start[first] == '[';
}

}  // namespace sluice::diff
