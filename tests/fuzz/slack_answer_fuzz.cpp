// Slack's answers (notify/slack.h): the input is an HTTP answer (http_reply.h) read as the Web
// API's answer to chat.postMessage and reactions.add, and as an incoming webhook's. Checks what
// the header promises: a refused post is never a success (an answer counts only when HTTP 200
// says "ok": true, a webhook's only when HTTP 200 says ok), and a posted message has a ts.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "http_reply.h"
#include "json/json.h"
#include "notify/slack.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  std::string_view text;
  if (!fuzz::TakeInput(data, size, text)) return 0;
  const http::Response response = fuzz::ResponseOf(text);

  for (const char* method : {"chat.postMessage", "reactions.add"}) {
    auto answer = notify::WebApiAnswerOf(method, "to C123", response);
    if (!answer.ok()) continue;
    const rapidjson::Value* ok = json::Member(*answer, "ok");
    if (response.status != 200 || ok == nullptr || !ok->IsBool() || !ok->GetBool()) {
      fuzz::Broken("slack_answer", "an answer taken for a success without HTTP 200 and \"ok\": true");
    }
    if (auto posted = notify::PostedMessageOf(*answer, "C123"); posted.ok() && posted->ts.empty()) {
      fuzz::Broken("slack_answer", "a posted message without a ts");
    }
  }
  if (notify::WebhookAnswerOf("the incoming webhook in $SLACK_WEBHOOK_URL", response).ok() && response.status != 200) {
    fuzz::Broken("slack_answer", "a webhook post taken for a success without HTTP 200");
  }
  return 0;
}
