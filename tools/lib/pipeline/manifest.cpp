#include "pipeline/manifest.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>
#include <rapidjson/pointer.h>

#include "core/fs.h"
#include "json/json.h"
#include "pipeline/oncall_config.h"
#include "schema/validator.h"

namespace sluice::pipeline {
namespace fs = std::filesystem;
namespace {

using rapidjson::Value;

// Reports a problem at a JSON pointer: "<file>: <pointer>: <problem>".
class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}
  Status Config(const std::string& pointer, const std::string& problem) const {
    return ConfigError(fmt::format("{}: {}: {}", file_, pointer, problem));
  }
  Status Unsafe(const std::string& pointer, const std::string& problem) const {
    return UnsafeError(fmt::format("{}: {}: {}", file_, pointer, problem));
  }
  // Re-words a Status from core (ConfinePath) so it names the manifest and the pointer.
  Status Locate(const std::string& pointer, const Status& status) const {
    return Status(status.kind(), fmt::format("{}: {}: {}", file_, pointer, status.message()));
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

template <typename T>
std::optional<T> Number(const Value& object, const char* name) {
  const Value* value = json::Member(object, name);
  if (value == nullptr || !value->Is<T>()) return std::nullopt;
  return value->Get<T>();
}

DataFormat ParseFormat(const std::string& text) {
  if (text == "ndjson") return DataFormat::kNdjson;
  if (text == "csv") return DataFormat::kCsv;
  return DataFormat::kJson;  // the schema admits nothing else
}

std::optional<Owner> ReadOwner(const Value& owners, const char* role) {
  const Value* owner = json::Member(owners, role);
  if (owner == nullptr) return std::nullopt;
  return Owner{json::StringOr(*owner, "github"), json::StringOr(*owner, "slack")};
}

Source ReadSource(const Value& object) {
  Source source;
  source.name = json::StringOr(object, "name");
  source.url = json::StringOr(object, "url");
  source.command = json::Strings(object, "command");
  source.format = ParseFormat(json::StringOr(object, "format", "json"));
  source.output = json::StringOr(object, "output");
  source.key = json::Strings(object, "key");
  source.schema = json::StringOr(object, "schema");
  source.volatile_fields = json::Strings(object, "volatile");
  source.max_bytes = Number<std::uint64_t>(object, "max_bytes");
  source.max_record_bytes = Number<std::uint64_t>(object, "max_record_bytes");
  source.max_depth = Number<std::size_t>(object, "max_depth");
  source.timeout_seconds = Number<int>(object, "timeout_seconds");
  source.attempts = Number<int>(object, "attempts");
  return source;
}

// Copies what the schema has already vouched for into the struct; no checks here.
Manifest ReadManifest(const Value& root) {
  Manifest manifest;
  manifest.name = json::StringOr(root, "name");
  manifest.description = json::StringOr(root, "description");
  for (const auto& source : root["sources"].GetArray()) manifest.sources.push_back(ReadSource(source));
  manifest.review = json::StringOr(root, "review", "manual");
  if (const Value* owners = json::Member(root, "owners")) {
    manifest.primary_owner = ReadOwner(*owners, "primary");
    manifest.secondary_owner = ReadOwner(*owners, "secondary");
    const Value* after = json::Member(*owners, "escalate_after_hours");
    if (after != nullptr && after->IsNumber()) manifest.escalate_after_hours = after->GetDouble();
  }
  if (const Value* publish = json::Member(root, "publish")) {
    manifest.staging_target = json::StringOr(*publish, "staging");
    manifest.production_target = json::StringOr(*publish, "production");
    manifest.staging_url = json::StringOr(*publish, "staging_url");
    manifest.production_url = json::StringOr(*publish, "production_url");
    manifest.publish_verify = json::StringOr(*publish, "verify");
    if (const Value* window = json::Member(*publish, "window")) {
      manifest.window = PublishWindow{json::StringOr(*window, "time"), json::StringOr(*window, "timezone"),
                                      json::Strings(*window, "days"), Number<int>(*window, "open_minutes").value_or(180)};
    }
  }
  if (const Value* schedule = json::Member(root, "schedule")) {
    manifest.schedule = Schedule{json::Strings(*schedule, "at"), json::StringOr(*schedule, "timezone"), json::Strings(*schedule, "days"),
                                 json::Strings(*schedule, "skip_dates"),
                                 Number<int>(*schedule, "catch_up_minutes").value_or(180)};
  }
  manifest.runbook = json::StringOr(root, "runbook");
  if (const Value* sla = json::Member(root, "sla")) {
    const Value* hours = json::Member(*sla, "max_age_hours");
    if (hours != nullptr && hours->IsNumber()) manifest.sla_max_age_hours = hours->GetDouble();  // 26 or 26.5
  }
  return manifest;
}

// A file: URL must not read outside the repository: a manifest arrives through PRs.
Status CheckFileUrl(const Source& source, const fs::path& workspace, const Problems& problems,
                    const std::string& at) {
  std::string path = source.url.substr(std::string_view("file:").size());
  if (path.rfind("//", 0) == 0) {
    fs::path absolute = path.substr(2);
    if (!absolute.is_absolute()) {
      return problems.Config(at, fmt::format("'{}' names a host; write file:///absolute/path or file:relative/path",
                                             source.url));
    }
    std::error_code root_error;
    std::error_code path_error;
    fs::path root = fs::weakly_canonical(fs::absolute(workspace, root_error), root_error);
    fs::path relative = fs::weakly_canonical(absolute, path_error).lexically_relative(root);
    if (root_error || path_error || relative.empty() || *relative.begin() == "..") {
      return problems.Unsafe(at, fmt::format("'{}' is outside the workspace {}", source.url, root.string()));
    }
    path = relative.string();
  }
  auto confined = ConfinePath(workspace, path);
  return confined.ok() ? Status::Ok() : problems.Locate(at, confined.status());
}

Status CheckOrigin(const Source& source, const fs::path& workspace, const Problems& problems,
                   const std::string& at) {
  if (source.url.empty() == source.command.empty()) {
    return problems.Config(at, "give exactly one of \"url\" or \"command\"");
  }
  if (source.url.empty()) return Status::Ok();
  if (source.url.rfind("https://", 0) == 0 || source.url.rfind("http://", 0) == 0) return Status::Ok();
  if (source.url.rfind("file:", 0) == 0) return CheckFileUrl(source, workspace, problems, at + "/url");
  return problems.Config(at + "/url", fmt::format("'{}': the scheme must be http, https or file", source.url));
}

// Expands ${NAME} in header values; ExpandEnvReferences registers each value as a secret.
Status ExpandHeaders(const Value& object, Source& source, const Environment& env, const Problems& problems,
                     const std::string& at) {
  const Value* headers = json::Member(object, "headers");
  if (headers == nullptr) return Status::Ok();
  for (const auto& header : headers->GetObject()) {
    std::string name(header.name.GetString(), header.name.GetStringLength());
    std::string where = fmt::format("{}: {}/headers/{}", problems.file(), at, json::EscapePointerToken(name));
    auto value = ExpandEnvReferences(header.value.GetString(), env, where);
    if (!value.ok()) return value.status();
    source.headers.emplace_back(std::move(name), std::move(*value));
  }
  return Status::Ok();
}

// "records": a pointer pattern (json/pointer_pattern.h), for a JSON document.
Status ReadRecordsPointer(const Value& object, Source& source, const Problems& problems, const std::string& at) {
  const Value* records = json::Member(object, "records");
  if (records == nullptr || !records->IsString()) return Status::Ok();
  auto pattern = json::ParsePointerPattern(std::string_view(records->GetString(), records->GetStringLength()));
  if (!pattern.ok()) return problems.Config(at + "/records", pattern.status().message());
  if (source.format != DataFormat::kJson) {
    return problems.Config(at + "/records", fmt::format("records inside a document need format json, not {}",
                                                        DataFormatName(source.format)));
  }
  source.records = std::move(pattern).value();
  return Status::Ok();
}

// What the schema cannot say about sources: uniqueness, confinement, resolvable headers.
Status ResolveSources(const Value& root, Manifest& manifest, const fs::path& workspace, const Environment& env,
                      const Problems& problems) {
  std::map<std::string, std::string> names;    // name -> pointer of its first use
  std::map<fs::path, std::string> outputs;     // resolved output -> pointer of its first use
  const auto& objects = root["sources"].GetArray();
  for (rapidjson::SizeType i = 0; i < objects.Size(); ++i) {
    Source& source = manifest.sources[i];
    std::string at = fmt::format("/sources/{}", i);
    auto [first_name, fresh_name] = names.emplace(source.name, at + "/name");
    if (!fresh_name) {
      return problems.Config(at + "/name", fmt::format("source name '{}' is already used at {}", source.name,
                                                       first_name->second));
    }
    SLUICE_RETURN_IF_ERROR(CheckOrigin(source, workspace, problems, at));
    auto output = ConfinePath(workspace, source.output);
    if (!output.ok()) return problems.Locate(at + "/output", output.status());
    auto [first_output, fresh_output] = outputs.emplace(*output, at + "/output");
    if (!fresh_output) {
      return problems.Config(at + "/output", fmt::format("output '{}' is already written by {}", source.output,
                                                         first_output->second));
    }
    if (!source.schema.empty()) {
      auto schema = ConfinePath(workspace, source.schema);
      if (!schema.ok()) return problems.Locate(at + "/schema", schema.status());
    }
    SLUICE_RETURN_IF_ERROR(ExpandHeaders(objects[i], source, env, problems, at));
    SLUICE_RETURN_IF_ERROR(ReadRecordsPointer(objects[i], source, problems, at));
  }
  return Status::Ok();
}

Status CheckCheckOutputs(const Value& root, const Manifest& manifest, const Problems& problems) {
  const Value* checks = json::Member(root, "checks");
  if (checks == nullptr) return Status::Ok();
  for (rapidjson::SizeType i = 0; i < checks->Size(); ++i) {
    std::string output = json::StringOr((*checks)[i], "output");
    if (output.empty() || manifest.FindSource(output) != nullptr) continue;
    std::string known;
    for (const auto& source : manifest.sources) known += (known.empty() ? "" : ", ") + source.name;
    return problems.Config(fmt::format("/checks/{}/output", i),
                           fmt::format("no source is named '{}' (sources: {})", output, known));
  }
  return Status::Ok();
}

Result<rapidjson::Document> CompiledInSchema() {
  auto schema = json::Parse(ManifestSchemaText(), "pipeline.schema.json");
  if (!schema.ok()) return InternalError("the built-in manifest schema is malformed: " + schema.status().message());
  return schema;
}

// The manifest schema (or, with `root`, one of its definitions: a shared oncall.json) compiled
// once per process with sluice's own validator, which reports every problem (RapidJSON 1.1's
// stops at the first).
const schema::Validator* ManifestValidator(Status& failure, const std::string& root = "") {
  struct Compiled {
    Status status;
    std::unique_ptr<schema::Validator> validator;
  };
  static const auto compile = [](const std::string& at) {
    Compiled out;
    auto schema = CompiledInSchema();
    if (!schema.ok()) {
      out.status = schema.status();
      return out;
    }
    auto compiled = at.empty() ? schema::Validator::Compile(*schema) : schema::Validator::CompileAt(*schema, at);
    if (!compiled.ok()) {
      out.status = InternalError("the built-in manifest schema does not compile: " + compiled.status().message());
      return out;
    }
    out.validator = std::make_unique<schema::Validator>(std::move(compiled).value());
    return out;
  };
  static const Compiled whole = compile("");
  static const Compiled oncall = compile("/definitions/oncall");
  const Compiled& chosen = root.empty() ? whole : oncall;
  failure = chosen.status;
  return chosen.validator.get();
}

// A type the schema asks for, as a data engineer reads it.
std::string TypeInWords(std::string_view type) {
  if (type == "number") return "a number";
  if (type == "integer") return "a whole number";
  if (type == "string") return "a string";
  if (type == "boolean") return "true or false";
  if (type == "array") return "a list";
  if (type == "object") return "an object";
  return std::string(type);
}

// What is wrong, in words: "min must be a number, not \"one\"" for a value of the wrong type;
// the validator's keyword and sentence otherwise.
std::string ProblemText(const schema::ValidationError& error, const Value& document) {
  std::string fallback = error.keyword + " " + error.message;
  if (error.keyword != "type" || error.instance_pointer.empty()) return fallback;
  static const auto schema = CompiledInSchema();
  if (!schema.ok() || error.schema_pointer.empty() || error.schema_pointer[0] != '#') return fallback;
  const Value* expected = rapidjson::Pointer(error.schema_pointer.substr(1).c_str()).Get(*schema);
  const Value* value = rapidjson::Pointer(error.instance_pointer.c_str()).Get(document);
  if (expected == nullptr || value == nullptr) return fallback;
  std::string types;
  auto add = [&](const Value& type) {
    if (type.IsString()) types += (types.empty() ? "" : " or ") + TypeInWords(type.GetString());
  };
  if (expected->IsArray()) {
    for (const auto& type : expected->GetArray()) add(type);
  } else {
    add(*expected);
  }
  std::string name = error.instance_pointer.substr(error.instance_pointer.rfind('/') + 1);
  for (std::size_t p; (p = name.find("~1")) != std::string::npos;) name.replace(p, 2, "/");
  for (std::size_t p; (p = name.find("~0")) != std::string::npos;) name.replace(p, 2, "~");
  std::string shown = json::Write(*value);
  if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
  if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) name = "item " + name;  // in a list
  return fmt::format("{} must be {}, not {}", name, types, shown);
}

// Every problem, one per line: "<file>: <pointer>: <what is wrong>".
// With `root` (a definition such as /definitions/oncall) the document is checked against that
// part of the schema, and `at` (where the value sits in its file: "/oncall", or "" for a file of
// its own) precedes every pointer.
Status ValidateAgainstManifestSchema(const Value& document, const std::string& file, const std::string& root = "",
                                     const std::string& at = "") {
  Status failure;
  const schema::Validator* validator = ManifestValidator(failure, root);
  if (validator == nullptr) return failure;
  std::vector<schema::ValidationError> errors;
  if (validator->Validate(document, errors, 50)) return Status::Ok();
  std::string message;
  for (const auto& error : errors) {
    std::string pointer = at + error.instance_pointer;
    message += fmt::format("{}{}: {}: {}", message.empty() ? "" : "\n", file, pointer.empty() ? "/" : pointer,
                           ProblemText(error, document));
  }
  return ConfigError(message);
}

// The "oncall" member: the set-up itself, or the repository path of a shared file holding it
// (checked against the same definition, its errors naming that file).
Result<OnCall> LoadOnCall(const Value& oncall, const fs::path& workspace, const Problems& problems) {
  if (oncall.IsObject()) {
    SLUICE_RETURN_IF_ERROR(ValidateAgainstManifestSchema(oncall, problems.file(), "/definitions/oncall", "/oncall"));
    return ReadOnCall(oncall, problems.file(), "/oncall");
  }
  std::string relative = oncall.GetString();
  auto path = ConfinePath(workspace, relative);
  if (!path.ok()) return problems.Locate("/oncall", path.status());
  auto text = ReadFile(*path);
  if (!text.ok()) return problems.Config("/oncall", fmt::format("{}: {}", relative, text.status().message()));
  auto document = json::Parse(*text, relative);
  if (!document.ok()) return Status(ErrorKind::kConfig, document.status().message());
  if (std::string repeated = json::FirstRepeatedKey(*document); !repeated.empty()) {
    return ConfigError(fmt::format("{}: {}: the key \"{}\" is given twice in the same object; keep one", relative,
                                   repeated, repeated.substr(repeated.rfind('/') + 1)));
  }
  SLUICE_RETURN_IF_ERROR(ValidateAgainstManifestSchema(*document, relative, "/definitions/oncall"));
  return ReadOnCall(*document, relative, "");
}

}  // namespace

