// A Slack message as sluice-notify builds it: Block Kit blocks and the plain-text `text`
// fallback (notifications and screen readers show it), kept within Slack's limits.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::notify {

// Slack's documented limits (api.slack.com/reference/block-kit/blocks): 50 blocks a message,
// 3,000 characters in a section's text, 150 in a header's; `text` is truncated by Slack past
// 40,000 and should stay under 4,000. A message over them is refused with invalid_blocks.
inline constexpr std::size_t kMaxBlocks = 50;
inline constexpr std::size_t kMaxSectionText = 3000;
inline constexpr std::size_t kMaxHeaderText = 150;
inline constexpr std::size_t kMaxFallbackText = 4000;

struct Block {
  enum class Kind { kHeader, kSection, kContext, kDivider };
  Kind kind = Kind::kSection;
  std::string text;  // plain text for a header, mrkdwn otherwise
};

struct SlackMessage {
  std::string text;  // the fallback
  std::vector<Block> blocks;
};

// Characters as Slack counts them (Unicode code points of UTF-8 text).
std::size_t CharacterCount(std::string_view text);

// `text` cut to at most `limit` characters, never inside a UTF-8 sequence, ending with `note`
// when it was cut (the note counts against the limit).
std::string TrimToCharacters(std::string_view text, std::size_t limit, std::string_view note);

// Trims every header, section and context text and the fallback to the limits, and folds the
// blocks past the 50th into a last note block. Returns how many texts or blocks were trimmed.
int FitToLimits(SlackMessage& message);

// Escapes &, < and > as Slack's mrkdwn requires of text that is not markup.
std::string EscapeMrkdwn(std::string_view text);

// The JSON payload: {"channel"?, "thread_ts"?, "text", "blocks", "unfurl_links": false}.
// An empty channel or thread_ts is left out (a webhook posts to its own channel).
std::string PayloadJson(const SlackMessage& message, const std::string& channel, const std::string& thread_ts);

}  // namespace sluice::notify
