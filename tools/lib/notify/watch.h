// The SLA watch: how old a pipeline's production data is, read from the freshness status
// sluice-publish writes (_sluice/status.json at publish.production), against the manifest's
// sla.max_age_hours.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/env.h"
#include "core/status.h"
#include "notify/incident_tracker.h"
#include "notify/outcome.h"
#include "notify/thread_state.h"
#include "pipeline/manifest.h"

namespace sluice::notify {

struct Freshness {
  std::string pipeline;
  std::string target;              // publish.production as written
  std::optional<Time> published_at;  // none: never published there
  std::string commit;
  double age_hours = 0;
  double max_age_hours = 0;
  bool late = false;
  // Fresh again after the watch had found the data late: the SLA incident's issue, closed (or
  // what GitHub refused); action "" when there was none.
  IncidentIssueAction incident;
};

// Reads the status through storage::OpenBackend (file:// now, the other schemes when built).
// A manifest without sla or publish.production is a ConfigError; an unreadable target keeps
// its kind (kExternal for a service that failed); a missing status is late data.
Result<Freshness> CheckFreshness(const pipeline::Manifest& manifest, const std::filesystem::path& workspace,
                                 const Environment& env, Time now);

// The notice's outcome for late data: event kSla, class sla-missed.
RunOutcome LateOutcome(const Freshness& freshness);

}  // namespace sluice::notify
