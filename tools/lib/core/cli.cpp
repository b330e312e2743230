#include "core/cli.h"

#include <cstdlib>
#include <ostream>
#include <string_view>

#include "core/status.h"

namespace sluice {

const char* ExitCodeHelp() {
  return "Exit codes:\n"
         "  0  success\n"
         "  1  the tool did its job and the answer is \"no\"\n"
         "  2  bad usage, configuration or input\n"
         "  3  an external service failed after retries\n"
         "  4  refused for safety\n";
}

void SetUpCommandLine(CLI::App& app, CommonOptions& common, const std::string& example) {
  app.set_version_flag("--version", std::string(app.get_name()) + " " + SLUICE_VERSION);
  app.add_flag("--json", common.json, "Write machine-readable JSON to stdout");
  app.add_option("--metrics-file", common.metrics_file,
                 "Also write the run as Prometheus text metrics to this file (the series of other tools in it are kept)");
  app.footer("Example:\n  " + example + "\n\n" + ExitCodeHelp());
}

std::optional<int> ParseCommandLine(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                                    std::ostream& err) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << app.get_name() << ": " << e.what() << "\n";
    err << "usage: " << app.get_name() << " [OPTIONS] (run '" << app.get_name() << " --help' for more)\n";
    return kExitBadInput;
  }
  // SLUICE_PARSE_ONLY=1 stops after a successful parse: how the tests check that every command
  // line in the runbooks and the README is one the tool accepts (they cannot drift apart).
  if (const char* only = std::getenv("SLUICE_PARSE_ONLY"); only != nullptr && std::string_view(only) == "1") {
    out << app.get_name() << ": the command line parses\n";
    return kExitOk;
  }
  return std::nullopt;
}

}  // namespace sluice
