// What the fuzz targets share: the input size cap, a scratch directory for the entry points that
// read files, and the way a target reports a broken promise (an abort, which libFuzzer and the
// replay runner both count as a failure).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace sluice::fuzz {

// Room for the nesting that overflows a stack (100,000 levels: 200 KB of brackets, the depth
// at which sluice-validate and sluice-diff crash today); bigger inputs only make a run slower.
// libFuzzer's own -max_len keeps the inputs it makes far smaller; this bounds what is replayed.
inline constexpr std::size_t kMaxInput = 256 * 1024;

// The input as text in `text`; false (and the target returns at once) when it is over the cap.
inline bool TakeInput(const std::uint8_t* data, std::size_t size, std::string_view& text) {
  if (size > kMaxInput) return false;
  text = std::string_view(reinterpret_cast<const char*>(data), size);
  return true;
}

// A directory of this process's own under the system's temp directory, made on first use and
// removed at exit; targets overwrite their files in it for every input.
const std::filesystem::path& ScratchDirectory();
// Writes `bytes` to `path` (parents made), replacing what was there.
void WriteScratchFile(const std::filesystem::path& path, std::string_view bytes);

// Prints "fuzz: <target>: <what>" to stderr and aborts: a target's own check of a promise that a
// header makes (a round trip, two readers agreeing) failed.
[[noreturn]] void Broken(const char* target, const std::string& what);

}  // namespace sluice::fuzz
