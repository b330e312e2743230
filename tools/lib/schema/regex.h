// ECMA-262 patterns (what JSON Schema's "pattern" means) compiled once with PCRE2 and JIT.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

struct pcre2_real_code_8;

namespace sluice::schema::detail {

class Regex {
 public:
  // Fails with a sentence saying what PCRE2 found wrong and at which offset.
  static Result<Regex> Compile(std::string_view ecma_pattern);

  // Searches anywhere in `subject` (patterns are not anchored, as in ECMA-262's test()).
  // Thread-safe: match data lives per thread. A subject that is not valid UTF-8 never matches.
  bool Search(std::string_view subject) const;
  // The same for a subject known to be valid UTF-8 (simdjson checked it): no check again, and
  // straight into the JIT code when there is some.
  bool SearchValidUtf8(std::string_view subject) const;
  const std::string& source() const { return source_; }

 private:
  struct CodeDeleter {
    void operator()(pcre2_real_code_8* code) const;
  };
  std::string source_;
  std::shared_ptr<pcre2_real_code_8> code_;
  bool jit_ = false;
};

// The ECMA-262 pattern rewritten in PCRE2 syntax (ecma_regex.cpp; exposed for tests).
std::string TranslateEcmaPattern(std::string_view ecma_pattern);

}  // namespace sluice::schema::detail
