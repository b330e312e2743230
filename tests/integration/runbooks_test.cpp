// The command lines of the runbooks and the README are real: each one a responder might copy at
// 2 a.m. is parsed by the tool's own option parser (SLUICE_PARSE_ONLY=1), so the pages cannot
// drift from the tools.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.h"

using namespace sluice;
namespace fs = std::filesystem;

namespace {

// Shell-like words: single and double quotes group, a backslash escapes in double quotes.
std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < line.size()) word += line[++i];
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else if ((c == '#' || c == '>' || c == '|') && !in_word) {
      break;  // a comment, a redirection or a pipe: the command line ends
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

// Placeholders like <name> or <number> become a plausible value.
std::string Fill(std::string word) {
  for (std::size_t open = word.find('<'); open != std::string::npos; open = word.find('<')) {
    std::size_t close = word.find('>', open);
    if (close == std::string::npos) break;
    std::string name = word.substr(open + 1, close - open - 1);
    word.replace(open, close - open + 1, name == "number" ? "42" : "cases");
  }
  return word;
}

struct CommandLine {
  std::string where;
  std::vector<std::string> argv;
};

// Lines of ```sh blocks that start with a sluice tool.
std::vector<CommandLine> CommandLines(const fs::path& page) {
  std::vector<CommandLine> found;
  std::ifstream in(page);
  std::string line;
  bool in_code = false;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("```", 0) == 0) {  // only shell blocks: others hold diagrams and output
      in_code = !in_code && (line == "```sh" || line == "```bash");
      continue;
    }
    std::size_t start = line.find_first_not_of(' ');
    if (!in_code || start == std::string::npos || line.compare(start, 7, "sluice-") != 0) continue;
    std::vector<std::string> words = Words(line.substr(start));
    for (auto& word : words) word = Fill(word);
    found.push_back({page.filename().string() + ":" + std::to_string(number), words});
  }
  return found;
}

}  // namespace

TEST_CASE("every sluice command line in the runbooks and the README parses with the tool's own options", "[docs]") {
  std::vector<fs::path> pages = {fs::path(SLUICE_SOURCE_DIR) / "README.md"};
  for (const auto& entry : fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / "runbooks")) {
    if (entry.path().extension() == ".md") pages.push_back(entry.path());
  }
  int checked = 0;
  for (const fs::path& page : pages) {
    for (CommandLine& command : CommandLines(page)) {
      INFO(command.where << ": " << command.argv[0]);
      fs::path tool = fs::path(SLUICE_BIN_DIR) / command.argv[0];
      REQUIRE(fs::exists(tool));  // a page naming a tool that does not exist is wrong too
      command.argv[0] = tool.string();
      ProcessResult run = RunProcess(command.argv, {{"SLUICE_PARSE_ONLY", "1"}});
      INFO(run.err);
      CHECK(run.exit_code == 0);
      CHECK_THAT(run.out, Catch::Contains("the command line parses"));
      ++checked;
    }
  }
  CHECK(checked >= 10);
}
