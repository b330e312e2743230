// Secrets never reach a log. Every value that came from a token, key, SAS string or webhook
// URL is registered here; Mask() removes all registered values (and credentials that can be
// recognised in URLs) from any text before it is printed, written to a summary or a report.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

inline constexpr std::string_view kMaskText = "***";

// Remembers `secret` for the whole process. Values shorter than 4 characters are ignored:
// masking "a" or "1" would destroy every message while protecting nothing.
void RegisterSecret(std::string_view secret);

// Every secret registered so far, for `::add-mask::` in GitHub Actions.
std::vector<std::string> RegisteredSecrets();

// `text` with every registered secret and every URL credential replaced by ***.
std::string Mask(std::string_view text);

// A URL made fit to print: user:password@ and the values of credential-bearing query
// parameters (sig, signature, token, key, X-Amz-Signature, X-Amz-Credential, ...) become ***.
std::string RedactUrl(std::string_view url);

// Forgets every registered secret (tests only).
void ClearSecretsForTesting();

}  // namespace sluice
