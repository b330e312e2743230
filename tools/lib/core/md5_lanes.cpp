#include "core/md5_lanes.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#define SLUICE_MD5_LANES 1
#else
#define SLUICE_MD5_LANES 0
#endif

namespace sluice {
namespace {

#if SLUICE_MD5_LANES
#define SLUICE_AVX512 __attribute__((target("avx512f")))
// GCC 12 takes the deliberately undefined register in its own <avx512fintrin.h> (the passthrough
// of an unmasked rotate) for an uninitialized variable.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"

// vpternlogd's immediate for a function of three bits (the operands' truth table).
template <typename F>
constexpr int Ternary(F f) {
  return f(0xF0, 0xCC, 0xAA) & 0xFF;
}
// RFC 1321's four auxiliary functions of (b, c, d).
constexpr int kF = Ternary([](int b, int c, int d) { return (b & c) | (~b & d); });
constexpr int kG = Ternary([](int b, int c, int d) { return (b & d) | (c & ~d); });
constexpr int kH = Ternary([](int b, int c, int d) { return b ^ c ^ d; });
constexpr int kI = Ternary([](int b, int c, int d) { return c ^ (b | ~d); });

// One of RFC 1321's 64 steps on all sixteen lanes: a = b + ((a + f(b, c, d) + X[g] + T) <<< s).
#define SLUICE_MD5_STEP(f, a, b, c, d, g, t, s)                                                            \
  a = _mm512_add_epi32(a, _mm512_add_epi32(_mm512_ternarylogic_epi32(b, c, d, f),                         \
                                           _mm512_add_epi32(m[g], _mm512_set1_epi32(static_cast<int>(t))))); \
  a = _mm512_add_epi32(_mm512_rol_epi32(a, s), b)

// `chunks` 64-byte chunks of each lane's message, lane l's starting at lane[l], into `state`.
// A chunk's sixteen words are gathered across the lanes: lane l's address is lane[0] plus its
// offset from it, so that every address is one the caller handed in.
SLUICE_AVX512 void Chunks(__m512i state[4], const std::uint8_t* const lane[16], std::size_t chunks) {
  alignas(64) std::int64_t offsets[16];
  for (int l = 0; l < 16; ++l) offsets[l] = reinterpret_cast<std::intptr_t>(lane[l]) - reinterpret_cast<std::intptr_t>(lane[0]);
  const __m512i low = _mm512_load_si512(offsets), high = _mm512_load_si512(offsets + 8);
  __m512i a = state[0], b = state[1], c = state[2], d = state[3];
  for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
    __m512i m[16];
    const std::uint8_t* at = lane[0] + chunk * 64;
    for (int g = 0; g < 16; ++g) {
      const __m256i first = _mm512_i64gather_epi32(low, at + 4 * g, 1);
      const __m256i second = _mm512_i64gather_epi32(high, at + 4 * g, 1);
      m[g] = _mm512_inserti64x4(_mm512_castsi256_si512(first), second, 1);
    }
    const __m512i a0 = a, b0 = b, c0 = c, d0 = d;
    SLUICE_MD5_STEP(kF, a, b, c, d,  0, 0xd76aa478,  7);
    SLUICE_MD5_STEP(kF, d, a, b, c,  1, 0xe8c7b756, 12);
    SLUICE_MD5_STEP(kF, c, d, a, b,  2, 0x242070db, 17);
    SLUICE_MD5_STEP(kF, b, c, d, a,  3, 0xc1bdceee, 22);
    SLUICE_MD5_STEP(kF, a, b, c, d,  4, 0xf57c0faf,  7);
    SLUICE_MD5_STEP(kF, d, a, b, c,  5, 0x4787c62a, 12);
    SLUICE_MD5_STEP(kF, c, d, a, b,  6, 0xa8304613, 17);
    SLUICE_MD5_STEP(kF, b, c, d, a,  7, 0xfd469501, 22);
    SLUICE_MD5_STEP(kF, a, b, c, d,  8, 0x698098d8,  7);
    SLUICE_MD5_STEP(kF, d, a, b, c,  9, 0x8b44f7af, 12);
    SLUICE_MD5_STEP(kF, c, d, a, b, 10, 0xffff5bb1, 17);
    SLUICE_MD5_STEP(kF, b, c, d, a, 11, 0x895cd7be, 22);
    SLUICE_MD5_STEP(kF, a, b, c, d, 12, 0x6b901122,  7);
    SLUICE_MD5_STEP(kF, d, a, b, c, 13, 0xfd987193, 12);
    SLUICE_MD5_STEP(kF, c, d, a, b, 14, 0xa679438e, 17);
    SLUICE_MD5_STEP(kF, b, c, d, a, 15, 0x49b40821, 22);
    SLUICE_MD5_STEP(kG, a, b, c, d,  1, 0xf61e2562,  5);
    SLUICE_MD5_STEP(kG, d, a, b, c,  6, 0xc040b340,  9);
    SLUICE_MD5_STEP(kG, c, d, a, b, 11, 0x265e5a51, 14);
    SLUICE_MD5_STEP(kG, b, c, d, a,  0, 0xe9b6c7aa, 20);
    SLUICE_MD5_STEP(kG, a, b, c, d,  5, 0xd62f105d,  5);
    SLUICE_MD5_STEP(kG, d, a, b, c, 10, 0x02441453,  9);
    SLUICE_MD5_STEP(kG, c, d, a, b, 15, 0xd8a1e681, 14);
    SLUICE_MD5_STEP(kG, b, c, d, a,  4, 0xe7d3fbc8, 20);
    SLUICE_MD5_STEP(kG, a, b, c, d,  9, 0x21e1cde6,  5);
    SLUICE_MD5_STEP(kG, d, a, b, c, 14, 0xc33707d6,  9);
    SLUICE_MD5_STEP(kG, c, d, a, b,  3, 0xf4d50d87, 14);
    SLUICE_MD5_STEP(kG, b, c, d, a,  8, 0x455a14ed, 20);
    SLUICE_MD5_STEP(kG, a, b, c, d, 13, 0xa9e3e905,  5);
    SLUICE_MD5_STEP(kG, d, a, b, c,  2, 0xfcefa3f8,  9);
    SLUICE_MD5_STEP(kG, c, d, a, b,  7, 0x676f02d9, 14);
    SLUICE_MD5_STEP(kG, b, c, d, a, 12, 0x8d2a4c8a, 20);
    SLUICE_MD5_STEP(kH, a, b, c, d,  5, 0xfffa3942,  4);
    SLUICE_MD5_STEP(kH, d, a, b, c,  8, 0x8771f681, 11);
    SLUICE_MD5_STEP(kH, c, d, a, b, 11, 0x6d9d6122, 16);
    SLUICE_MD5_STEP(kH, b, c, d, a, 14, 0xfde5380c, 23);
    SLUICE_MD5_STEP(kH, a, b, c, d,  1, 0xa4beea44,  4);
    SLUICE_MD5_STEP(kH, d, a, b, c,  4, 0x4bdecfa9, 11);
    SLUICE_MD5_STEP(kH, c, d, a, b,  7, 0xf6bb4b60, 16);
    SLUICE_MD5_STEP(kH, b, c, d, a, 10, 0xbebfbc70, 23);
    SLUICE_MD5_STEP(kH, a, b, c, d, 13, 0x289b7ec6,  4);
    SLUICE_MD5_STEP(kH, d, a, b, c,  0, 0xeaa127fa, 11);
    SLUICE_MD5_STEP(kH, c, d, a, b,  3, 0xd4ef3085, 16);
    SLUICE_MD5_STEP(kH, b, c, d, a,  6, 0x04881d05, 23);
    SLUICE_MD5_STEP(kH, a, b, c, d,  9, 0xd9d4d039,  4);
    SLUICE_MD5_STEP(kH, d, a, b, c, 12, 0xe6db99e5, 11);
    SLUICE_MD5_STEP(kH, c, d, a, b, 15, 0x1fa27cf8, 16);
    SLUICE_MD5_STEP(kH, b, c, d, a,  2, 0xc4ac5665, 23);
    SLUICE_MD5_STEP(kI, a, b, c, d,  0, 0xf4292244,  6);
    SLUICE_MD5_STEP(kI, d, a, b, c,  7, 0x432aff97, 10);
    SLUICE_MD5_STEP(kI, c, d, a, b, 14, 0xab9423a7, 15);
    SLUICE_MD5_STEP(kI, b, c, d, a,  5, 0xfc93a039, 21);
    SLUICE_MD5_STEP(kI, a, b, c, d, 12, 0x655b59c3,  6);
    SLUICE_MD5_STEP(kI, d, a, b, c,  3, 0x8f0ccc92, 10);
    SLUICE_MD5_STEP(kI, c, d, a, b, 10, 0xffeff47d, 15);
    SLUICE_MD5_STEP(kI, b, c, d, a,  1, 0x85845dd1, 21);
    SLUICE_MD5_STEP(kI, a, b, c, d,  8, 0x6fa87e4f,  6);
    SLUICE_MD5_STEP(kI, d, a, b, c, 15, 0xfe2ce6e0, 10);
    SLUICE_MD5_STEP(kI, c, d, a, b,  6, 0xa3014314, 15);
    SLUICE_MD5_STEP(kI, b, c, d, a, 13, 0x4e0811a1, 21);
    SLUICE_MD5_STEP(kI, a, b, c, d,  4, 0xf7537e82,  6);
    SLUICE_MD5_STEP(kI, d, a, b, c, 11, 0xbd3af235, 10);
    SLUICE_MD5_STEP(kI, c, d, a, b,  2, 0x2ad7d2bb, 15);
    SLUICE_MD5_STEP(kI, b, c, d, a,  9, 0xeb86d391, 21);
    a = _mm512_add_epi32(a, a0);
    b = _mm512_add_epi32(b, b0);
    c = _mm512_add_epi32(c, c0);
    d = _mm512_add_epi32(d, d0);
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
}
#undef SLUICE_MD5_STEP

// Up to sixteen messages of one length; a lane without a message repeats the first one.
SLUICE_AVX512 void Sixteen(const std::string_view* messages, std::size_t count, Md5Digest* out) {
  const std::size_t length = messages[0].size();
  const std::uint8_t* lane[16];
  for (std::size_t l = 0; l < 16; ++l) {
    lane[l] = reinterpret_cast<const std::uint8_t*>(messages[l < count ? l : 0].data());
  }
  __m512i state[4] = {_mm512_set1_epi32(0x67452301), _mm512_set1_epi32(static_cast<int>(0xefcdab89)),
                      _mm512_set1_epi32(static_cast<int>(0x98badcfe)), _mm512_set1_epi32(0x10325476)};
  if (length >= 64) Chunks(state, lane, length / 64);
  // The last bytes, the 0x80 that ends them, zeros, and the length in bits: one chunk or two.
  const std::size_t rest = length % 64;
  const std::size_t tail_chunks = rest < 56 ? 1 : 2;
  const std::uint64_t bits = static_cast<std::uint64_t>(length) * 8;
  alignas(64) std::uint8_t tails[16][128];
  const std::uint8_t* tail[16];
  for (std::size_t l = 0; l < 16; ++l) {
    std::memset(tails[l], 0, sizeof tails[l]);
    if (rest > 0) std::memcpy(tails[l], lane[l] + (length - rest), rest);
    tails[l][rest] = 0x80;
    for (int byte = 0; byte < 8; ++byte) tails[l][tail_chunks * 64 - 8 + byte] = static_cast<std::uint8_t>(bits >> (8 * byte));
    tail[l] = tails[l];
  }
  Chunks(state, tail, tail_chunks);
  alignas(64) std::uint32_t words[4][16];
  for (int k = 0; k < 4; ++k) _mm512_store_si512(words[k], state[k]);
  for (std::size_t l = 0; l < count; ++l) {
    for (int k = 0; k < 4; ++k) {
      for (int byte = 0; byte < 4; ++byte) out[l][4 * k + byte] = static_cast<std::uint8_t>(words[k][l] >> (8 * byte));
    }
  }
}

#pragma GCC diagnostic pop

bool HasLanes() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
}
#else
bool HasLanes() { return false; }
#endif

}  // namespace

std::size_t Md5Lanes() { return HasLanes() ? 16 : 1; }

Md5Digest Md5One(std::string_view message) {
  Md5Digest digest{};
  unsigned int length = 0;
  EVP_Digest(message.data(), message.size(), digest.data(), &length, EVP_md5(), nullptr);
  return digest;
}

void Md5Many(std::span<const std::string_view> messages, Md5Digest* out) {
  std::size_t i = 0;
  while (i < messages.size()) {
    // The run of messages from i that share its length, at most sixteen.
    std::size_t end = i + 1;
    while (end < messages.size() && end - i < 16 && messages[end].size() == messages[i].size()) ++end;
#if SLUICE_MD5_LANES
    if (end - i >= 2 && HasLanes()) {  // one message alone is quicker through OpenSSL
      Sixteen(messages.data() + i, end - i, out + i);
      i = end;
      continue;
    }
#endif
    for (; i < end; ++i) out[i] = Md5One(messages[i]);
  }
}

}  // namespace sluice
