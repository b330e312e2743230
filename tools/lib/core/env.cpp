#include "core/env.h"

#include <cstdlib>

#include <fmt/format.h>

#include "core/secrets.h"

namespace sluice {

Environment Environment::Process() { return Environment(); }

Environment Environment::FromMap(std::map<std::string, std::string> variables) {
  Environment env;
  env.process_ = false;
  env.variables_ = std::move(variables);
  return env;
}

std::optional<std::string> Environment::Get(std::string_view name) const {
  if (process_) {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  }
  auto it = variables_.find(std::string(name));
  if (it == variables_.end()) return std::nullopt;
  return it->second;
}

std::string Environment::GetOr(std::string_view name, std::string fallback) const {
  auto value = Get(name);
  return value ? *value : std::move(fallback);
}

Result<std::string> ExpandEnvReferences(std::string_view text, const Environment& env, std::string_view where) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t dollar = text.find('$', pos);
    if (dollar == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, dollar - pos));
    if (text.substr(dollar, 3) == "$${") {
      out.append("${");
      pos = dollar + 3;
      continue;
    }
    if (text.substr(dollar, 2) != "${") {
      out.push_back('$');
      pos = dollar + 1;
      continue;
    }
    size_t close = text.find('}', dollar + 2);
    if (close == std::string_view::npos) {
      return ConfigError(fmt::format("{}: unterminated '${{' reference (write $${{ for a literal)", where));
    }
    std::string name(text.substr(dollar + 2, close - dollar - 2));
    bool valid = !name.empty();
    for (char c : name) valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!valid) return ConfigError(fmt::format("{}: '${{{}}}' is not a valid variable name", where, name));
    auto value = env.Get(name);
    if (!value) {
      return ConfigError(fmt::format("{}: environment variable {} is not set (it is referenced as ${{{}}})", where,
                                     name, name));
    }
    RegisterSecret(*value);
    out.append(*value);
    pos = close + 1;
  }
  return out;
}

}  // namespace sluice
