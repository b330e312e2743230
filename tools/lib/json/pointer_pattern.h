// A JSON pointer whose tokens may be wildcards: the one syntax of every pointer that names many
// places at once, in a source's or a check's "records" ("/data/time_series/{series}/VALUES"),
// in values stated beside them ("/data/time_series/{series}/DATE_RANGE/MINIMUM"), and in the
// fields of a check ("/data/*/NEW_*", checks::FieldRef). Tokens are RFC 6901 tokens (~0 for
// '~', ~1 for '/'), unescaped first, then read as:
// - "{name}": every member of an object (or element of an array), binding its name (or index)
//   to `name`;
// - "*": the same without a name;
// - a token holding '*' beside other characters ("NEW_*"): a glob over member names, in which
//   '?' and "[...]" are glob characters too (fnmatch(3)); it matches no array element;
// - any other token: that member, or the element whose index it is in decimal.
// '{' or '}' anywhere but around a whole token is an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice::json {

struct PatternToken {
  std::string text;       // unescaped: the member name (literal tokens) or the glob ("NEW_*")
  bool wildcard = false;  // "{name}" or "*"
  bool glob = false;      // '*' beside other characters: fnmatch over member names
  std::string name;       // the wildcard's name; "" for "*", globs and literal tokens

  bool MatchesMember(std::string_view key) const;
  bool MatchesIndex(std::uint64_t index) const;
  // Whether it matches more than one member ("{name}", "*" or a glob).
  bool many() const { return wildcard || glob; }
};

struct PointerPattern {
  std::string text;  // as written
  std::vector<PatternToken> tokens;

  // The names of the named wildcards, in order.
  std::vector<std::string> names() const;
  // Whether token `i` matches the member `key` of an object.
  bool MatchesMember(std::size_t i, std::string_view key) const { return tokens[i].MatchesMember(key); }
  // Whether token `i` matches the element at `index` of an array.
  bool MatchesIndex(std::size_t i, std::uint64_t index) const { return tokens[i].MatchesIndex(index); }
  // Whether any token matches more than one member (PatternToken::many).
  bool many() const;
};

// Parses `text`. The error (an InputError) says only what is wrong ("token 3 ...") so that the
// caller can put the manifest's pointer or the flag's name before it.
Result<PointerPattern> ParsePointerPattern(std::string_view text);

}  // namespace sluice::json
