// A pipeline manifest (pipelines/<name>.json) as every tool loads it: pipeline::LoadManifest in a
// scratch workspace (validation against the schema, paths confined to the workspace, ${ENV}
// references), then the notify section as sluice-notify reads it.
#include <cstddef>
#include <cstdint>

#include "core/env.h"
#include "core/secrets.h"
#include "fuzz_input.h"
#include "notify/routes.h"
#include "pipeline/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  const auto workspace = sluice::fuzz::ScratchDirectory() / "workspace";
  const auto file = workspace / "pipelines" / "fuzz.json";
  sluice::fuzz::WriteScratchFile(file, text);
  // Every expanded header value becomes a secret for the rest of the process: without this the
  // registry would grow with every input, and each run would mask against all earlier ones.
  sluice::ClearSecretsForTesting();

  // A fixed environment: a manifest may name ${SOURCE_TOKEN}; anything else is unset.
  static const auto env = sluice::Environment::FromMap({{"SOURCE_TOKEN", "fuzz-token"}});
  auto manifest = sluice::pipeline::LoadManifest(file, workspace, env);
  if (!manifest.ok()) return 0;
  sluice::notify::ReadNotifyConfig(*manifest);
  for (const auto& source : manifest->sources) manifest->FindSource(source.name);
  return 0;
}
