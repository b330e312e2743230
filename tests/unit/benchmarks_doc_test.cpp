// docs/benchmarks.md against the rule for benchmarks (issue 17): each bench/ script writes its
// own section, between its markers, starting with a run line (date, machine, build type, load);
// every ratio in a section divides two rows of that section's table, measured in the same run.
// This reads the document only; it never runs a benchmark.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/fs.h"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

struct BenchSection {
  std::string heading;             // the "## " line's title
  std::vector<std::string> lines;  // between the markers, the heading included
};

std::string ReadSourceFile(const char* relative) {
  auto text = ReadFile(fs::path(SLUICE_SOURCE_DIR) / relative);
  INFO(relative);
  REQUIRE(text.ok());
  return *text;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// The bench scripts: the executables directly in bench/ without an extension (lib.sh is sourced).
std::vector<std::string> BenchScripts() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / "bench")) {
    if (!entry.is_regular_file() || entry.path().has_extension()) continue;
    if ((entry.status().permissions() & fs::perms::owner_exec) == fs::perms::none) continue;
    names.push_back(entry.path().filename().string());
  }
  return names;
}

// Sections by marker name. Fails on a heading outside any marked section, an unclosed or
// mismatched marker, or a section whose heading is not "## <name>".
std::map<std::string, BenchSection> MarkedSections(const std::string& markdown) {
  static const std::regex begin(R"(^<!-- bench/([a-z0-9_-]+): begin -->$)");
  static const std::regex end(R"(^<!-- bench/([a-z0-9_-]+): end -->$)");
  std::map<std::string, BenchSection> sections;
  std::string open;
  for (const std::string& line : Lines(markdown)) {
    std::smatch m;
    INFO("line: " << line);
    if (std::regex_match(line, m, begin)) {
      REQUIRE(open.empty());
      open = m[1];
      REQUIRE(sections.count(open) == 0);
      sections[open];
    } else if (std::regex_match(line, m, end)) {
      REQUIRE(open == m[1].str());
      open.clear();
    } else if (open.empty()) {
      CHECK(line.rfind("## ", 0) != 0);  // a section not written by a bench script
    } else {
      BenchSection& section = sections[open];
      if (section.heading.empty() && line.rfind("## ", 0) == 0) section.heading = line.substr(3);
      section.lines.push_back(line);
    }
  }
  CHECK(open.empty());
  return sections;
}

// The first cell of each row of the section's table, mapped to its "wall (s)" cell as printed.
std::map<std::string, std::string> WallByRow(const BenchSection& section) {
  std::map<std::string, std::string> wall;
  int column = -1;
  for (const std::string& line : section.lines) {
    if (line.rfind("|", 0) != 0) {
      if (column >= 0) break;  // one table per section
      continue;
    }
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    std::string cell;
    while (std::getline(row, cell, '|')) {
      const auto first = cell.find_first_not_of(' ');
      const auto last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    if (column < 0) {
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i] == "wall (s)") column = static_cast<int>(i);
      }
      continue;
    }
    if (cells.size() <= static_cast<size_t>(column) || cells[0].rfind("---", 0) == 0) continue;
    wall[cells[0]] = cells[column];
  }
  return wall;
}

std::string Format(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

}  // namespace

TEST_CASE("every bench script writes a marked section of docs/benchmarks.md with a run line",
          "[benchmarks]") {
  const auto sections = MarkedSections(ReadSourceFile("docs/benchmarks.md"));
  const std::vector<std::string> scripts = BenchScripts();
  REQUIRE(scripts.size() >= 3);  // validate, diff, fetch
  static const std::regex run_line(
      R"(^\*\*Run:\*\* \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, `bench/([a-z0-9_-]+)` .*)"
      R"( · machine: [^·]+, \d+ cores, [\d.]+ GiB memory)"
      R"( · build: (Release|RelWithDebInfo|MinSizeRel|Debug)\b[^·]*)"
      R"( · peers: [^·]+)"
      R"( · load \(1 min\): [\d.]+ at start [^·]*, [\d.]+ at end[^·]*)"
      R"( · medians of \d+ runs.*)");
  for (const std::string& script : scripts) {
    INFO("bench/" << script);
    REQUIRE(sections.count(script) == 1);
    const BenchSection& section = sections.at(script);
    CHECK(section.heading == script);
    std::string first;  // the first line after the heading that is not blank
    for (size_t i = 1; i < section.lines.size() && first.empty(); ++i) first = section.lines[i];
    INFO("run line: " << first);
    std::smatch m;
    REQUIRE(std::regex_match(first, m, run_line));
    CHECK(m[1] == script);
    CHECK(first.find("NOT OPTIMIZED") == std::string::npos);
  }
}

TEST_CASE("every ratio in docs/benchmarks.md divides two rows of its own section's table",
          "[benchmarks]") {
  static const std::regex ratio_line(
      R"(^- `([^`]+)` / `([^`]+)`: (\d+(?:\.\d+)?) s / (\d+(?:\.\d+)?) s = (\d+(?:\.(\d+))?)×$)");
  static const std::regex any_ratio(R"(\d×)");
  for (const auto& [name, section] : MarkedSections(ReadSourceFile("docs/benchmarks.md"))) {
    INFO("section " << name);
    const auto wall = WallByRow(section);
    REQUIRE_FALSE(wall.empty());
    int ratios = 0;
    for (const std::string& line : section.lines) {
      INFO("line: " << line);
      std::smatch m;
      if (std::regex_match(line, m, ratio_line)) {
        ++ratios;
        REQUIRE(wall.count(m[1]) == 1);
        REQUIRE(wall.count(m[2]) == 1);
        CHECK(wall.at(m[1]) == m[3].str());  // the numerator as the table prints it
        CHECK(wall.at(m[2]) == m[4].str());
        const double quotient = std::stod(m[3]) / std::stod(m[4]);
        CHECK(Format(quotient, static_cast<int>(m[6].length())) == m[5].str());
      } else if (line.rfind("Goals (", 0) != 0) {
        // A goal ("≥10× ajv") is a target; any other "N×" is a ratio no row backs.
        CHECK_FALSE(std::regex_search(line, any_ratio));
      }
    }
    CHECK(ratios > 0);
  }
}

TEST_CASE("the README points to docs/benchmarks.md instead of quoting ratios", "[benchmarks]") {
  static const std::regex quoted(R"(\d×|\d\s*MB/s)");
  const std::string readme = ReadSourceFile("README.md");
  for (const std::string& line : Lines(readme)) {
    INFO("README.md: " << line);
    CHECK_FALSE(std::regex_search(line, quoted));
  }
  CHECK(readme.find("docs/benchmarks.md") != std::string::npos);
}
