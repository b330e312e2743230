// A JSON pointer whose tokens may be wildcards: where the records of a source sit inside a
// document ("/data/time_series/{series}/VALUES"), or where values stated beside them are
// ("/data/time_series/{series}/DATE_RANGE/MINIMUM"). A token "{name}" matches every member of
// an object (or element of an array) and binds its name (or index) to `name`; "*" matches the
// same without a name. Other tokens are RFC 6901 tokens (~0 for '~', ~1 for '/'); a token
// matches an array element when it is the element's index in decimal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice::json {

struct PatternToken {
  std::string text;       // the unescaped member name (literal tokens)
  bool wildcard = false;  // "{name}" or "*"
  std::string name;       // the wildcard's name; "" for "*" and literal tokens
};

struct PointerPattern {
  std::string text;  // as written
  std::vector<PatternToken> tokens;

  // The names of the named wildcards, in order.
  std::vector<std::string> names() const;
  // Whether token `i` matches the member `key` of an object.
  bool MatchesMember(std::size_t i, std::string_view key) const {
    return tokens[i].wildcard || tokens[i].text == key;
  }
  // Whether token `i` matches the element at `index` of an array.
  bool MatchesIndex(std::size_t i, std::uint64_t index) const;
};

// Parses `text`. The error (an InputError) says only what is wrong ("token 3 ...") so that the
// caller can put the manifest's pointer or the flag's name before it.
Result<PointerPattern> ParsePointerPattern(std::string_view text);

}  // namespace sluice::json
