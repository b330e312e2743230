#include "notify/watch.h"

#include <fmt/format.h>

#include "core/clock.h"
#include "json/json.h"
#include "storage/backend.h"

namespace sluice::notify {
namespace {

constexpr const char* kStatusKey = "_sluice/status.json";  // publish/publisher.cpp writes it

}  // namespace

Result<Freshness> CheckFreshness(const pipeline::Manifest& manifest, const std::filesystem::path& workspace,
                                 const Environment& env, Time now) {
  const std::string where = manifest.path.string();
  if (!manifest.sla_max_age_hours) {
    return ConfigError(fmt::format("{}: /sla: the pipeline sets no SLA; add \"sla\": {{\"max_age_hours\": 26}} to watch it",
                                   where));
  }
  if (manifest.production_target.empty()) {
    return ConfigError(fmt::format("{}: /publish/production: the pipeline names no production target to watch", where));
  }
  Freshness freshness;
  freshness.pipeline = manifest.name;
  freshness.target = manifest.production_target;
  freshness.max_age_hours = *manifest.sla_max_age_hours;
  auto url = storage::ParseStorageUrl(manifest.production_target, workspace);
  if (!url.ok()) return url.status().WithContext(where + ": /publish/production");
  auto backend = storage::OpenBackend(*url, env);
  if (!backend.ok()) return backend.status();
  auto object = (*backend)->Get(kStatusKey);
  if (!object.ok()) return object.status().WithContext(fmt::format("reading {} at {}", kStatusKey, (*backend)->Describe()));
  if (!object->has_value()) {
    freshness.late = true;
    return freshness;
  }
  auto status = json::Parse((*object)->bytes, fmt::format("{} at {}", kStatusKey, (*backend)->Describe()));
  if (!status.ok()) return status.status();
  auto published = ParseTimestamp(json::StringOr(*status, "published_at"));
  if (!published.ok()) {
    return InputError(fmt::format("{} at {}: published_at {}", kStatusKey, (*backend)->Describe(), published.status().message()));
  }
  freshness.published_at = *published;
  freshness.commit = json::StringOr(*status, "commit");
  freshness.age_hours = std::chrono::duration<double, std::ratio<3600>>(now - *published).count();
  freshness.late = freshness.age_hours > freshness.max_age_hours;
  return freshness;
}

RunOutcome LateOutcome(const Freshness& freshness) {
  RunOutcome outcome;
  outcome.event = Event::kSla;
  outcome.failure_class = "sla-missed";
  outcome.severity = "production";  // readers see stale data now
  if (freshness.published_at) {
    outcome.headline = fmt::format("production data is {:.1f} h old (SLA {:g} h)", freshness.age_hours, freshness.max_age_hours);
    outcome.detail = fmt::format("The last publish to {} was at {} (commit {}); the SLA allows {:g} hours. Find the run that "
                                 "should have published since, and why it did not.",
                                 freshness.target, FormatUtc(*freshness.published_at),
                                 freshness.commit.empty() ? "unknown" : freshness.commit.substr(0, 12), freshness.max_age_hours);
  } else {
    outcome.headline = "production data was never published";
    outcome.detail = fmt::format("{} holds no _sluice/status.json: nothing was published there by sluice-publish. The SLA "
                                 "allows {:g} hours.",
                                 freshness.target, freshness.max_age_hours);
  }
  return outcome;
}

}  // namespace sluice::notify
