// _sluice/manifest.json as sluice-publish reads it back from a storage target (anyone with write
// access to the bucket can change it): publish::ParsePublishedManifest, and for what it accepts,
// the writer's promise that PublishedManifestJson is always valid, so it parses again to the same.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "publish/published_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  auto manifest = sluice::publish::ParsePublishedManifest(text, "_sluice/manifest.json");
  if (!manifest.ok()) return 0;
  for (const auto& file : manifest->files) manifest->Find(file.path);

  const std::string written = sluice::publish::PublishedManifestJson(*manifest);
  auto again = sluice::publish::ParsePublishedManifest(written, "written");
  if (!again.ok()) {
    sluice::fuzz::Broken("published_manifest", "a manifest it accepted, written again, is refused: " + again.status().message());
  }
  if (sluice::publish::PublishedManifestJson(*again) != written) {
    sluice::fuzz::Broken("published_manifest", "a written manifest reads back differently");
  }
  return 0;
}
