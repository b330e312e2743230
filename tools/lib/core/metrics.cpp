#include "core/metrics.h"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "core/fs.h"

namespace sluice::metrics {
namespace {

bool NameStart(char c, bool colon) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (colon && c == ':'); }
bool NameChar(char c, bool colon) { return NameStart(c, colon) || std::isdigit(static_cast<unsigned char>(c)); }

bool ValidName(std::string_view name, bool colon) {
  if (name.empty() || !NameStart(name[0], colon)) return false;
  for (char c : name) {
    if (!NameChar(c, colon)) return false;
  }
  return true;
}

bool EndsWith(std::string_view text, std::string_view tail) {
  return text.size() >= tail.size() && text.substr(text.size() - tail.size()) == tail;
}

std::string EscapeHelp(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '\\' ? "\\\\" : c == '\n' ? "\\n" : std::string(1, c);
  return out;
}

// The exposition format escapes only these two in HELP (a label value also escapes '"'); any
// other backslash sequence is refused, as Prometheus's own parser does.
std::optional<std::string> UnescapeHelp(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    char next = i + 1 < text.size() ? text[++i] : '\0';
    if (next == '\\') out += '\\';
    else if (next == 'n') out += '\n';
    else return std::nullopt;
  }
  return out;
}

std::string EscapeLabel(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '"' ? "\\\"" : std::string(1, c);
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<long long>(value));
  return fmt::format("{}", value);
}

std::string SeriesKey(const Labels& labels) {
  std::string key;
  for (const auto& [name, value] : labels) key += name + "=" + value + "\x1f";
  return key;
}

// One sample line: name{a="x",b="y"} value
class LineParser {
 public:
  LineParser(std::string_view line, std::size_t number) : line_(line), number_(number) {}

  Status Parse(std::string& name, Sample& sample) {
    while (pos_ < line_.size() && NameChar(line_[pos_], true)) ++pos_;
    name = std::string(line_.substr(0, pos_));
    if (!ValidName(name, true)) return Error("a sample line must start with a metric name");
    if (pos_ < line_.size() && line_[pos_] == '{') SLUICE_RETURN_IF_ERROR(ParseLabels(sample.labels));
    if (pos_ >= line_.size() || line_[pos_] != ' ') return Error("expected one space before the value");
    std::string value(line_.substr(pos_ + 1));
    if (value.find(' ') != std::string::npos) return Error("timestamps are not written by sluice; expected only a value");
    return ParseValue(value, sample.value);
  }

 private:
  Status Error(const std::string& what) const { return InputError(fmt::format("line {}: {}", number_, what)); }

  Status ParseLabels(Labels& labels) {
    ++pos_;  // {
    while (pos_ < line_.size() && line_[pos_] != '}') {
      std::size_t start = pos_;
      while (pos_ < line_.size() && NameChar(line_[pos_], false)) ++pos_;
      std::string label(line_.substr(start, pos_ - start));
      // Names starting with "__" are reserved to Prometheus; RenderExposition refuses them too.
      if (!ValidName(label, false) || label.rfind("__", 0) == 0) return Error(fmt::format("bad label name '{}'", label));
      if (line_.substr(pos_, 2) != "=\"") return Error(fmt::format("label {}: expected =\"", label));
      pos_ += 2;
      std::string value;
      for (; pos_ < line_.size() && line_[pos_] != '"'; ++pos_) {
        if (line_[pos_] != '\\') {
          value += line_[pos_];
          continue;
        }
        char next = pos_ + 1 < line_.size() ? line_[++pos_] : '\0';
        if (next == '\\' || next == '"') value += next;
        else if (next == 'n') value += '\n';
        else return Error(fmt::format("label {}: bad escape", label));
      }
      if (pos_ >= line_.size()) return Error(fmt::format("label {}: unterminated value", label));
      ++pos_;  // closing quote
      if (!labels.emplace(label, value).second) return Error(fmt::format("label {} repeated", label));
      if (pos_ < line_.size() && line_[pos_] == ',') ++pos_;
      else if (pos_ < line_.size() && line_[pos_] != '}') return Error("expected , or } after a label");
    }
    if (pos_ >= line_.size()) return Error("unterminated label set");
    ++pos_;  // }
    return Status::Ok();
  }

  Status ParseValue(const std::string& text, double& value) const {
    if (text == "+Inf") value = INFINITY;
    else if (text == "-Inf") value = -INFINITY;
    else if (text == "NaN") value = NAN;
    else {
      char* end = nullptr;
      value = std::strtod(text.c_str(), &end);
      bool ok = !text.empty() && end == text.c_str() + text.size() &&
                text.find_first_not_of("0123456789+-.eE") == std::string::npos;
      if (!ok) return Error(fmt::format("'{}' is not a number", text));
    }
    return Status::Ok();
  }

