// After the merge: the publish workflow is started by dispatch, since a merge made with
// GITHUB_TOKEN, and a merge-queue merge of an entry sluice queued, start no push workflow
// (docs.github.com, "Triggering a workflow from a workflow").
//
// A PR sluice put in a merge queue carries the label sluice:queued. GitHub merges it later, when
// the queue's checks pass; the next pass finds it merged (a closed sluice PR with the label and a
// merge), dispatches its publish, and takes the label off, so each queue merge is published once.
#pragma once

#include <string>
#include <vector>

#include "approve/gate.h"
#include "core/status.h"
#include "github/api.h"

namespace sluice::approve {

// Starts `options.publish_workflow` on `base` for `pipeline` (workflow_dispatch); sets
// outcome.dispatched. Nothing when no publish workflow is configured.
Status DispatchPublish(github::Api& api, PullOutcome& outcome, const std::string& pipeline, const std::string& base,
                       const GateOptions& options);

// Marks a PR sluice has just queued (the label is created when missing).
Status MarkQueued(github::Api& api, int number);

// The PRs sluice queued that GitHub has merged since: one outcome each, with its publish
// dispatched and the mark taken off (in a dry run, neither). Reads one page of recently closed PRs.
Result<std::vector<PullOutcome>> PublishQueueMerges(github::Api& api, const GateOptions& options);

}  // namespace sluice::approve
