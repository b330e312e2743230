// The nesting limit on the fast lane (issue 30): simdjson parses NDJSON lines for
// ReadNdjsonInParallel's fast verdict, and must refuse a line the reader would refuse, so that a
// record nested past the limit never passes valueless.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include <fstream>
#include <string>

#include "records/reader.h"
#include "support/temp_dir.h"

using namespace sluice;

TEST_CASE("NDJSON nested past the limit is refused on the fast lane too, at its place", "[nesting]") {
  TempDir dir;
  const auto path = dir.path() / "deep.ndjson";
  auto line = [](int depth) { return std::string(depth, '[') + std::string(depth, ']') + "\n"; };
  for (int depth : {512, 513, 1100}) {
    std::ofstream(path, std::ios::binary) << line(3) << line(depth);
    std::uint64_t valueless = 0, with_value = 0;
    records::FastLane fast;
    fast.verdict = [](const simdjson::dom::element&) { return true; };  // would pass anything
    for (std::size_t workers : {std::size_t{0}, std::size_t{2}}) {
      valueless = with_value = 0;
      Status status = records::ReadNdjsonInParallel(
          path, {}, workers, [](records::Record&) {},
          [&](records::Record& record) {
            (record.valueless ? valueless : with_value) += 1;
            return Status::Ok();
          },
          256 * 1024, fast);
      INFO("depth " << depth << ", workers " << workers);
      if (depth <= 512) {
        CHECK(status.ok());
        CHECK(valueless + with_value == 2);
      } else {
        CHECK(status.kind() == ErrorKind::kInput);
        CHECK(status.message() == path.string() + ":2:513: nesting deeper than 512 levels (objects and arrays inside each other)");
        CHECK(valueless + with_value == 1);  // the line before it
      }
    }
  }
}
