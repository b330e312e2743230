// Writing small JSON documents (request bodies, reports) with RapidJSON's Writer: the few calls
// every module would otherwise repeat.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::json {

using TextWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// "key": "value"
void Field(TextWriter& w, const char* key, std::string_view value);
// "key": ["a", "b"]
void StringsField(TextWriter& w, const char* key, const std::vector<std::string>& values);
// One JSON object whose members `fill` writes, as text.
std::string Object(const std::function<void(TextWriter&)>& fill);

}  // namespace sluice::json
