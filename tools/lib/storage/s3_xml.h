// The little XML S3 answers with (ListObjectsV2, InitiateMultipartUpload, errors), read
// without a parser: these documents are flat, their element names never repeat at different
// depths with different meanings, and their text holds only the five predefined entities and
// numeric character references (S3 escapes keys that way).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::storage::s3xml {

// The decoded text of every <name>…</name> in `xml`, in document order. `within`, when given,
// restricts the search to the insides of <within> elements (e.g. Key inside Contents).
std::vector<std::string> Texts(std::string_view xml, std::string_view name, std::string_view within = "");
// The first one, if any.
std::optional<std::string> Text(std::string_view xml, std::string_view name);

// &lt; &gt; &amp; &quot; &apos; and &#N; / &#xN; (as UTF-8). Unknown entities stay as written.
std::string DecodeEntities(std::string_view text);
std::string EscapeText(std::string_view text);

}  // namespace sluice::storage::s3xml
