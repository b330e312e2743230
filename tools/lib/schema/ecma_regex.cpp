// ECMA-262 pattern syntax rewritten as PCRE2 syntax (regex.h: TranslateEcmaPattern).
//
// The pattern is compiled with PCRE2_UTF and without UCP, so PCRE2's own \d, \w and \b are
// ASCII as ECMA-262 wants (with UCP they would accept Arabic-Indic digits and accented letters:
// a FIPS code of Bengali digits must fail ^\d{5}$). Where the two syntaxes mean different
// things, the translation spells the ECMA meaning out:
// - \s and \S are ECMA's WhiteSpace and LineTerminator (Unicode Zs, BOM, U+2028/9), PCRE2's
//   only the ASCII ones; inside a class, \S cannot be a member of a PCRE2 class, so the class
//   becomes an alternation ([a\S] -> (?:[a]|[^ws]), [^a\S] -> (?:(?![a])[ws])).
// - \uXXXX (surrogate pairs joined), \u{X...}, \xHH, \0 become \x{...}: PCRE2_ALT_BSUX is not
//   used, since under it \x{...} stops being an escape and every widened class breaks.
// - \v is U+000B (PCRE2: any vertical space); "." excludes U+2028/9 too; letters ECMA escapes
//   only for themselves (\a, \e, \g, \h, \z, ...) are the letters, not PCRE2's escapes.
// - "[" inside a class is a plain character (PCRE2 would read [:alpha:]).
#include "schema/regex.h"