DataFormat FormatFromExtension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".csv") return DataFormat::kCsv;
  if (ext == ".ndjson" || ext == ".jsonl") return DataFormat::kNdjson;
  return DataFormat::kJson;
}

Result<DataFormat> FormatFromFlag(const std::string& flag, const fs::path& path) {
  if (flag.empty()) {
    // Guessing JSON for "data.bin" or "data.txt" would fail later as "malformed JSON", far from the cause.
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext != ".json" && ext != ".csv" && ext != ".ndjson" && ext != ".jsonl") {
      return UsageError(fmt::format("cannot tell the format of {} from its name: pass --format json, ndjson or csv",
                                    path.string()));
    }
    return FormatFromExtension(path);
  }
  if (flag == "json") return DataFormat::kJson;
  if (flag == "ndjson") return DataFormat::kNdjson;
  if (flag == "csv") return DataFormat::kCsv;
  return UsageError(fmt::format("--format {}: use json, ndjson or csv", flag));
}

const char* DataFormatName(DataFormat format) {
  switch (format) {
    case DataFormat::kJson: return "json";
    case DataFormat::kNdjson: return "ndjson";
    case DataFormat::kCsv: return "csv";
  }
  return "json";
}

std::string SourcePointer(const Manifest& manifest, const Source& source, std::string_view member) {
  std::size_t index = 0;
  while (index < manifest.sources.size() && &manifest.sources[index] != &source) ++index;
  std::string shown = manifest.display_path.empty() ? manifest.path.string() : manifest.display_path;
  return fmt::format("{}: /sources/{}/{}", shown, index, member);
}

