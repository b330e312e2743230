// A pipeline's page for people (issue 21: the per-pipeline runbook page): what the manifest
// says, in words a reviewer or an on-call responder reads at 2 a.m. — purpose, sources, the
// checks and what each one refuses, owners, review, publish window and targets, SLA, where
// notifications go, and the runbooks. `sluice-validate --explain pipelines/<name>.json`.
#pragma once

#include <string>

#include <rapidjson/document.h>

#include "pipeline/manifest.h"

namespace sluice::pipeline {

// The Markdown page of `manifest`.
std::string ExplainPipeline(const Manifest& manifest);

// One check of the manifest's "checks" array in plain words, e.g. "cases: at least 1 record —
// blocks the PR when it fails". `schema_of_output` names the source's schema file ("" none).
std::string ExplainCheck(const rapidjson::Value& check, const std::string& schema_of_output);

}  // namespace sluice::pipeline
