// The members each check type reads from its manifest entry. A member that is not one of them
// is a configuration error naming its pointer and the closest known name ("max_percnt": did
// you mean "max_percent"?), instead of an option silently ignored. docs/checks.md documents
// every name here; tests/unit/checks_doc_test.cpp keeps the two in step.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "checks/check.h"
#include "core/status.h"

namespace sluice::checks {

// The members every check takes: type, severity, output, id.
const std::vector<std::string>& CommonOptions();

// Every check type of the table, in the order of schemas/pipeline.schema.json's type enum.
const std::vector<std::string>& KnownCheckTypes();

// The members a check of `type` reads besides the common ones (none for "schema"); empty for a
// type the table does not know.
const std::vector<std::string>& KnownOptions(std::string_view type);

// The members of an option whose value is an object of options, e.g. ("reconcile", "against"):
// output, field, key, where. Empty for any other option.
const std::vector<std::string>& KnownSubOptions(std::string_view type, std::string_view option);

// Ok when every member of spec.config (and of its object-valued options) is known; else a
// ConfigProblem at the first unknown member's pointer, with the closest known name when one is
// close. Ok for a type the table does not know: MakeCheck refuses the type itself.
Status CheckKnownOptions(const CheckSpec& spec);

}  // namespace sluice::checks
