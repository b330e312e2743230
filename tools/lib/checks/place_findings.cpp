#include "checks/place_findings.h"

#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "records/locate.h"

namespace sluice::checks {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// Whether the file's first value (after a byte order mark and blanks) is not an array: then
// the reader took the whole document as record 0.
bool IsOneDocument(const std::filesystem::path& file) {
  std::unique_ptr<std::FILE, FileCloser> handle(std::fopen(file.c_str(), "rb"));
  if (!handle) return false;
  int c = 0;
  while ((c = std::fgetc(handle.get())) != EOF) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xEF || c == 0xBB || c == 0xBF) continue;
    return c != '[';
  }
  return false;
}

}  // namespace

Status PlaceFindings(const std::filesystem::path& data, OutputReport& report) {
  std::set<std::string> pointers;
  for (const auto& check : report.checks) {
    for (const auto& finding : check.examples) {
      if (!finding.pointer.empty()) pointers.insert(finding.pointer);
    }
  }
  if (pointers.empty()) return Status::Ok();
  bool one_document = IsOneDocument(data);
  if (one_document) {
    std::set<std::string> in_file;
    for (const auto& pointer : pointers) {
      if (pointer == "/0" || pointer.rfind("/0/", 0) == 0) in_file.insert(pointer.substr(2));
    }
    pointers = std::move(in_file);
  }
  auto places = records::LocatePointers(data, pointers);
  if (!places.ok()) return places.status();
  for (auto& check : report.checks) {
    for (auto& finding : check.examples) {
      if (finding.pointer.empty()) continue;
      if (one_document && (finding.pointer == "/0" || finding.pointer.rfind("/0/", 0) == 0)) {
        finding.pointer = finding.pointer.substr(2);
      }
      auto place = places->find(finding.pointer);
      if (place == places->end()) continue;
      finding.line = place->second.line;
      finding.column = place->second.column;
    }
  }
  return Status::Ok();
}

}  // namespace sluice::checks
