#include "checks/self_test.h"

#include <stdlib.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "core/fs.h"
#include "git/repository.h"
#include "json/json.h"

namespace sluice::checks {
namespace {

namespace fs = std::filesystem;
using rapidjson::Document;
using rapidjson::Value;

// The data a fail stub is merged onto, as records, with the CSV header.
struct LastGood {
  std::vector<Document> records;
  std::vector<std::string> header;
  // A source whose records, or a check's, are inside a document ("records"): records[0] is the
  // document, and a fail stub patches it, since its records cannot be written back one by one.
  bool whole_document = false;
  std::string bytes;  // as read: the previous version a fail stub's data is compared with
};

// A directory removed when the self-test ends.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "sluice-selftest-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

Result<std::string> LastGoodBytes(const pipeline::Source& source, const ValidateOptions& options) {
  if (auto repo = git::Repository::Discover(options.workspace); repo.ok()) {
    auto data = ConfinePath(options.workspace, source.output);
    if (!data.ok()) return data.status();
    std::string path = fs::relative(*data, fs::weakly_canonical(repo->workdir())).generic_string();
    auto committed = repo->ReadFileAt(options.previous_revision, path);
    if (committed.ok() && committed->has_value()) return std::move(**committed);
  }
  auto working = ConfinePath(options.workspace, source.output);
  if (!working.ok()) return working.status();
  return ReadFile(*working);
}

// Whether a check of `source` reads records inside its document (a check's own "records"):
// then a fail stub patches the document, which those records cannot be written back into.
bool ChecksReadInside(const pipeline::Manifest& manifest, const pipeline::Source& source) {
  const Value* checks = json::Member(*manifest.document, "checks");
  if (checks == nullptr || !checks->IsArray()) return false;
  std::string only = manifest.sources.size() == 1 ? manifest.sources[0].name : "";
  return std::any_of(checks->Begin(), checks->End(), [&](const Value& check) {
    return check.IsObject() && json::StringOr(check, "output", only) == source.name && check.HasMember("records");
  });
}

Result<LastGood> LoadLastGood(const pipeline::Manifest& manifest, const pipeline::Source& source,
                              const ValidateOptions& options) {
  auto bytes = LastGoodBytes(source, options);
  if (!bytes.ok()) return bytes.status();
  LastGood good;
  if (source.records || ChecksReadInside(manifest, source)) {
    auto document = json::Parse(*bytes, source.output + " (last good)");
    if (!document.ok()) return document.status();
    good.records.push_back(std::move(document).value());
    good.whole_document = true;
    good.bytes = std::move(bytes).value();
    return good;
  }
  Status read = records::ReadRecordsFromString(*bytes, source.output + " (last good)", source.format, {},
                                               [&](records::Record& r) {
                                                 Document copy;
                                                 copy.CopyFrom(r.value, copy.GetAllocator());
                                                 good.records.push_back(std::move(copy));
                                                 return Status::Ok();
                                               },
                                               &good.header);
  if (!read.ok()) return read;
  if (good.records.empty()) return InputError(fmt::format("{}: the last good data has no records to merge onto", source.output));
  good.bytes = std::move(bytes).value();
  return good;
}

// RFC 7396 merge patch.
void MergePatch(Value& target, const Value& patch, Document::AllocatorType& alloc) {
  if (!patch.IsObject() || !target.IsObject()) {
    target.CopyFrom(patch, alloc);
    return;
  }
  for (const auto& member : patch.GetObject()) {
    if (member.name == "$record" || member.name == "$remove" || member.name == "$duplicate") continue;
    auto existing = target.FindMember(member.name);
    if (member.value.IsNull()) {
      if (existing != target.MemberEnd()) target.RemoveMember(existing);
    } else if (existing != target.MemberEnd()) {
      MergePatch(existing->value, member.value, alloc);
    } else {
      Value name(member.name, alloc);
      Value copy(member.value, alloc);
      target.AddMember(name, copy, alloc);
    }
  }
}

std::string CsvCell(const Value* value) {
  if (value == nullptr || value->IsNull()) return "";
  std::string text = value->IsString() ? std::string(value->GetString(), value->GetStringLength()) : json::Write(*value);
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string Serialise(const LastGood& good, pipeline::DataFormat format) {
  if (good.whole_document) return json::Write(good.records[0], true) + "\n";
  if (format == pipeline::DataFormat::kJson) {
    std::string out = "[\n";
    for (size_t i = 0; i < good.records.size(); ++i) out += json::Write(good.records[i]) + (i + 1 < good.records.size() ? ",\n" : "\n");
    return out + "]\n";
  }
  if (format == pipeline::DataFormat::kNdjson) {
    std::string out;
    for (const auto& r : good.records) out += json::Write(r) + "\n";
    return out;
  }
  std::vector<std::string> header = good.header;
  for (const auto& r : good.records) {  // a stub may add a column
    for (const auto& m : r.GetObject()) {
      std::string name(m.name.GetString(), m.name.GetStringLength());
      if (std::find(header.begin(), header.end(), name) == header.end()) header.push_back(name);
    }
  }
  auto quote = [](const std::string& name) {
    Value text(rapidjson::StringRef(name.data(), name.size()));
    return CsvCell(&text);
  };
  std::string out;
  for (size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + quote(header[i]);
  out += "\n";
  for (const auto& r : good.records) {
    for (size_t i = 0; i < header.size(); ++i) {
      auto member = r.FindMember(rapidjson::StringRef(header[i].data(), header[i].size()));
      out += (i ? "," : "") + CsvCell(member == r.MemberEnd() ? nullptr : &member->value);
    }
    out += "\n";
  }
  return out;
}

std::vector<fs::path> Samples(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Verdict(const OutputReport& output) {
  std::vector<std::string> failed;
  for (const auto& c : output.checks) {
    if (!c.passed && c.severity == Severity::kError) failed.push_back(c.id);
  }
  if (failed.empty()) return "";
  std::string text = "fails";
  for (const auto& id : failed) text += " " + id;
  return text;
}

SelfTestCase RunPass(const pipeline::Manifest& m, const pipeline::Source& source, const fs::path& sample,
                     const ValidateOptions& options) {
  SelfTestCase result{source.name, fs::relative(sample, options.workspace).string(), true, false, ""};
  auto output = ValidateAsOutput(m, source, sample, options);
  if (!output.ok()) {
    result.detail = output.status().message();
    return result;
  }
  std::string failed = Verdict(*output);
  result.ok = failed.empty();
  result.detail = result.ok ? "passes, as it must" : "a good sample " + failed;
  return result;
}

SelfTestCase RunFail(const pipeline::Manifest& m, const pipeline::Source& source, const fs::path& stub_path,
                     const LastGood& good, const ValidateOptions& options, const fs::path& scratch) {
  SelfTestCase result{source.name, fs::relative(stub_path, options.workspace).string(), false, false, ""};
  auto stub = json::ParseFile(stub_path);
  if (!stub.ok() || !stub->IsObject()) {
    result.detail = stub.ok() ? "a fail stub must be a JSON object (a merge patch)" : stub.status().message();
    return result;
  }
  LastGood patched;
  patched.header = good.header;
  patched.whole_document = good.whole_document;
  for (const auto& r : good.records) {
    Document copy;
    copy.CopyFrom(r, copy.GetAllocator());
    patched.records.push_back(std::move(copy));
  }
  const Value* which = json::Member(*stub, "$record");
  size_t index = which != nullptr && which->IsUint() ? which->GetUint() : 0;
  const bool moves_rows = json::Member(*stub, "$remove") != nullptr || json::Member(*stub, "$duplicate") != nullptr;
  if ((which != nullptr || moves_rows) && good.whole_document) {
    result.detail = fmt::format("\"{}\" works on a record of a flat file; the records of this source are inside a "
                                "document, and its fail stubs patch the document (RFC 7396)",
                                which != nullptr ? "$record" : json::Member(*stub, "$remove") ? "$remove" : "$duplicate");
    return result;
  }
  if (index >= patched.records.size()) {
    result.detail = fmt::format("\"$record\": {} is past the {} records of the last good data", index, patched.records.size());
    return result;
  }
  // "$remove": true drops the record, "$duplicate": true adds the patched record after it: the
  // row count moves, so that row_count_change can be proven able to fail too.
  auto flag = [&](const char* name) {
    const Value* value = json::Member(*stub, name);
    return value != nullptr && value->IsBool() && value->GetBool();
  };
  auto at = patched.records.begin() + static_cast<std::ptrdiff_t>(index);
  if (flag("$remove")) {
    patched.records.erase(at);
  } else {
    MergePatch(*at, *stub, at->GetAllocator());
    if (flag("$duplicate")) {
      Document copy;
      copy.CopyFrom(*at, copy.GetAllocator());
      patched.records.insert(at + 1, std::move(copy));
    }
  }
  fs::path data = scratch / (stub_path.stem().string() + fs::path(source.output).extension().string());
  Status written = WriteFileAtomically(data, Serialise(patched, source.format));
  // Against the last good data as the previous version: a stub is one edition later, so the
  // checks that compare editions (value_change, row_count_change) judge it too.
  auto output = written.ok() ? ValidateAsOutput(m, source, data, options, good.bytes) : Result<OutputReport>(written);
  if (!output.ok()) {
    // Data the reader rejects outright is caught too: that is a failure, as the stub wants.
    result.ok = output.status().kind() == ErrorKind::kInput;
    result.detail = output.status().message();
    return result;
  }
  std::string failed = Verdict(*output);
  result.ok = !failed.empty();
  result.detail = result.ok ? "caught: " + failed : "BROKEN: this bad sample passes every error-severity check";
  return result;
}

}  // namespace

int SelfTestReport::broken() const {
  return static_cast<int>(std::count_if(cases.begin(), cases.end(), [](const auto& c) { return !c.ok; }));
}

Result<SelfTestReport> RunSelfTest(const pipeline::Manifest& manifest, const ValidateOptions& options) {
  SelfTestReport report;
  report.pipeline = manifest.name;
  ScratchDir scratch;
  if (scratch.path.empty()) return InternalError("cannot create a scratch directory for the self-test");
  for (const auto& source : manifest.sources) {
    fs::path dir = options.workspace / "tests" / manifest.name / source.name;
    for (const auto& sample : Samples(dir / "pass")) report.cases.push_back(RunPass(manifest, source, sample, options));
    auto stubs = Samples(dir / "fail");
    if (stubs.empty()) continue;
    auto good = LoadLastGood(manifest, source, options);
    if (!good.ok()) return good.status();
    for (const auto& stub : stubs) report.cases.push_back(RunFail(manifest, source, stub, *good, options, scratch.path));
  }
  if (report.cases.empty()) {
    return UsageError(fmt::format("--self-test: no samples under tests/{}/<output>/pass or fail in {}", manifest.name,
                                  options.workspace.string()));
  }
  return report;
}

std::string SelfTestText(const SelfTestReport& report) {
  std::string text;
  for (const auto& c : report.cases) {
    text += fmt::format("{} {:<5} {:<40} {}\n", c.ok ? "✓" : "✗", c.expect_pass ? "pass" : "fail", c.sample, c.detail);
  }
  text += report.broken() == 0 ? fmt::format("self-test: all {} samples behave\n", report.cases.size())
                               : fmt::format("self-test: {} of {} samples misbehave: the validation is broken\n",
                                             report.broken(), report.cases.size());
  return text;
}

std::string SelfTestMarkdown(const SelfTestReport& report) {
  std::string md = fmt::format("### sluice-validate --self-test {}: {}\n\n| | expected | sample | result |\n|---|---|---|---|\n",
                               report.pipeline, report.broken() == 0 ? "✅ all samples behave" : "❌ broken");
  for (const auto& c : report.cases) {
    md += fmt::format("| {} | {} | `{}` | {} |\n", c.ok ? "✅" : "❌", c.expect_pass ? "pass" : "fail", c.sample, c.detail);
  }
  return md;
}

}  // namespace sluice::checks
