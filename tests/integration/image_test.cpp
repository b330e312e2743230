// Where the tools run without a build: the runtime image (Dockerfile's last stage) and
// actions/setup on a cache hit install packages by hand. Each must hold a package for every
// library the built binaries link against, or every tool fails to start ("error while loading
// shared libraries"), and tzdata, which date/tz reads for publish windows and schedules. Docker
// cannot run here, so the lists are checked against the binaries themselves.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "support/process.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The Debian package of every library a tool names in its NEEDED entries.
std::set<std::string> RuntimePackages() {
  std::set<std::string> packages;
  for (const auto& entry : fs::directory_iterator(SLUICE_BIN_DIR)) {
    if (entry.path().filename().string().rfind("sluice-", 0) != 0) continue;
    auto needed = RunProcess({"readelf", "-d", entry.path().string()});
    REQUIRE(needed.exit_code == 0);
    auto resolved = RunProcess({"ldd", entry.path().string()});
    REQUIRE(resolved.exit_code == 0);
    std::istringstream lines(needed.out);
    for (std::string line; std::getline(lines, line);) {
      const std::size_t open = line.find("Shared library: [");
      if (open == std::string::npos) continue;
      const std::string name = line.substr(open + 17, line.find(']', open) - open - 17);
      const std::size_t at = resolved.out.find(name + " => ");
      REQUIRE(at != std::string::npos);
      const std::size_t start = at + name.size() + 4;
      const std::string path = resolved.out.substr(start, resolved.out.find(' ', start) - start);
      // usrmerge: dpkg knows a library by the path its package ships it at, /lib or /usr/lib.
      auto owner = RunProcess({"dpkg", "-S", path});
      if (owner.exit_code != 0) owner = RunProcess({"dpkg", "-S", fs::canonical(path).string()});
      if (owner.exit_code != 0) owner = RunProcess({"dpkg", "-S", "/usr" + path});
      INFO(name << " at " << path);
      REQUIRE(owner.exit_code == 0);
      packages.insert(owner.out.substr(0, owner.out.find_first_of(":")));
    }
  }
  return packages;
}

// Words of `text` between `from` and the first line after it that does not end in a backslash.
std::set<std::string> WordsOfCommand(const std::string& text, std::size_t from) {
  std::set<std::string> words;
  std::size_t end = from;
  while (true) {
    std::size_t eol = text.find('\n', end);
    if (eol == std::string::npos || eol == 0 || text[eol - 1] != '\\') {
      end = eol;
      break;
    }
    end = eol + 1;
  }
  std::istringstream in(text.substr(from, end - from));
  for (std::string word; in >> word;) words.insert(word);
  return words;
}

}  // namespace

TEST_CASE("the runtime image and actions/setup install a package for every library the tools link against, and tzdata",
          "[image]") {
  const std::set<std::string> base = {"libc6", "libgcc-s1", "libstdc++6"};  // in every Debian 12 image
  // The sanitizer build (CI's second stage) links the sanitizers' runtimes; a release build does not.
  auto sanitizer = [](const std::string& package) {
    return package.rfind("libasan", 0) == 0 || package.rfind("libubsan", 0) == 0 || package.rfind("liblsan", 0) == 0;
  };
  std::set<std::string> needed = RuntimePackages();
  CHECK(needed.count("libdate-tz3") == 1);  // the check sees the libraries it is about
  needed.insert("tzdata");

  const std::string dockerfile = ReadText(fs::path(SLUICE_SOURCE_DIR) / "Dockerfile");
  const std::size_t runtime = dockerfile.rfind("\nFROM ");
  REQUIRE(runtime != std::string::npos);
  const std::size_t install = dockerfile.find("apt-get install", runtime);
  REQUIRE(install != std::string::npos);
  const std::set<std::string> image = WordsOfCommand(dockerfile, install);
  CHECK_THAT(dockerfile.substr(runtime), Catch::Contains("\nUSER ") && !Catch::Contains("USER root"));

  const std::string setup = ReadText(fs::path(SLUICE_SOURCE_DIR) / "actions/setup/action.yml");
  const std::size_t list = setup.find("packages=(");
  REQUIRE(list != std::string::npos);
  std::set<std::string> on_cache_hit;
  std::istringstream words(setup.substr(list + 10, setup.find(')', list) - list - 10));
  for (std::string word; words >> word;) on_cache_hit.insert(word);

  for (const std::string& package : needed) {
    if (base.count(package) != 0 || sanitizer(package)) continue;
    INFO("package " << package);
    CHECK(image.count(package) == 1);
    CHECK(on_cache_hit.count(package) == 1);
  }
}
