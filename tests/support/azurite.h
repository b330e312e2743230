// Azurite's Blob service (npm `azurite`, tests/fixtures/node_modules) for the length of one
// test: on 127.0.0.1 at a port the system picks, its data in a temporary directory, with a
// container created through the official SDK (tests/fixtures/azure-blob-check.mjs), which also
// reads back what a test published.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "support/process.h"
#include "support/temp_dir.h"

namespace sluice {

class Azurite {
 public:
  // Azurite's well-known development account and key (documented, not a secret).
  static constexpr const char* kAccount = "devstoreaccount1";
  static constexpr const char* kKey =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  // Starts Azurite and creates `container`; throws when it does not come up.
  explicit Azurite(const std::string& container = "data");
  ~Azurite();
  Azurite(const Azurite&) = delete;
  Azurite& operator=(const Azurite&) = delete;

  // Path-style, as AZURE_STORAGE_BLOB_ENDPOINT takes it: http://127.0.0.1:<port>/devstoreaccount1
  const std::string& endpoint() const { return endpoint_; }
  // SIGTERM, as a service being stopped gets (Azurite saves its metadata and exits); SIGKILL
  // after 15 s. Requests fail with "connection refused" until Start().
  void Stop();
  // Starts again on the same port and data directory.
  void Start();

  // The environment a publish step needs for this account with the key (SharedKey).
  EnvOverrides KeyEnv() const;
  // `node azure-blob-check.mjs --endpoint … --account … --key … args…`; a failure fails the test.
  std::string Check(const std::vector<std::string>& args) const;
  // Every blob under `prefix` as the SDK sees it (azure-blob-check.mjs list), by name.
  rapidjson::Document List(const std::string& container, const std::string& prefix) const;

 private:
  void Launch(int port);

  TempDir location_;
  int port_ = 0;
  std::string endpoint_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
};

}  // namespace sluice
