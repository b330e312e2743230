// What a base branch asks of a merge, as any reader of the repository can see it: the classic
// protection summary on GET /repos/{o}/{r}/branches/{branch} (the protection endpoints
// themselves need admin) and the rulesets' rules on GET /repos/{o}/{r}/rules/branches/{branch}.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "github/api.h"

namespace sluice::github {

struct BranchRules {
  std::vector<std::string> required_checks;  // status check contexts that must be green
  bool merge_queue = false;                  // merges go through the merge queue (GraphQL)
  int required_reviews = 0;                  // approving reviews a ruleset requires (0: none known)
};

// A branch that does not exist, or has no protection or rules, has none.
Result<BranchRules> ReadBranchRules(Api& api, const std::string& branch);

}  // namespace sluice::github
