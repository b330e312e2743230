#include "notify/message.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::notify {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

void String(rapidjson::Writer<rapidjson::StringBuffer>& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void TextObject(rapidjson::Writer<rapidjson::StringBuffer>& writer, const char* type, std::string_view text) {
  writer.StartObject();
  writer.Key("type");
  writer.String(type);
  writer.Key("text");
  String(writer, text);
  writer.EndObject();
}

void WriteBlock(rapidjson::Writer<rapidjson::StringBuffer>& writer, const Block& block) {
  writer.StartObject();
  writer.Key("type");
  switch (block.kind) {
    case Block::Kind::kHeader:
      writer.String("header");
      writer.Key("text");
      TextObject(writer, "plain_text", block.text);
      break;
    case Block::Kind::kSection:
      writer.String("section");
      writer.Key("text");
      TextObject(writer, "mrkdwn", block.text);
      break;
    case Block::Kind::kContext:
      writer.String("context");
      writer.Key("elements");
      writer.StartArray();
      TextObject(writer, "mrkdwn", block.text);
      writer.EndArray();
      break;
    case Block::Kind::kDivider:
      writer.String("divider");
      break;
  }
  writer.EndObject();
}

}  // namespace

std::size_t CharacterCount(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) count += !IsContinuation(static_cast<unsigned char>(c));
  return count;
}

std::string TrimToCharacters(std::string_view text, std::size_t limit, std::string_view note) {
  if (CharacterCount(text) <= limit) return std::string(text);
  std::size_t keep = limit > CharacterCount(note) ? limit - CharacterCount(note) : 0;
  std::size_t end = 0;
  for (std::size_t characters = 0; end < text.size(); ++end) {
    if (!IsContinuation(static_cast<unsigned char>(text[end])) && characters++ == keep) break;
  }
  std::string out(text.substr(0, end));
  out += note;
  return TrimToCharacters(out, limit, "");  // a note longer than the limit is cut too
}

int FitToLimits(SlackMessage& message) {
  int trimmed = 0;
  if (message.blocks.size() > kMaxBlocks) {
    std::size_t dropped = message.blocks.size() - (kMaxBlocks - 1);
    message.blocks.resize(kMaxBlocks - 1);
    message.blocks.push_back({Block::Kind::kContext,
                              fmt::format("_{} more block(s) left out: Slack takes {} a message. The run's summary has "
                                          "everything._",
                                          dropped, kMaxBlocks)});
    ++trimmed;
  }
  for (Block& block : message.blocks) {
    std::size_t limit = block.kind == Block::Kind::kHeader ? kMaxHeaderText : kMaxSectionText;
    std::string_view note = block.kind == Block::Kind::kHeader ? "…" : "\n_… trimmed to Slack's limit: the run's summary has the rest._";
    if (CharacterCount(block.text) > limit) {
      block.text = TrimToCharacters(block.text, limit, note);
      ++trimmed;
    }
  }
  if (CharacterCount(message.text) > kMaxFallbackText) {
    message.text = TrimToCharacters(message.text, kMaxFallbackText, " … (trimmed)");
    ++trimmed;
  }
  return trimmed;
}

std::string EscapeMrkdwn(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

std::string PayloadJson(const SlackMessage& message, const std::string& channel, const std::string& thread_ts) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  if (!channel.empty()) {
    writer.Key("channel");
    String(writer, channel);
  }
  if (!thread_ts.empty()) {
    writer.Key("thread_ts");
    String(writer, thread_ts);
  }
  writer.Key("text");
  String(writer, message.text);
  writer.Key("blocks");
  writer.StartArray();
  for (const Block& block : message.blocks) WriteBlock(writer, block);
  writer.EndArray();
  writer.Key("unfurl_links");
  writer.Bool(false);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::notify
