#include "schema/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <utility>

namespace sluice::schema::detail {
namespace {

// ECMA-262's \s also matches these (Unicode White_Space plus BOM); PCRE2 without UCP matches
// ASCII whitespace only. We leave UCP off on purpose: PCRE2 10.42 (Debian 12) has no
// PCRE2_EXTRA_ASCII_BSD, and with UCP \d, \w and \b would accept non-ASCII digits and letters,
// which ECMA-262 does not (a FIPS code of Arabic-Indic digits must fail ^\d{5}$).
constexpr std::string_view kEcmaSpaceExtra =
    "\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}";

// ECMA-262 spells General_Category values long or short (\p{Letter}, \p{L}); PCRE2 10.42
// knows the short ones only.
constexpr std::pair<std::string_view, std::string_view> kCategoryNames[] = {
    {"Letter", "L"}, {"Cased_Letter", "L&"}, {"Uppercase_Letter", "Lu"}, {"Lowercase_Letter", "Ll"},
    {"Titlecase_Letter", "Lt"}, {"Modifier_Letter", "Lm"}, {"Other_Letter", "Lo"}, {"Mark", "M"},
    {"Nonspacing_Mark", "Mn"}, {"Spacing_Mark", "Mc"}, {"Enclosing_Mark", "Me"}, {"Number", "N"},
    {"Decimal_Number", "Nd"}, {"digit", "Nd"}, {"Letter_Number", "Nl"}, {"Other_Number", "No"},
    {"Punctuation", "P"}, {"punct", "P"}, {"Connector_Punctuation", "Pc"}, {"Dash_Punctuation", "Pd"},
    {"Open_Punctuation", "Ps"}, {"Close_Punctuation", "Pe"}, {"Initial_Punctuation", "Pi"},
    {"Final_Punctuation", "Pf"}, {"Other_Punctuation", "Po"}, {"Symbol", "S"}, {"Math_Symbol", "Sm"},
    {"Currency_Symbol", "Sc"}, {"Modifier_Symbol", "Sk"}, {"Other_Symbol", "So"}, {"Separator", "Z"},
    {"Space_Separator", "Zs"}, {"Line_Separator", "Zl"}, {"Paragraph_Separator", "Zp"}, {"Other", "C"},
    {"Control", "Cc"}, {"cntrl", "Cc"}, {"Format", "Cf"}, {"Surrogate", "Cs"}, {"Private_Use", "Co"},
    {"Unassigned", "Cn"}};

// Rewrites the name inside \p{...} / \P{...} starting at p[open] == '{'; returns the index of '}'.
std::size_t TranslateProperty(std::string_view p, std::size_t open, std::string& out) {
  std::size_t close = p.find('}', open);
  if (close == std::string_view::npos) {
    out += p.substr(open);
    return p.size() - 1;
  }
  std::string_view name = p.substr(open + 1, close - open - 1);
  for (std::string_view prefix : {"General_Category=", "gc="}) {
    if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
  }
  for (const auto& [long_name, short_name] : kCategoryNames) {
    if (name == long_name) name = short_name;
  }
  out += '{';
  out += name;
  out += '}';
  return close;
}

struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};
struct CompileContextDeleter {
  void operator()(pcre2_compile_context* context) const { pcre2_compile_context_free(context); }
};

pcre2_match_data* ThreadMatchData() {
  // One ovector pair is enough: we only ask whether there is a match (a too-small ovector makes
  // pcre2_match return 0, which still means "matched").
  thread_local std::unique_ptr<pcre2_match_data, MatchDataDeleter> data(pcre2_match_data_create(1, nullptr));
  return data.get();
}

}  // namespace

std::string TranslateEcmaPattern(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  bool in_class = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char next = p[++i];
      if (next == 's') {
        out += in_class ? "\\s" : "[\\s";
        out += kEcmaSpaceExtra;
        if (!in_class) out += ']';
      } else if ((next == 'p' || next == 'P') && i + 1 < p.size() && p[i + 1] == '{') {
        out += '\\';
        out += next;
        i = TranslateProperty(p, i + 1, out);
      } else if (next == 'S' && !in_class) {
        out += "[^\\s";
        out += kEcmaSpaceExtra;
        out += ']';
      } else {
        out += '\\';
        out += next;
      }
      continue;
    }
    if (c == '[' && !in_class) in_class = true;
    else if (c == ']' && in_class) in_class = false;
    out += c;
  }
  return out;
}

void Regex::CodeDeleter::operator()(pcre2_real_code_8* code) const { pcre2_code_free(code); }

Result<Regex> Regex::Compile(std::string_view ecma_pattern) {
  std::unique_ptr<pcre2_compile_context, CompileContextDeleter> context(pcre2_compile_context_create(nullptr));
  // ECMA-262: \u{...} escapes, and "." stops at line terminators only (CR and LF here).
  pcre2_set_compile_extra_options(context.get(), PCRE2_EXTRA_ALT_BSUX);
  pcre2_set_newline(context.get(), PCRE2_NEWLINE_ANYCRLF);
  std::string translated = TranslateEcmaPattern(ecma_pattern);
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  // DOLLAR_ENDONLY: ECMA's $ does not match before a final newline. ALT_BSUX: \uhhhh.
  // ALLOW_EMPTY_CLASS: ECMA's [] matches nothing and [^] anything.
  uint32_t flags = PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX | PCRE2_ALLOW_EMPTY_CLASS;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(), flags,
                                   &error_code, &error_offset, context.get());
  if (code == nullptr) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(error_code, buffer, sizeof buffer);
    return ConfigError("invalid pattern " + std::string(ecma_pattern) + ": " + reinterpret_cast<char*>(buffer) +
                       " at offset " + std::to_string(error_offset));
  }
  Regex regex;
  regex.source_ = std::string(ecma_pattern);
  regex.code_ = std::shared_ptr<pcre2_real_code_8>(code, CodeDeleter{});
  // JIT is an optimisation: when it is unavailable pcre2_match interprets, still correct.
  regex.jit_ = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  return regex;
}

bool Regex::Search(std::string_view subject) const {
  int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                       ThreadMatchData(), nullptr);
  return rc >= 0;
}

bool Regex::SearchValidUtf8(std::string_view subject) const {
  auto* text = reinterpret_cast<PCRE2_SPTR>(subject.data());
  int rc = jit_ ? pcre2_jit_match(code_.get(), text, subject.size(), 0, 0, ThreadMatchData(), nullptr)
                : pcre2_match(code_.get(), text, subject.size(), 0, PCRE2_NO_UTF_CHECK, ThreadMatchData(), nullptr);
  return rc >= 0;
}

}  // namespace sluice::schema::detail
