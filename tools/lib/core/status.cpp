#include "core/status.h"

namespace sluice {

int ExitCodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kRejected: return kExitNo;
    case ErrorKind::kUsage:
    case ErrorKind::kConfig:
    case ErrorKind::kInput:
    case ErrorKind::kInternal: return kExitBadInput;
    case ErrorKind::kExternal: return kExitExternal;
    case ErrorKind::kUnsafe: return kExitUnsafe;
  }
  return kExitBadInput;
}

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kRejected: return "rejected";
    case ErrorKind::kUsage: return "usage";
    case ErrorKind::kConfig: return "config";
    case ErrorKind::kInput: return "input";
    case ErrorKind::kExternal: return "external";
    case ErrorKind::kUnsafe: return "unsafe";
    case ErrorKind::kInternal: return "internal";
  }
  return "internal";
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(kind_, context + ": " + message_);
}

}  // namespace sluice