Status CheckMaxBytes(const Manifest& manifest, const Source& source, const std::filesystem::path& file,
                     const std::string& shown) {
  if (!source.max_bytes) return Status::Ok();
  std::error_code error;
  std::uint64_t size = std::filesystem::file_size(file, error);
  if (error || size <= *source.max_bytes) return Status::Ok();  // a file that cannot be read fails where it is read
  return InputError(fmt::format(
      "{}: {} bytes, more than the source's max_bytes of {} ({}); not read. sluice-fetch refuses a download this "
      "large, so the file came from somewhere else: check it, or raise max_bytes",
      shown, size, *source.max_bytes, SourcePointer(manifest, source, "max_bytes")));
}

const Source* Manifest::FindSource(std::string_view source_name) const {
  for (const auto& source : sources) {
    if (source.name == source_name) return &source;
  }
  return nullptr;
}

Result<Manifest> LoadManifest(const fs::path& file, const fs::path& workspace, const Environment& env) {
  // A relative manifest path is relative to the workspace, like every path inside it; errors
  // keep naming it as given, which is also the form annotations want (workspace-relative).
  fs::path resolved = file.is_relative() ? workspace / file : file;
  auto text = ReadFile(resolved);
  if (!text.ok()) return Status(ErrorKind::kConfig, text.status().message());
  auto document = json::Parse(*text, file.string());
  if (!document.ok()) return Status(ErrorKind::kConfig, document.status().message());
  // RapidJSON keeps both members of a repeated key, and every reader of the manifest would see
  // the first one only: refused, whatever the tool.
  if (std::string repeated = json::FirstRepeatedKey(*document); !repeated.empty()) {
    return ConfigError(fmt::format("{}: {}: the key \"{}\" is given twice in the same object; one of the two values "
                                   "would be ignored: keep one", file.string(), repeated,
                                   repeated.substr(repeated.rfind('/') + 1)));
  }
  SLUICE_RETURN_IF_ERROR(ValidateAgainstManifestSchema(*document, file.string()));

  Problems problems(file.string());
  Manifest manifest = ReadManifest(*document);
  manifest.path = resolved;
  manifest.display_path = file.string();
  SLUICE_RETURN_IF_ERROR(ResolveSources(*document, manifest, workspace, env, problems));
  SLUICE_RETURN_IF_ERROR(CheckCheckOutputs(*document, manifest, problems));
  if (const Value* oncall = json::Member(*document, "oncall")) {
    auto read = LoadOnCall(*oncall, workspace, problems);
    if (!read.ok()) return read.status();
    manifest.oncall = std::move(read).value();
  }
  manifest.document = std::make_shared<const rapidjson::Document>(std::move(*document));
  return manifest;
}

}  // namespace sluice::pipeline
