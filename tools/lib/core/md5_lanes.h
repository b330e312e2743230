// MD5 of many messages at once: the blocks of a large upload (Azure Put Block's Content-MD5, S3
// UploadPart's). One MD5 cannot use more than one scalar unit, so where the CPU has AVX-512F,
// sixteen messages of the same length go through the sixteen 32-bit lanes of one register
// together (under a quarter of OpenSSL's time per byte on an AMD EPYC); the rest go through
// OpenSSL one by one.
// No Debian package offers this (Intel's isa-l_crypto, which does, is not packaged).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice {

using Md5Digest = std::array<std::uint8_t, 16>;

// How many messages of one length Md5Many hashes together on this CPU: 16 with AVX-512F, else 1.
std::size_t Md5Lanes();

// out[i] = MD5(messages[i]); `out` has messages.size() elements.
void Md5Many(std::span<const std::string_view> messages, Md5Digest* out);

// The same through OpenSSL only, one message at a time (tests compare the two).
Md5Digest Md5One(std::string_view message);

}  // namespace sluice
