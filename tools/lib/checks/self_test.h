// Schema self-test: does the pipeline's validation still catch what it should?
//
// Each output may keep samples under tests/<pipeline>/<output>/ in the data repository:
//   pass/<any>.{json,ndjson,csv}  whole data files that must pass every error-severity check;
//   fail/<any>.json               stubs deep-merged (RFC 7396: null removes a member) onto one
//                                 record of the last good data (the committed version, else the
//                                 working file), which must then FAIL. "$record": N picks the
//                                 record (default 0); "$remove": true drops it instead, and
//                                 "$duplicate": true adds the patched record after it. The
//                                 last good data is the previous version the stub is compared
//                                 with (value_change, row_count_change). When the source's
//                                 records, or a check's, are inside a document ("records"),
//                                 the stub patches the whole document instead.
// A fail stub that passes means the schema or the thresholds no longer protect anything: the
// self-test reports it as broken.
#pragma once

#include <string>
#include <vector>

#include "checks/engine.h"

namespace sluice::checks {

struct SelfTestCase {
  std::string output;
  std::string sample;  // relative to the workspace
  bool expect_pass = true;
  bool ok = false;     // behaved as expected
  std::string detail;  // what happened
};

struct SelfTestReport {
  std::string pipeline;
  std::vector<SelfTestCase> cases;
  int broken() const;
};

Result<SelfTestReport> RunSelfTest(const pipeline::Manifest& manifest, const ValidateOptions& options);

std::string SelfTestText(const SelfTestReport& report);
std::string SelfTestMarkdown(const SelfTestReport& report);

}  // namespace sluice::checks
