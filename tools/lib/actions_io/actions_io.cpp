#include "actions_io/actions_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>
#include <random>

#include <fmt/format.h>

#include "core/secrets.h"
#include "json/json.h"

namespace sluice::actions {
namespace {

// Same shape as actions/toolkit's delimiter ("ghadelimiter_" + a UUID): 128 random bits make
// a collision with the value practically impossible; a collision is still refused.
std::string RandomDelimiter() {
  std::random_device device;
  std::string out = "ghadelimiter_";
  for (int i = 0; i < 4; ++i) out += fmt::format("{:08x}", device());
  return out;
}

Status AppendToFile(const std::string& path, std::string_view text, const char* what) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return InternalError(fmt::format("cannot open {} {}: {}", what, path, std::strerror(errno)));
  std::size_t done = 0;
  Status status;
  while (done < text.size() && status.ok()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) status = InternalError(fmt::format("cannot write {} {}: {}", what, path, std::strerror(errno)));
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return status;
}

std::optional<std::string> NonEmpty(const Environment& env, const char* name) {
  auto value = env.Get(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

const char* LevelName(AnnotationLevel level) {
  switch (level) {
    case AnnotationLevel::kNotice: return "notice";
    case AnnotationLevel::kWarning: return "warning";
    case AnnotationLevel::kError: return "error";
  }
  return "error";
}

std::string CommandProperties(const Annotation& annotation) {
  std::string out;
  auto add = [&out](const char* key, const std::string& value) {
    out += fmt::format("{}{}={}", out.empty() ? " " : ",", key, EscapeCommandProperty(Mask(value)));
  };
  if (!annotation.file.empty()) add("file", annotation.file);
  if (annotation.line > 0) add("line", std::to_string(annotation.line));
  if (annotation.column > 0) add("col", std::to_string(annotation.column));
  if (!annotation.title.empty()) add("title", annotation.title);
  return out;
}

// Outside Actions: "error: F:L:C: title: message", the way compilers print.
std::string HumanLine(const Annotation& annotation) {
  std::string out = fmt::format("{}: ", LevelName(annotation.level));
  if (!annotation.file.empty()) {
    out += annotation.file;
    if (annotation.line > 0) out += fmt::format(":{}", annotation.line);
    if (annotation.line > 0 && annotation.column > 0) out += fmt::format(":{}", annotation.column);
    out += ": ";
  }
  if (!annotation.title.empty()) out += annotation.title + ": ";
  return Mask(out + annotation.message);
}

}  // namespace

std::string EscapeCommandData(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out += c;
    }
  }
  return out;
}

std::string EscapeCommandProperty(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : EscapeCommandData(text)) {
    switch (c) {
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      default: out += c;
    }
  }
  return out;
}

ActionsIo::ActionsIo(const Environment& env, std::ostream& commands)
    : env_(env), commands_(commands), in_actions_(env.Get("GITHUB_ACTIONS") == "true") {}

Status ActionsIo::SetOutput(std::string_view name, std::string_view value) {
  auto path = NonEmpty(env_, "GITHUB_OUTPUT");
  if (!path) return Status::Ok();
  if (name.empty() || name.find_first_of("=\r\n") != std::string_view::npos || name.find("<<") != name.npos) {
    return InternalError(fmt::format("output name '{}' is empty or contains '=', '<<' or a newline", name));
  }
  std::string masked = Mask(value);
  if (masked.find_first_of("\r\n") == std::string::npos) {
    return AppendToFile(*path, fmt::format("{}={}\n", name, masked), "$GITHUB_OUTPUT");
  }
  std::string delimiter = RandomDelimiter();
  if (masked.find(delimiter) != std::string::npos) {
    return InternalError(fmt::format("output '{}' contains its heredoc delimiter; not written", name));
  }
  return AppendToFile(*path, fmt::format("{}<<{}\n{}\n{}\n", name, delimiter, masked, delimiter), "$GITHUB_OUTPUT");
}

Status ActionsIo::AppendSummary(std::string_view markdown) {
  auto path = NonEmpty(env_, "GITHUB_STEP_SUMMARY");
  if (!path) return Status::Ok();
  std::string masked = Mask(markdown);
  if (!masked.empty() && masked.back() != '\n') masked += '\n';
  return AppendToFile(*path, masked, "$GITHUB_STEP_SUMMARY");
}

void ActionsIo::Annotate(const Annotation& annotation) {
  if (!in_actions_) {
    commands_ << HumanLine(annotation) << '\n';
    return;
  }
  commands_ << "::" << LevelName(annotation.level) << CommandProperties(annotation)
            << "::" << EscapeCommandData(Mask(annotation.message)) << '\n';
}

void ActionsIo::MaskRegisteredSecrets() {
  if (!in_actions_) return;
  for (const auto& secret : RegisteredSecrets()) {
    if (!masked_.insert(secret).second) continue;
    // The runner masks line by line, so a multi-line secret (a PEM key) is registered per line.
    // Lines under 4 characters are skipped for the reason RegisterSecret ignores such values:
    // masking "}" or "==" would garble every log line while protecting nothing.
    std::size_t start = 0;
    while (start <= secret.size()) {
      std::size_t end = secret.find('\n', start);
      if (end == std::string::npos) end = secret.size();
      std::string line = secret.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() >= 4) commands_ << "::add-mask::" << EscapeCommandData(line) << '\n';
      start = end + 1;
    }
  }
}

Result<std::optional<rapidjson::Document>> ActionsIo::EventPayload() const {
  auto path = NonEmpty(env_, "GITHUB_EVENT_PATH");
  if (!path) return std::optional<rapidjson::Document>();
  auto document = json::ParseFile(*path);
  if (!document.ok()) return document.status();
  return std::optional<rapidjson::Document>(std::move(*document));
}

}  // namespace sluice::actions
