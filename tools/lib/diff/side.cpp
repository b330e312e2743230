#include "diff/side.h"

#include <fstream>

#include <fmt/format.h>

namespace sluice::diff {

Status ReadSide(const DataInput& side, pipeline::DataFormat format, const records::RecordVisitor& visit) {
  records::ReadOptions options;  // CSV cells stay text: the diff shows what the file says
  options.max_record_bytes = side.max_record_bytes;
  options.max_depth = side.max_depth;
  options.records = side.records;
  if (side.path) return records::ReadRecords(*side.path, format, options, visit);
  if (side.bytes) return records::ReadRecordsFromString(*side.bytes, side.origin, format, options, visit);
  return Status::Ok();  // a side that does not exist has no records
}

Result<std::string> PeekSide(const DataInput& side, std::size_t bytes) {
  if (side.bytes) return side.bytes->substr(0, bytes);
  if (!side.path) return std::string();
  std::ifstream in(*side.path, std::ios::binary);
  if (!in) return InputError(fmt::format("{}: cannot open the file", side.origin));
  std::string start(bytes, '\0');
  in.read(start.data(), static_cast<std::streamsize>(bytes));
  start.resize(static_cast<std::size_t>(in.gcount()));
  return start;
}

void FieldSet::Note(const rapidjson::Value& row) {
  if (!row.IsObject()) return;
  std::size_t position = 0;
  for (const auto& member : row.GetObject()) {
    std::string_view name(member.name.GetString(), member.name.GetStringLength());
    bool same_place = position < names_.size() && names_[position] == name;
    ++position;
    if (same_place) continue;
    std::string owned(name);
    if (known_.insert(owned).second) names_.push_back(std::move(owned));
  }
}

void FieldSet::Note(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    if (known_.insert(name).second) names_.push_back(name);
  }
}

std::vector<std::string> FieldsMissingFrom(const FieldSet& a, const FieldSet& b) {
  std::vector<std::string> missing;
  for (const auto& name : a.names()) {
    if (!b.Has(name)) missing.push_back(name);
  }
  return missing;
}

}  // namespace sluice::diff
