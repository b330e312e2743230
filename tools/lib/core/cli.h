// The command-line conventions every sluice tool shares: --help with an example and the exit
// codes, --version, --json, --metrics-file, and "unknown flag -> exit 2 with the usage line".
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace sluice {

struct CommonOptions {
  bool json = false;  // machine output on stdout instead of the human report
  std::string metrics_file;  // Prometheus text of the run (pipeline/run_metrics.h); "" for none
};

// Describes the tool: `example` is a runnable command line shown under "Example:".
void SetUpCommandLine(CLI::App& app, CommonOptions& common, const std::string& example);

// Parses argv. Returns the exit code to return immediately (0 after --help or --version,
// 2 after a usage error, with the error and the usage line on `err`), or nullopt to go on.
std::optional<int> ParseCommandLine(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                                    std::ostream& err);

// The exit-code table printed in every --help.
const char* ExitCodeHelp();

}  // namespace sluice
