// The state files a workflow keeps between runs in actions/cache, read at the start of a run:
// sluice-notify's thread state (notify::LoadThreadState) and sluice-fetch's validators
// (fetch::LoadFetchState). The cache is only as trustworthy as every run that wrote it, so a
// damaged file must be an error, never a crash. What loads must save and load again unchanged.
#include <cstddef>
#include <cstdint>

#include "core/fs.h"
#include "fetch/state.h"
#include "fuzz_input.h"
#include "notify/thread_state.h"

namespace {

// Saves `state` with `save`, loads it again with `load`, saves that: both files must be the same.
template <typename State, typename Load, typename Save>
void CheckRoundTrip(const State& state, Load load, Save save, const char* what) {
  const auto first = sluice::fuzz::ScratchDirectory() / "saved-once.json";
  const auto second = sluice::fuzz::ScratchDirectory() / "saved-twice.json";
  if (!save(first, state).ok()) sluice::fuzz::Broken("cached_state", std::string(what) + ": a loaded state does not save");
  auto again = load(first);
  if (!again.ok()) {
    sluice::fuzz::Broken("cached_state", std::string(what) + ": a saved state does not load: " + again.status().message());
  }
  if (!save(second, *again).ok()) sluice::fuzz::Broken("cached_state", std::string(what) + ": a reloaded state does not save");
  if (*sluice::ReadFile(first) != *sluice::ReadFile(second)) {
    sluice::fuzz::Broken("cached_state", std::string(what) + ": a saved state reads back differently");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  const auto file = sluice::fuzz::ScratchDirectory() / "state.json";
  sluice::fuzz::WriteScratchFile(file, text);

  if (auto threads = sluice::notify::LoadThreadState(file); threads.ok()) {
    CheckRoundTrip(*threads, sluice::notify::LoadThreadState, sluice::notify::SaveThreadState, "thread state");
  }
  if (auto validators = sluice::fetch::LoadFetchState(file); validators.ok()) {
    CheckRoundTrip(*validators, sluice::fetch::LoadFetchState, sluice::fetch::SaveFetchState, "fetch state");
  }
  return 0;
}
