// records::LocatePointers: the line and column where a value at a JSON pointer starts.
#include <catch2/catch.hpp>

#include "records/locate.h"
#include "support/temp_dir.h"

using namespace sluice;

TEST_CASE("LocatePointers finds each value's start, past strings with blanks, escapes and brackets", "[records][locate]") {
  TempDir dir;
  auto file = dir.Write("d.json",
                        "\xEF\xBB\xBF{\"a b\": \"x, [y]: \\\"z\\\" {\",\n"
                        " \"list\": [1,  [true, null],\n   {\"k/e~y\": -2.5e3}],\n"
                        " \"s\": \"\"}\n");
  auto found = records::LocatePointers(file, {"", "/a b", "/list/0", "/list/1/1", "/list/2/k~1e~0y", "/s", "/missing"});
  REQUIRE(found.ok());
  auto at = [&](const std::string& pointer) {
    auto it = found->find(pointer);
    REQUIRE(it != found->end());
    return std::pair{it->second.line, it->second.column};
  };
  CHECK(at("") == std::pair<std::uint64_t, std::uint64_t>{1, 4});  // after the byte order mark
  CHECK(at("/a b") == std::pair<std::uint64_t, std::uint64_t>{1, 12});
  CHECK(at("/list/0") == std::pair<std::uint64_t, std::uint64_t>{2, 11});
  CHECK(at("/list/1/1") == std::pair<std::uint64_t, std::uint64_t>{2, 22});
  CHECK(at("/list/2/k~1e~0y") == std::pair<std::uint64_t, std::uint64_t>{3, 14});
  CHECK(at("/s") == std::pair<std::uint64_t, std::uint64_t>{4, 7});
  CHECK(found->count("/missing") == 0);
}
