#include "http_reply.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace sluice::fuzz {

http::Response ResponseOf(std::string_view text) {
  http::Response response;
  response.status = 200;
  response.effective_url = "https://fuzz.example/answer";
  std::size_t line_end = text.find('\n');
  std::string_view first = text.substr(0, line_end);
  const bool numbered = !first.empty() && first.size() <= 3 &&
                        std::all_of(first.begin(), first.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (!numbered || line_end == std::string_view::npos) {
    response.body = std::string(text);
    response.bytes = response.body.size();
    return response;
  }
  response.status = std::stol(std::string(first));
  std::size_t at = line_end + 1;
  while (at < text.size()) {
    line_end = text.find('\n', at);
    std::string_view line = text.substr(at, line_end == std::string_view::npos ? std::string_view::npos : line_end - at);
    at = line_end == std::string_view::npos ? text.size() : line_end + 1;
    if (line.empty()) break;  // the blank line before the body
    std::size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    response.headers.emplace_back(std::move(name), std::string(value));
  }
  response.body = std::string(text.substr(std::min(at, text.size())));
  response.bytes = response.body.size();
  return response;
}

}  // namespace sluice::fuzz
