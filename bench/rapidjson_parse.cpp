// The limit for bench/validate: RapidJSON's SAX reader over NDJSON lines, building nothing.
// Built by bench/validate with g++ directly; not part of the product.
#include <cstdio>
#include <cstring>
#include <string>

#include <rapidjson/reader.h>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  FILE* file = std::fopen(argv[1], "rb");
  if (file == nullptr) return 2;
  static char buffer[1 << 20];
  std::string line;
  unsigned long records = 0, bad = 0;
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> ignore;
  while (std::fgets(buffer, sizeof buffer, file) != nullptr) {
    line += buffer;
    if (line.empty() || line.back() != '\n') continue;
    rapidjson::StringStream stream(line.c_str());
    if (reader.Parse<rapidjson::kParseIterativeFlag>(stream, ignore)) ++records; else ++bad;
    line.clear();
  }
  std::fclose(file);
  std::printf("%lu records, %lu unparsable\n", records, bad);
  return 0;
}
