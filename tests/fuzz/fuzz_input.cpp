#include "fuzz_input.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include <unistd.h>

namespace sluice::fuzz {
namespace {

struct Scratch {
  std::filesystem::path path;
  Scratch() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sluice-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("fuzz: mkdtemp");
      std::abort();
    }
    path = pattern;
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace

const std::filesystem::path& ScratchDirectory() {
  static Scratch scratch;
  return scratch.path;
}

void WriteScratchFile(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) Broken("scratch", "cannot write " + path.string());
}

void Broken(const char* target, const std::string& what) {
  std::fprintf(stderr, "fuzz: %s: %s\n", target, what.c_str());
  std::abort();
}

}  // namespace sluice::fuzz