#include <cctype>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace sluice::schema::detail {
namespace {

constexpr std::string_view kEcmaSpaceMembers =
    "\\x{9}-\\x{d}\\x{20}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}";
constexpr std::string_view kEcmaDot = "[^\\x{a}\\x{d}\\x{2028}\\x{2029}]";

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

// The name inside \p{...} as PCRE2 spells it.
std::string PcreProperty(std::string_view name) {
  for (std::string_view prefix : {"General_Category=", "gc="}) {
    if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
  }
  for (const auto& [long_name, short_name] : kCategoryNames) {
    if (name == long_name) name = short_name;
  }
  return std::string(name);
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// `count` hex digits at p[at...], or -1.
long HexAt(std::string_view p, std::size_t at, std::size_t count) {
  if (at + count > p.size()) return -1;
  long value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!IsHex(p[i])) return -1;
    char c = p[i];
    value = value * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return value;
}

std::string CodePoint(long value) { return fmt::format("\\x{{{:x}}}", value); }

// Escapes that are the same in both syntaxes (class shorthands PCRE2 keeps ASCII without UCP,
// anchors, and control characters).
bool SameInBoth(char c) {
  switch (c) {
    case 'd': case 'D': case 'w': case 'W': case 'b': case 'B':
    case 't': case 'n': case 'r': case 'f':
      return true;
    default:
      return false;
  }
}

// What one escape at p[i] == '\\' means, and how many pattern bytes it took.
struct Escape {
  enum Kind { kText, kSpace, kNotSpace, kNever } kind = kText;
  std::string text;  // PCRE2 text for kText
  std::size_t length = 2;
};

Escape ReadEscape(std::string_view p, std::size_t i, bool in_class) {
  Escape e;
  char c = p[i + 1];
  if (c == 's') { e.kind = Escape::kSpace; return e; }
  if (c == 'S') { e.kind = Escape::kNotSpace; return e; }
  if (SameInBoth(c)) { e.text = std::string("\\") + c; return e; }
  if (c == 'v') { e.text = CodePoint(0xb); return e; }
  if (c == '0' && !(i + 2 < p.size() && p[i + 2] >= '0' && p[i + 2] <= '9')) { e.text = CodePoint(0); return e; }
  if (c == 'c' && i + 2 < p.size() && std::isalpha(static_cast<unsigned char>(p[i + 2]))) {
    e.text = CodePoint(p[i + 2] % 32);
    e.length = 3;
    return e;
  }
  if (c == 'x') {
    long value = HexAt(p, i + 2, 2);
    if (value < 0) { e.text = "x"; return e; }  // Annex B: \x without two hex digits is "x"
    e.text = CodePoint(value);
    e.length = 4;
    return e;
  }
  if (c == 'u') {
    if (i + 2 < p.size() && p[i + 2] == '{') {  // \u{X...}: the u flag, which JSON Schema implies
      std::size_t close = p.find('}', i + 3);
      if (close != std::string_view::npos && close > i + 3 && close - i - 3 <= 6) {
        long value = HexAt(p, i + 3, close - i - 3);
        if (value >= 0 && value <= 0x10ffff) {
          e.text = CodePoint(value);
          e.length = close - i + 1;
          return e;
        }
      }
      e.text = "u";
      return e;
    }
    long value = HexAt(p, i + 2, 4);
    if (value < 0) { e.text = "u"; return e; }
    e.length = 6;
    if (value >= 0xd800 && value <= 0xdbff && i + 12 <= p.size() && p[i + 6] == '\\' && p[i + 7] == 'u') {
      long low = HexAt(p, i + 8, 4);
      if (low >= 0xdc00 && low <= 0xdfff) {
        e.text = CodePoint(0x10000 + ((value - 0xd800) << 10) + (low - 0xdc00));
        e.length = 12;
        return e;
      }
    }
    // A lone surrogate cannot occur in a valid UTF-8 string, so it matches nothing.
    if (value >= 0xd800 && value <= 0xdfff) {
      e.kind = Escape::kNever;
      return e;
    }
    e.text = CodePoint(value);
    return e;
  }
  if ((c == 'p' || c == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
    std::size_t close = p.find('}', i + 3);
    if (close == std::string_view::npos) { e.text = std::string(p.substr(i)); e.length = p.size() - i; return e; }
    e.text = std::string("\\") + c + "{" + PcreProperty(p.substr(i + 3, close - i - 3)) + "}";
    e.length = close - i + 1;
    return e;
  }
  if (c == 'k' && !in_class && i + 2 < p.size() && p[i + 2] == '<') {  // \k<name>: same in PCRE2
    e.text = "\\k";
    return e;
  }
  if ((c >= '1' && c <= '9') && !in_class) {  // backreference
    e.text = std::string("\\") + c;
    return e;
  }
  if (std::isalnum(static_cast<unsigned char>(c))) {  // an identity escape ECMA allows (Annex B)
    e.text = std::string(1, c);
    return e;
  }
  // A punctuation character, escaped in either syntax; a UTF-8 lead byte takes its sequence.
  std::size_t length = 1;
  auto lead = static_cast<unsigned char>(c);
  if (lead >= 0xf0) length = 4;
  else if (lead >= 0xe0) length = 3;
  else if (lead >= 0xc0) length = 2;
  e.text = length == 1 ? std::string("\\") + c : std::string(p.substr(i + 1, length));
  e.length = 1 + length;
  return e;
}

// The end of the class starting at p[open] == '[' (the index of its "]"), or npos.
std::size_t ClassEnd(std::string_view p, std::size_t open) {
  std::size_t i = open + 1;
  if (i < p.size() && p[i] == '^') ++i;
  for (; i < p.size(); ++i) {
    if (p[i] == '\\') ++i;
    else if (p[i] == ']') return i;
  }
  return std::string_view::npos;
}

// Translates the class p[open..close] (both brackets included).
std::string TranslateClass(std::string_view p, std::size_t open, std::size_t close) {
  std::size_t i = open + 1;
  bool negated = i < close && p[i] == '^';
  if (negated) ++i;
  std::string members;
  bool not_space = false;
  bool never = false;
  while (i < close) {
    if (p[i] == '\\' && i + 1 < close) {
      Escape e = ReadEscape(p, i, true);
      if (e.kind == Escape::kSpace) members += kEcmaSpaceMembers;
      else if (e.kind == Escape::kNotSpace) not_space = true;
      else if (e.kind == Escape::kNever) never = true;
      else members += e.text;
      i += e.length;
    } else {
      if (p[i] == '[') members += "\\[";
      else members += p[i];
      ++i;
    }
  }
  (void)never;  // a lone surrogate adds no member a UTF-8 string could hold
  std::string ws = "[" + std::string(kEcmaSpaceMembers) + "]";
  if (!not_space) {
    if (members.empty()) return negated ? "[^]" : "[]";  // ECMA: [] matches nothing, [^] anything
    return std::string(negated ? "[^" : "[") + members + "]";
  }
  if (!negated) {
    std::string not_ws = "[^" + std::string(kEcmaSpaceMembers) + "]";
    return members.empty() ? not_ws : "(?:[" + members + "]|" + not_ws + ")";
  }
  // Neither a member nor a non-space: a space that is not a member.
  return members.empty() ? ws : "(?:(?![" + members + "])" + ws + ")";
}

}  // namespace

std::string TranslateEcmaPattern(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  for (std::size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      Escape e = ReadEscape(p, i, false);
      switch (e.kind) {
        case Escape::kSpace: out += "[" + std::string(kEcmaSpaceMembers) + "]"; break;
        case Escape::kNotSpace: out += "[^" + std::string(kEcmaSpaceMembers) + "]"; break;
        case Escape::kNever: out += "(?!)"; break;
        case Escape::kText: out += e.text; break;
      }
      i += e.length;
      continue;
    }
    if (c == '[') {
      std::size_t close = ClassEnd(p, i);
      if (close != std::string_view::npos) {
        out += TranslateClass(p, i, close);
        i = close + 1;
        continue;
      }
    }
    if (c == '.') {
      out += kEcmaDot;
    } else {
      out += c;
    }
    ++i;
  }
  return out;
}

}  // namespace sluice::schema::detail
