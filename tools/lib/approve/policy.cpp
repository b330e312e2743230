#include "approve/policy.h"

#include <filesystem>

#include <fmt/format.h>

#include "json/json.h"
#include "pipeline/manifest.h"

namespace sluice::approve {

namespace fs = std::filesystem;

Result<GatePolicy> PipelinePolicy(const std::string& pipeline, const GateOptions& options, const Environment& env) {
  fs::path file = options.workspace / "pipelines" / (pipeline + ".json");
  if (!fs::exists(file)) {
    return ConfigError(fmt::format("no pipeline manifest pipelines/{}.json in the checkout, so no gate to apply", pipeline));
  }
  auto manifest = pipeline::LoadManifest(file, options.workspace, env);
  if (!manifest.ok()) return manifest.status();
  GatePolicy policy;
  policy.identity = options.identity;
  policy.review = manifest->review;
  policy.window = manifest->window;
  policy.paused = options.paused;
  policy.required_checks = options.required_checks;
  for (const auto& source : manifest->sources) policy.outputs.push_back(fs::path(source.output).lexically_normal().generic_string());
  if (const rapidjson::Value* labels = json::Member(*manifest->document, "labels")) {
    policy.labels.auto_approve = json::StringOr(*labels, "auto_approve", policy.labels.auto_approve);
    policy.labels.hold = json::StringOr(*labels, "hold", policy.labels.hold);
    policy.labels.needs_review = json::StringOr(*labels, "needs_review", policy.labels.needs_review);
    policy.labels.rollup = json::StringOr(*labels, "rollup", policy.labels.rollup);
  }
  return policy;
}

}  // namespace sluice::approve
