// ECMA-262 patterns as JSON Schema writers use them, through the PCRE2 translation: each
// pattern must compile and give ECMA's answer (the suite's optional regex files run in
// schema_conformance_test.cpp).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "schema/regex.h"

using sluice::schema::detail::Regex;
using sluice::schema::detail::TranslateEcmaPattern;

namespace {

struct PatternCase {
  const char* what;
  const char* pattern;
  std::vector<std::string> matching;
  std::vector<std::string> not_matching;
};

// Patterns from real-world schemas (URLs, e-mail, dates, FIPS, ZIP, phone), and every escape
// and class form, inside and outside classes, negated or not.
const std::vector<PatternCase> kCases = {
    {"URL without spaces", "^https?://[^\\s]+$", {"https://covid19.ca.gov/data", "http://x.org/a?b=c"},
     {"https://exa mple.org", "https://a\xC2\xA0" "b", "ftp://x.org", "https://a\tb"}},
    {"URL, common form", "^https?:\\/\\/[\\w.-]+(?:\\.[\\w\\.-]+)+[\\w\\-\\._~:/?#[\\]@!\\$&'\\(\\)\\*\\+,;=.]+$",
     {"https://data.ca.gov/dataset/covid-19?x=1#top"}, {"https://", "https://data ca.gov/x"}},
    {"URL, \\S+", "^https?://\\S+$", {"https://x.org/a"}, {"https://x.org/a b", "https://x.org/\xE2\x80\xA8"}},
    {"e-mail, loose", "^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$", {"data@cdph.ca.gov"}, {"data @cdph.ca.gov", "a@b", "a@@b.c"}},
    {"e-mail, common", "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$", {"first.last+tag@example.org"},
     {"first.last@example", "é@example.org"}},
    {"ISO date", "^\\d{4}-\\d{2}-\\d{2}$", {"2026-12-03"}, {"2026-12-3", "2026-12-03\n", "\xD9\xA2\xD9\xA0\xD9\xA2\xD9\xA6-12-03"}},
    {"ISO date, strict", "^(19|20)\\d\\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$", {"2020-02-29"}, {"2020-13-01", "2020-00-10"}},
    {"date-time", "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$", {"2026-12-03T07:25:00Z"},
     {"2026-12-03 07:25:00Z"}},
    {"FIPS county", "^\\d{5}$", {"06037"}, {"6037", "060370", "\xE0\xA7\xA6\xE0\xA7\xAC\xE0\xA7\xA6\xE0\xA7\xA9\xE0\xA7\xAD"}},
    {"California FIPS", "^06\\d{3}$", {"06001"}, {"07001"}},
    {"ZIP and ZIP+4", "^\\d{5}(-\\d{4})?$", {"95814", "95814-1234"}, {"9581", "95814-12"}},
    {"US phone", "^\\+?1?\\s*\\(?\\d{3}\\)?[\\s.-]?\\d{3}[\\s.-]?\\d{4}$",
     {"(916) 555-0100", "+1 916.555.0100", "9165550100"}, {"916-555-010", "phone"}},
    {"county name", "^[\\w\\s.'-]+$", {"Los Angeles", "St. Helena"}, {"Los Ángeles"}},
    {"upper case words", "^[A-Z\\s]+$", {"SAN DIEGO"}, {"San Diego"}},
    {"anything, [\\s\\S]", "^[\\s\\S]*$", {"", "a\nb", "\xE2\x80\xA8"}, {}},
    {"negated \\S in a class", "^[^\\S]+$", {" \t\xC2\xA0"}, {" a"}},
    {"\\S and a letter in a class", "^[a\\S]+$", {"abc", "x"}, {"a b"}},
    {"negated class of \\S and a member", "^[^x\\S]+$", {" \xE3\x80\x80"}, {"x", "a"}},
    {"\\D and \\W", "^\\D\\W$", {"a-"}, {"1-", "aa"}},
    {"\\d\\w in a negated class", "^[^\\d\\w]+$", {"-+ é"}, {"a", "5"}},
    {"word boundary", "\\bcase\\b", {"a case here"}, {"showcases"}},
    {"\\uXXXX", "^\\u00e9t\\u00E9$", {"été"}, {"ete"}},
    {"\\uXXXX range in a class", "^[\\u0041-\\u005A]+$", {"ABC"}, {"abc"}},
    {"\\u{...}", "^\\u{1F432}+$", {"\xF0\x9F\x90\xB2\xF0\x9F\x90\xB2"}, {"\xF0\x9F\x90\x89"}},
    {"surrogate pair", "^\\ud83d\\udc32$", {"\xF0\x9F\x90\xB2"}, {"\xF0\x9F\x90\x89"}},
    {"\\xHH", "^\\x41\\x2d$", {"A-"}, {"x41"}},
    {"\\v is the vertical tab only", "^\\v$", {"\x0B"}, {"\n", "\r"}},
    {"\\0", "^a\\0b$", {std::string("a\0b", 3)}, {"a0b"}},
    {"\\cJ", "^\\cJ$", {"\n"}, {"cJ"}},
    {". stops at line terminators", "^.$", {"a", "é"}, {"\n", "\r", "\xE2\x80\xA8", "\xE2\x80\xA9"}},
    {"[ is plain inside a class", "^[[:a]+$", {"[:a", "a"}, {"b"}},
    {"escaped slash and dot", "^a\\/b\\.c$", {"a/b.c"}, {"a/bxc"}},
    {"letters ECMA escapes for themselves", "^\\a\\e\\z$", {"aez"}, {"\x07\x1B"}},
    {"named group and backreference", "^(?<q>['\"]).*\\k<q>$", {"'x'", "\"y\""}, {"'x\""}},
    {"\\p{Letter}", "^\\p{Letter}+$", {"école"}, {"e1"}},
};

}  // namespace

