// One JSON document (a manifest, a schema, a report, a non-array data file) through json::Parse,
// then json::Write and back: what Write produces must parse again, to the same text.
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

  auto pretty = sluice::json::Parse(sluice::json::Write(*document, /*pretty=*/true), "pretty");
  if (!pretty.ok()) sluice::fuzz::Broken("json_document", "the pretty form does not parse: " + pretty.status().message());
  if (sluice::json::Write(*pretty) != compact) sluice::fuzz::Broken("json_document", "the pretty form reads back differently");
  return 0;
}
