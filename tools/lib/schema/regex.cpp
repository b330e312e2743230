#include "schema/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>


namespace sluice::schema::detail {
namespace {

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

void Regex::CodeDeleter::operator()(pcre2_real_code_8* code) const { pcre2_code_free(code); }

Result<Regex> Regex::Compile(std::string_view ecma_pattern) {
  std::unique_ptr<pcre2_compile_context, CompileContextDeleter> context(pcre2_compile_context_create(nullptr));
  // ECMA-262's line terminators for ^ and $ are CR and LF (U+2028/9 are spelled out by the
  // translation where "." needs them).
  pcre2_set_newline(context.get(), PCRE2_NEWLINE_ANYCRLF);
  std::string translated = TranslateEcmaPattern(ecma_pattern);
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  // DOLLAR_ENDONLY: ECMA's $ does not match before a final newline. ALLOW_EMPTY_CLASS: ECMA's
  // [] matches nothing and [^] anything. No ALT_BSUX: the translation writes \x{...} itself.
  uint32_t flags = PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALLOW_EMPTY_CLASS;
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
