// Replays saved inputs through a fuzz target without libFuzzer, so the ordinary g++ builds (plain
// and ASan+UBSan) run every target's regression corpus and seeds under ctest.
// Usage: <target>-replay DIR_OR_FILE...   Exit 0 when every input ran and the target returned 0;
// a crash or abort in the target ends the process as it would under libFuzzer.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::filesystem::path> InputsUnder(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> inputs;
  if (std::filesystem::is_regular_file(root)) return {root};
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    // README files say what a corpus holds; they are not inputs.
    if (entry.is_regular_file() && entry.path().filename() != "README.md") inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());  // the same order on every machine
  return inputs;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  std::size_t ran = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path root = argv[i];
    // A target without regressions yet has no directory: nothing to replay there.
    if (!std::filesystem::exists(root)) continue;
    for (const auto& input : InputsUnder(root)) {
      std::ifstream in(input, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in.eof() && in.fail()) {
        std::fprintf(stderr, "replay: cannot read %s\n", input.c_str());
        return 2;
      }
      std::fprintf(stderr, "replay: %s (%zu bytes)\n", input.c_str(), bytes.size());
      int result = LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      if (result != 0) {
        std::fprintf(stderr, "replay: %s: the target returned %d\n", input.c_str(), result);
        return 1;
      }
      ++ran;
    }
  }
  // No inputs at all means a wrong path, not a pass: every target has committed seeds.
  if (ran == 0) {
    std::fprintf(stderr, "replay: no inputs found under the directories given\n");
    return 1;
  }
  std::printf("replay: %zu inputs, no failure\n", ran);
  return 0;
}
