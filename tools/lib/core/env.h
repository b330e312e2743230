// Environment variables, read through one seam so tests can supply their own.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice {

class Environment {
 public:
  // The process environment (getenv), read at each call.
  static Environment Process();
  // A fixed set of variables (tests).
  static Environment FromMap(std::map<std::string, std::string> variables);

  std::optional<std::string> Get(std::string_view name) const;
  std::string GetOr(std::string_view name, std::string fallback) const;

 private:
  bool process_ = true;
  std::map<std::string, std::string> variables_;
};

// Expands ${NAME} references in `text`. Every expanded value is registered as a secret
// (header values carry tokens), so it is masked wherever it might be printed later. A
// reference to an unset variable is a config error naming `where` and the variable;
// "$${" is a literal "${".
Result<std::string> ExpandEnvReferences(std::string_view text, const Environment& env, std::string_view where);

}  // namespace sluice
