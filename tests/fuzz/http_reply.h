// A fuzz input read as an HTTP answer, for the targets that judge one (azure_xml, github_reply,
// github_typed_reply, slack_answer):
//   <status> LF (<name>: <value> LF)* LF <body>
// A first line that is not a number gives status 200 and the whole input as the body, so plain
// XML or JSON seeds work as they are.
#pragma once

#include <string_view>

#include "http/client.h"

namespace sluice::fuzz {

http::Response ResponseOf(std::string_view text);

}  // namespace sluice::fuzz
