// The progress line sluice-fetch draws on a terminal for large downloads.
#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include "fetch/progress.h"

using namespace sluice;

namespace {

constexpr std::uint64_t kMiB = 1 << 20;
const std::string kErase = "\r\x1b[2K";

}  // namespace

TEST_CASE("progress: a body past 1 MiB is drawn with size and percent, then erased", "[fetch][progress]") {
  std::ostringstream out;
  fetch::ProgressLine line(out, true);
  line.Update("cases", {kMiB / 2, 4 * kMiB});
  CHECK(out.str().empty());  // small so far: nothing to show
  line.Update("cases", {3 * kMiB / 2, 3 * kMiB});
  CHECK(out.str() == kErase + "cases: 1.5 / 3.0 MiB (50%)");
  line.Finish();
  CHECK(out.str() == kErase + "cases: 1.5 / 3.0 MiB (50%)" + kErase);
}

TEST_CASE("progress: an unknown length shows the bytes so far, redraws at most 5 times a second", "[fetch][progress]") {
  std::ostringstream out;
  fetch::ProgressLine line(out, true);
  line.Update("big", {2 * kMiB, 0});
  line.Update("big", {3 * kMiB, 0});  // within 200 ms of the last draw: skipped
  CHECK(out.str() == kErase + "big: 2.0 MiB");
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  line.Update("big", {3 * kMiB, 0});
  CHECK(out.str() == kErase + "big: 2.0 MiB" + kErase + "big: 3.0 MiB");
}

TEST_CASE("progress: nothing at all when disabled (not a terminal, or --json)", "[fetch][progress]") {
  std::ostringstream out;
  fetch::ProgressLine line(out, false);
  line.Update("cases", {8 * kMiB, 8 * kMiB});
  line.Finish();
  CHECK(out.str().empty());
  fetch::ProgressLine never_drawn(out, true);
  never_drawn.Finish();  // nothing drawn, nothing to erase
  CHECK(out.str().empty());
}