TEST_CASE("ECMA-262 patterns from real-world schemas compile and match as ECMA-262 says", "[schema][regex]") {
  for (const PatternCase& c : kCases) {
    INFO(c.what << ": " << c.pattern << " -> " << TranslateEcmaPattern(c.pattern));
    auto regex = Regex::Compile(c.pattern);
    REQUIRE(regex.ok());
    for (const std::string& text : c.matching) {
      INFO("should match: " << text);
      CHECK(regex->Search(text));
    }
    for (const std::string& text : c.not_matching) {
      INFO("should not match: " << text);
      CHECK_FALSE(regex->Search(text));
    }
  }
}

TEST_CASE("ECMA-262 whitespace: the s class is Unicode's, S its complement, in and out of classes", "[schema][regex]") {
  const std::vector<std::string> spaces = {" ", "\t", "\n", "\r", "\x0B", "\x0C", "\xC2\xA0", "\xE1\x9A\x80",
                                           "\xE2\x80\x83", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE3\x80\x80", "\xEF\xBB\xBF"};
  const std::vector<std::string> others = {"a", "\x01", "\xE2\x80\x93", "\xE2\x80\x8B", "0"};
  for (const char* pattern : {"^\\s$", "^[\\s]$", "^[^\\S]$", "^[^\\Sx]$"}) {
    auto regex = Regex::Compile(pattern);
    REQUIRE(regex.ok());
    for (const auto& s : spaces) CHECK(regex->Search(s));
    for (const auto& s : others) CHECK_FALSE(regex->Search(s));
  }
  for (const char* pattern : {"^\\S$", "^[\\S]$", "^[^\\s]$", "^[\\S\\u0020-\\u0020x]$"}) {
    auto regex = Regex::Compile(pattern);
    REQUIRE(regex.ok());
    bool allows_space = std::string(pattern).find("0020") != std::string::npos;
    for (const auto& s : spaces) CHECK(regex->Search(s) == (allows_space && s == " "));
    for (const auto& s : others) CHECK(regex->Search(s));
  }
}

TEST_CASE("a lone surrogate escape matches nothing instead of failing the schema", "[schema][regex]") {
  auto regex = Regex::Compile("^a\\ud800?b$");
  REQUIRE(regex.ok());
  CHECK(regex->Search("ab"));
  CHECK_FALSE(regex->Search("a\xED\xA0\x80" "b"));
}
