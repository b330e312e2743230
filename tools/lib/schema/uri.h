// The little of RFC 3986 that $id and $ref need: resolving a reference against a base URI.
#pragma once

#include <string>
#include <string_view>

namespace sluice::schema::detail {

// `reference` resolved against `base` (RFC 3986 section 5.2), dot segments removed.
// An empty base leaves relative references relative, which is how a schema without an $id
// refers to itself ("#/definitions/x").
std::string ResolveUri(std::string_view base, std::string_view reference);

// Splits "a#b" into "a" and "b"; a URI without '#' has an empty fragment.
void SplitFragment(std::string_view uri, std::string_view& without_fragment, std::string_view& fragment);

// %XX escapes decoded (JSON pointers in fragments are percent-encoded: "#/a%25b").
std::string PercentDecode(std::string_view text);

}  // namespace sluice::schema::detail
