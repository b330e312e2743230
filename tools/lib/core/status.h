// Status and Result: how every sluice module reports failure.
//
// A failure has a kind, which decides the process exit code (DESIGN.md "Conventions"), and a
// sentence for people: what failed, where, and what to do next. Exceptions never cross a
// module boundary; functions that can fail return Status or Result<T>.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sluice {

enum class ErrorKind {
  kRejected,  // the tool did its job and the answer is "no" (exit 1)
  kUsage,     // bad command line (exit 2)
  kConfig,    // bad manifest or configuration (exit 2)
  kInput,     // unreadable or malformed input (exit 2)
  kExternal,  // an external service failed after retries (exit 3)
  kUnsafe,    // refused for safety: head moved, path escapes the workspace (exit 4)
  kInternal,  // a bug or an operating-system failure we cannot attribute (exit 2)
};

// The exit codes of DESIGN.md, in one place.
inline constexpr int kExitOk = 0;
inline constexpr int kExitNo = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitExternal = 3;
inline constexpr int kExitUnsafe = 4;

int ExitCodeFor(ErrorKind kind);
const char* ErrorKindName(ErrorKind kind);

class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  Status(ErrorKind kind, std::string message) : failed_(true), kind_(kind), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return !failed_; }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  int exit_code() const { return ok() ? kExitOk : ExitCodeFor(kind_); }

  // Returns a copy whose message starts with `context: `.
  Status WithContext(const std::string& context) const;

 private:
  bool failed_ = false;
  ErrorKind kind_ = ErrorKind::kInternal;
  std::string message_;
};

inline Status UsageError(std::string m) { return {ErrorKind::kUsage, std::move(m)}; }
inline Status ConfigError(std::string m) { return {ErrorKind::kConfig, std::move(m)}; }
inline Status InputError(std::string m) { return {ErrorKind::kInput, std::move(m)}; }
inline Status ExternalError(std::string m) { return {ErrorKind::kExternal, std::move(m)}; }
inline Status UnsafeError(std::string m) { return {ErrorKind::kUnsafe, std::move(m)}; }
inline Status InternalError(std::string m) { return {ErrorKind::kInternal, std::move(m)}; }
inline Status Rejected(std::string m) { return {ErrorKind::kRejected, std::move(m)}; }

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) { assert(!std::get<Status>(state_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace sluice

// Returns early from the enclosing function when `expr` yields a failed Status.
#define SLUICE_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::sluice::Status sluice_status_ = (expr);   \
    if (!sluice_status_.ok()) return sluice_status_; \
  } while (0)
