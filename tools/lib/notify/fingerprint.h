// "The same error": one pipeline, one failure class, and a message that differs at most in its
// numbers, ids and times (an HTTP 503 at 02:00 and at 02:30 are the same outage).
#pragma once

#include <string>
#include <string_view>

namespace sluice::notify {

// `message` with every run of digits as '#', runs of 7+ hex characters holding a digit (shas,
// ids) as '#', whitespace collapsed, lower case.
std::string NormalizeMessage(std::string_view message);

// 16 hex characters of SHA-256 over pipeline, class and the normalized message.
std::string ErrorFingerprint(std::string_view pipeline, std::string_view failure_class, std::string_view message);

}  // namespace sluice::notify
