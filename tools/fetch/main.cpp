// sluice-fetch: pull a pipeline's sources into the workspace, atomically.
#include <iostream>

#include "core/cli.h"
#include "core/status.h"

int main(int argc, char** argv) {
  CLI::App app{"Fetch a pipeline's sources (HTTP(S), file, command) with retries, limits and atomic writes."};
  app.name("sluice-fetch");
  sluice::CommonOptions common;
  sluice::SetUpCommandLine(app, common, "sluice-fetch pipelines/cases.json");
  if (auto code = sluice::ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *code;
  return sluice::kExitOk;
}