  std::string_view line_;
  std::size_t number_;
  std::size_t pos_ = 0;
};

}  // namespace

const char* MetricTypeName(MetricType type) { return type == MetricType::kCounter ? "counter" : "gauge"; }

void MetricSet::Set(const std::string& name, const std::string& help, MetricType type, const Labels& labels, double value) {
  MetricFamily* family = nullptr;
  for (auto& f : families_) {
    if (f.name == name) family = &f;
  }
  if (family == nullptr) {
    families_.push_back({name, help, type, {}});
    family = &families_.back();
  }
  for (auto& sample : family->samples) {
    if (sample.labels == labels) {
      sample.value = value;
      return;
    }
  }
  family->samples.push_back({labels, value});
}

Result<std::string> RenderExposition(const std::vector<MetricFamily>& families) {
  std::string text;
  for (const auto& family : families) {
    if (!ValidName(family.name, true)) return InternalError(fmt::format("metric name '{}' is not valid", family.name));
    text += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name, EscapeHelp(family.help), family.name,
                        MetricTypeName(family.type));
    for (const auto& sample : family.samples) {
      text += family.name;
      if (!sample.labels.empty()) {
        std::string labels;
        for (const auto& [name, value] : sample.labels) {
          if (!ValidName(name, false) || name.rfind("__", 0) == 0) return InternalError(fmt::format("label name '{}' is not valid", name));
          labels += fmt::format("{}{}=\"{}\"", labels.empty() ? "" : ",", name, EscapeLabel(value));
        }
        text += "{" + labels + "}";
      }
      text += " " + FormatValue(sample.value) + "\n";
    }
  }
  return text;
}

Status WriteMetricsFile(const std::filesystem::path& path, const std::vector<MetricFamily>& families) {
  auto text = RenderExposition(families);
  if (!text.ok()) return text.status();
  return WriteFileAtomically(path, *text).WithContext("writing metrics");
}

Result<std::vector<MetricFamily>> ParseExposition(std::string_view text) {
  if (!text.empty() && text.back() != '\n') return InputError("the text must end with a newline");
  std::vector<MetricFamily> families;
  std::set<std::string> closed;  // families whose samples have ended
  std::map<std::string, std::set<std::string>> series;
  std::size_t number = 0;
  MetricFamily* current = nullptr;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (line.empty()) return InputError(fmt::format("line {}: empty line", number));
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      bool help = line[2] == 'H';
      std::string_view rest = line.substr(7);
      std::size_t space = rest.find(' ');
      std::string name(rest.substr(0, space));
      std::string value(space == std::string_view::npos ? "" : rest.substr(space + 1));
      if (!ValidName(name, true)) return InputError(fmt::format("line {}: bad metric name '{}'", number, name));
      if (current == nullptr || current->name != name) {
        if (closed.count(name) > 0) return InputError(fmt::format("line {}: {} appears twice", number, name));
        if (current != nullptr) closed.insert(current->name);
        families.push_back({name, "", MetricType::kGauge, {}});
        current = &families.back();
        current->help = "\x01";  // not seen yet
      }
      if (!current->samples.empty()) return InputError(fmt::format("line {}: {} after samples of {}", number, help ? "HELP" : "TYPE", name));
      if (help) {
        if (current->help != "\x01") return InputError(fmt::format("line {}: second HELP for {}", number, name));
        auto unescaped = UnescapeHelp(value);
        if (!unescaped) return InputError(fmt::format("line {}: HELP of {}: a backslash starts \\\\ or \\n only", number, name));
        current->help = std::move(*unescaped);
      } else if (value == "gauge" || value == "counter") {
        current->type = value == "counter" ? MetricType::kCounter : MetricType::kGauge;
        if (current->type == MetricType::kCounter && !EndsWith(name, "_total")) {
          return InputError(fmt::format("line {}: counter {} must end in _total", number, name));
        }
      } else {
        return InputError(fmt::format("line {}: type '{}' is not gauge or counter", number, value));
      }
      continue;
    }
    if (line[0] == '#') continue;  // a comment
    std::string name;
    Sample sample;
    LineParser parser(line, number);
    SLUICE_RETURN_IF_ERROR(parser.Parse(name, sample));
    if (current == nullptr || current->name != name) return InputError(fmt::format("line {}: sample of {} outside its family (no HELP/TYPE before it)", number, name));
    if (current->help == "\x01") return InputError(fmt::format("line {}: {} has no HELP", number, name));
    if (!series[name].insert(SeriesKey(sample.labels)).second) return InputError(fmt::format("line {}: duplicate series of {}", number, name));
    current->samples.push_back(std::move(sample));
  }
  return families;
}

}  // namespace sluice::metrics
