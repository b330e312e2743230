// A JSON Schema "pattern" on its own: the ECMA-262 -> PCRE2 translation (TranslateEcmaPattern)
// and the compiled regex searching a few subjects, the pattern's own text among them. The
// translation is where hand-written parsing meets any string a schema author can type.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "schema/regex.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  // A pattern is a short string; past 4 KiB only matching gets slower.
  if (!sluice::fuzz::TakeInput(data, size, text) || size > 4096) return 0;
  using sluice::schema::detail::Regex;
  sluice::schema::detail::TranslateEcmaPattern(text);
  auto regex = Regex::Compile(text);
  if (!regex.ok()) return 0;
  for (std::string_view subject : {std::string_view(""), std::string_view("2026-11-01"), std::string_view("06001"),
                                   std::string_view("a\nb\r\n\xe2\x80\xa8z"), std::string_view("\xf0\x9f\x98\x80x")}) {
    regex->Search(subject);
  }
  regex->Search(text);  // not always UTF-8: Search must say no, not misbehave
  return 0;
}
