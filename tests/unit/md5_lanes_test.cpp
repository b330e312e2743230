// MD5 of many messages at once (core/md5_lanes.h) gives OpenSSL's digest of each, whichever lane
// a message takes, at every length around the 64-byte chunk and the padding's edges.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/md5_lanes.h"

using namespace sluice;

namespace {

std::string Hex(const Md5Digest& digest) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (std::uint8_t byte : digest) hex += {kDigits[byte >> 4], kDigits[byte & 15]};
  return hex;
}

// Bytes that differ from message to message and from position to position.
std::string Message(std::size_t length, std::uint64_t seed) {
  std::string bytes(length, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (char& byte : bytes) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    byte = static_cast<char>(x);
  }
  return bytes;
}

std::vector<std::string> ManyHex(const std::vector<std::string_view>& messages) {
  std::vector<Md5Digest> digests(messages.size());
  Md5Many(messages, digests.data());
  std::vector<std::string> hex;
  for (const auto& digest : digests) hex.push_back(Hex(digest));
  return hex;
}

}  // namespace

TEST_CASE("MD5 of many messages gives RFC 1321's test digests, sixteen of one length at a time", "[md5]") {
  INFO("lanes on this CPU: " << Md5Lanes());
  // RFC 1321, appendix A.5.
  const std::vector<std::pair<std::string, std::string>> suite = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  for (const auto& [text, expected] : suite) {
    CHECK(Hex(Md5One(text)) == expected);
    const std::vector<std::string_view> sixteen(16, text);
    for (const std::string& hex : ManyHex(sixteen)) CHECK(hex == expected);
  }
}

TEST_CASE("MD5 of many messages matches OpenSSL's for each, in whichever lane it goes", "[md5]") {
  INFO("lanes on this CPU: " << Md5Lanes());
  for (std::size_t length : {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 65543}) {
    for (std::size_t count : {1, 2, 15, 16, 17, 33}) {
      std::vector<std::string> owned;
      for (std::size_t i = 0; i < count; ++i) owned.push_back(Message(length + 1, length * 100 + i));
      std::vector<std::string_view> messages;
      // Each starts one byte in: lanes must not assume aligned addresses.
      for (const std::string& bytes : owned) messages.push_back(std::string_view(bytes).substr(1));
      const std::vector<std::string> many = ManyHex(messages);
      for (std::size_t i = 0; i < count; ++i) {
        INFO("length " << length << ", message " << i + 1 << " of " << count);
        CHECK(many[i] == Hex(Md5One(messages[i])));
      }
    }
  }
}

TEST_CASE("MD5 of many messages of mixed lengths, as a file's blocks and its shorter last one", "[md5]") {
  std::vector<std::string> owned;
  for (std::size_t i = 0; i < 20; ++i) owned.push_back(Message(4096, i));
  owned.push_back(Message(100, 99));
  owned.push_back(Message(4096, 100));  // a run broken by another length, then one alone
  std::vector<std::string_view> messages(owned.begin(), owned.end());
  const std::vector<std::string> many = ManyHex(messages);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    INFO("message " << i + 1);
    CHECK(many[i] == Hex(Md5One(messages[i])));
  }
  // Distinct messages give distinct digests: no lane's result went to another's place.
  std::vector<std::string> sorted = many;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
}
