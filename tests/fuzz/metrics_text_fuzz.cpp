// A Prometheus text file (--metrics-file) as the tools read it back before adding their run:
// metrics::ParseExposition, strict by its header ("what it accepts, Prometheus accepts"). What it
// accepts must render (RenderExposition) and parse again to the same text.
#include <cstddef>
#include <cstdint>

#include "core/metrics.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  auto families = sluice::metrics::ParseExposition(text);
  if (!families.ok()) return 0;
  auto rendered = sluice::metrics::RenderExposition(*families);
  if (!rendered.ok()) {
    sluice::fuzz::Broken("metrics_text", "what ParseExposition accepted does not render: " + rendered.status().message());
  }
  auto again = sluice::metrics::ParseExposition(*rendered);
  if (!again.ok()) {
    sluice::fuzz::Broken("metrics_text", "RenderExposition wrote what ParseExposition refuses: " + again.status().message());
  }
  auto twice = sluice::metrics::RenderExposition(*again);
  if (!twice.ok() || *twice != *rendered) sluice::fuzz::Broken("metrics_text", "a rendered file reads back differently");
  return 0;
}
