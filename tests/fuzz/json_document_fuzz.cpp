// One JSON document (a manifest, a schema, a report, a non-array data file) through json::Parse,
// then json::Write and back: what Write produces must parse again, to the same text. Only the
// compact form: the library writes data compactly, and pretty-prints only files of its own, whose
// depth it bounds (the indentation of a deep document grows with the square of its depth).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "json/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text;
  if (!sluice::fuzz::TakeInput(data, size, text)) return 0;
  auto document = sluice::json::Parse(text, "fuzz.json");
  if (!document.ok()) return 0;

  const std::string compact = sluice::json::Write(*document);
  auto again = sluice::json::Parse(compact, "written");
  if (!again.ok()) sluice::fuzz::Broken("json_document", "json::Write wrote what json::Parse refuses: " + again.status().message());
  if (sluice::json::Write(*again) != compact) sluice::fuzz::Broken("json_document", "a written document reads back differently");
  return 0;
}
