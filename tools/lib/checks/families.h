// The constructors of every check family, one per manifest "type"; MakeCheck dispatches here.
#pragma once

#include <memory>

#include "checks/check.h"

namespace sluice::checks {

using CheckFactory = Result<std::unique_ptr<Check>> (*)(const CheckSpec& spec);

// counts.cpp
Result<std::unique_ptr<Check>> MakeRowCount(const CheckSpec& spec);
Result<std::unique_ptr<Check>> MakeRowCountChange(const CheckSpec& spec);
// fields.cpp
Result<std::unique_ptr<Check>> MakeNotNull(const CheckSpec& spec);
Result<std::unique_ptr<Check>> MakeRange(const CheckSpec& spec);
Result<std::unique_ptr<Check>> MakePattern(const CheckSpec& spec);
Result<std::unique_ptr<Check>> MakeEnum(const CheckSpec& spec);
// unique.cpp
Result<std::unique_ptr<Check>> MakeUnique(const CheckSpec& spec);
// value_change.cpp, complete.cpp, reconcile.cpp, anomaly.cpp, freshness.cpp
Result<std::unique_ptr<Check>> MakeValueChange(const CheckSpec& spec);
Result<std::unique_ptr<Check>> MakeComplete(const CheckSpec& spec);
Result<std::unique_ptr<Check>> MakeReconcile(const CheckSpec& spec);
Result<std::unique_ptr<Check>> MakeAnomaly(const CheckSpec& spec);
Result<std::unique_ptr<Check>> MakeFreshness(const CheckSpec& spec);

}  // namespace sluice::checks
