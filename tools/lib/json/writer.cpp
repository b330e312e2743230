#include "json/writer.h"

namespace sluice::json {

void Field(TextWriter& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void StringsField(TextWriter& w, const char* key, const std::vector<std::string>& values) {
  w.Key(key);
  w.StartArray();
  for (const auto& value : values) w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  w.EndArray();
}

std::string Object(const std::function<void(TextWriter&)>& fill) {
  rapidjson::StringBuffer buffer;
  TextWriter w(buffer);
  w.StartObject();
  fill(w);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::json
