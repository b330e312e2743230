#include "diff/markdown_text.h"

#include <cmath>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "core/secrets.h"

namespace sluice::diff {

std::string CellText(std::string_view raw, std::size_t max_chars) {
  std::string masked = Mask(raw);  // before cutting, so a secret across the cut is still hidden
  std::string_view text = masked;
  bool cut = text.size() > max_chars;
  if (cut) {
    std::size_t end = max_chars;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // not inside a UTF-8 sequence
    text = text.substr(0, end);
  }
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '|': out += "\\|"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '@': out += "&#64;"; break;
      case '\n': case '\r': out += ' '; break;
      case '\\': case '`': case '*': case '_': case '[': case ']': case '~': case '#':
        out += '\\';
        out += ch;
        break;
      default: out += ch;
    }
  }
  if (cut) out += "…";
  return out;
}

std::string ValueText(const std::string& value_json, std::size_t max_chars) {
  if (value_json.size() > 2 && value_json.front() == '"') {
    if (value_json.size() > 4 * max_chars + 16) {  // a huge cell: no need to parse it all
      return CellText(std::string_view(value_json).substr(1, max_chars + 1), max_chars);
    }
    rapidjson::Document parsed;
    parsed.Parse(value_json.c_str(), value_json.size());
    if (!parsed.HasParseError() && parsed.IsString()) {
      return CellText(std::string_view(parsed.GetString(), parsed.GetStringLength()), max_chars);
    }
  }
  if (value_json == "\"\"") return "_(empty)_";
  return CellText(value_json, max_chars);
}

std::string KeyText(const std::string& key_json) {
  rapidjson::Document key;
  key.Parse(key_json.c_str(), key_json.size());
  if (key.HasParseError() || !key.IsObject()) return CellText(key_json);
  std::string out;
  for (const auto& m : key.GetObject()) {
    if (!out.empty()) out += " · ";
    if (m.value.IsString()) out += CellText(std::string_view(m.value.GetString(), m.value.GetStringLength()), 40);
    else out += m.value.IsNull() ? "null" : CellText(m.value.IsNumber() ? fmt::format("{}", m.value.GetDouble()) : "…", 40);
  }
  return out;
}

std::string SignedNumber(double value) {
  if (std::trunc(value) == value && std::fabs(value) < 1e15) return fmt::format("{:+d}", static_cast<long long>(value));
  return fmt::format("{:+.6g}", value);
}

std::string PercentText(const std::optional<double>& percent, const std::optional<double>& delta) {
  if (percent) return fmt::format("{:+.1f}%", *percent);
  if (delta && *delta != 0) return "new (from 0)";
  return "";
}

std::string SameValueText(const std::string& old_json, const std::string& new_json) {
  bool both_text = !old_json.empty() && old_json[0] == '"' && !new_json.empty() && new_json[0] == '"';
  return both_text ? "same value, text changed" : "same value, type changed";
}

std::string Count(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace sluice::diff
