#include <fmt/format.h>

#include "diff/cells.h"
#include "diff/passes.h"
#include "diff/row_identity.h"
#include "json/json.h"

namespace sluice::diff {
namespace {

// A document is parsed whole: it is one record, held to the record limit before it is read.
Result<rapidjson::Document> LoadDocument(const DataInput& side) {
  std::error_code error;
  std::uint64_t size = side.path ? std::filesystem::file_size(*side.path, error) : side.bytes ? side.bytes->size() : 0;
  if (!error && size > side.max_record_bytes) {
    return InputError(fmt::format("{}:1:1: {}", side.origin, records::RecordTooLarge(side.max_record_bytes)));
  }
  if (side.path) return json::ParseFile(*side.path, side.max_depth);
  if (side.bytes) return json::Parse(*side.bytes, side.origin, side.max_depth);
  return rapidjson::Document();  // null: a side that does not exist
}

// Walks both values together. Ignored fields are member names skipped at any depth, or exact
// pointers when they start with "/".
class StructuralDiff {
 public:
  StructuralDiff(const std::vector<std::string>& ignored, std::vector<PointerChange>& out)
      : ignored_(ignored), out_(out) {}

  void Walk(const rapidjson::Value& before, const rapidjson::Value& after, const std::string& pointer) {
    if (before.IsObject() && after.IsObject()) {
      for (const auto& m : before.GetObject()) {
        std::string child = ChildPointer(pointer, m.name);
        if (IsIgnored(m.name, child)) continue;
        auto other = after.FindMember(m.name);
        if (other == after.MemberEnd()) Add(child, "removed", &m.value, nullptr);
        else Walk(m.value, other->value, child);
      }
      for (const auto& m : after.GetObject()) {
        std::string child = ChildPointer(pointer, m.name);
        if (!IsIgnored(m.name, child) && !before.HasMember(m.name)) Add(child, "added", nullptr, &m.value);
      }
    } else if (before.IsArray() && after.IsArray()) {
      rapidjson::SizeType common = std::min(before.Size(), after.Size());
      for (rapidjson::SizeType i = 0; i < common; ++i) Walk(before[i], after[i], fmt::format("{}/{}", pointer, i));
      for (rapidjson::SizeType i = common; i < before.Size(); ++i) Add(fmt::format("{}/{}", pointer, i), "removed", &before[i], nullptr);
      for (rapidjson::SizeType i = common; i < after.Size(); ++i) Add(fmt::format("{}/{}", pointer, i), "added", nullptr, &after[i]);
    } else if (!SameValue(before, after)) {
      Add(pointer, "changed", &before, &after);
    }
  }

 private:
  static std::string ChildPointer(const std::string& parent, const rapidjson::Value& name) {
    return parent + "/" + json::EscapePointerToken(std::string_view(name.GetString(), name.GetStringLength()));
  }

  bool IsIgnored(const rapidjson::Value& name, const std::string& pointer) const {
    std::string_view text(name.GetString(), name.GetStringLength());
    for (const auto& field : ignored_) {
      bool is_pointer = !field.empty() && field[0] == '/';
      if (is_pointer ? field == pointer : field == text) return true;
    }
    return false;
  }

  void Add(std::string pointer, const char* change, const rapidjson::Value* before, const rapidjson::Value* after) {
    PointerChange item;
    item.pointer = std::move(pointer);
    item.change = change;
    if (before != nullptr) item.old_json = json::Write(*before);
    if (after != nullptr) item.new_json = json::Write(*after);
    if (before != nullptr && after != nullptr) FillDelta(*before, *after, item.delta, item.percent, item.same_value);
    out_.push_back(std::move(item));
  }

  const std::vector<std::string>& ignored_;
  std::vector<PointerChange>& out_;
};

}  // namespace

Status DiffDocuments(const FileRequest& request, FileDiff& out) {
  auto before = LoadDocument(request.old_side);
  if (!before.ok()) return before.status();
  auto after = LoadDocument(request.new_side);
  if (!after.ok()) return after.status();
  out.kind = FileKind::kDocument;
  out.rows_before = request.old_side.exists() ? 1 : 0;
  out.rows_after = request.new_side.exists() ? 1 : 0;
  StructuralDiff walker(request.ignored, out.pointers);
  if (!request.old_side.exists()) {
    out.pointers.push_back({"", "added", "", json::Write(*after), std::nullopt, std::nullopt, false});
  } else {
    walker.Walk(*before, *after, "");
  }
  out.unchanged = out.pointers.empty() ? 1 : 0;
  return Status::Ok();
}

}  // namespace sluice::diff
