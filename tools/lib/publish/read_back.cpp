#include "publish/read_back.h"

#include <cctype>

#include <fmt/format.h>

#include "core/hash.h"
#include "core/secrets.h"
#include "http/client.h"

namespace sluice::publish {
namespace {

std::string EncodePath(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

}  // namespace

Status ConfirmLive(const std::string& base_url, const std::vector<LiveFile>& files, int parallel) {
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::vector<http::Transfer> transfers;
  for (const LiveFile& file : files) {
    http::Transfer transfer;
    transfer.request.url = base + "/" + EncodePath(file.path);
    transfer.request.headers = {{"Cache-Control", "no-cache"}};
    transfers.push_back(std::move(transfer));
  }
  http::Client client;
  std::vector<Result<http::Response>> responses = client.PerformAll(transfers, parallel);
  std::string first;
  std::size_t failed = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::string problem;
    if (!responses[i].ok()) {
      problem = responses[i].status().message();
    } else if (responses[i]->status != 200) {
      problem = fmt::format("{}: HTTP {}", RedactUrl(transfers[i].request.url), responses[i]->status);
    } else if (const std::string found = Sha256Hex(responses[i]->body); found != files[i].sha256) {
      problem = fmt::format("{}: serves sha256 {} where {} was uploaded (a cache in front of it, or the read URL "
                            "points elsewhere)",
                            RedactUrl(transfers[i].request.url), found.substr(0, 12), files[i].sha256.substr(0, 12));
    }
    if (problem.empty()) continue;
    if (failed++ == 0) first = problem;
  }
  if (failed == 0) return Status::Ok();
  return ExternalError(fmt::format("confirming the files are live through --read-url: {}{}; check that --read-url is "
                                   "where readers fetch this target's files",
                                   first, failed > 1 ? fmt::format(" (and {} more files)", failed - 1) : ""));
}

}  // namespace sluice::publish
