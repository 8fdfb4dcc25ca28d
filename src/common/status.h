// Status and Result<T>: errors cross layer boundaries as values, never as exceptions.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace facepass {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // caller passed something malformed
  kNotFound,          // the thing asked for does not exist
  kAlreadyExists,     // a unique name or key is taken
  kFailedPrecondition,// state does not allow the operation
  kIoError,           // disk, socket or file trouble
  kCorruption,        // stored data is unreadable
  kUnavailable,       // temporarily unable (queue full, shutting down)
  kInternal,          // a bug or an unexpected library failure
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return Status(StatusCode::kInvalidArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
  static Status AlreadyExists(std::string m) { return Status(StatusCode::kAlreadyExists, std::move(m)); }
  static Status FailedPrecondition(std::string m) { return Status(StatusCode::kFailedPrecondition, std::move(m)); }
  static Status IoError(std::string m) { return Status(StatusCode::kIoError, std::move(m)); }
  static Status Corruption(std::string m) { return Status(StatusCode::kCorruption, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(StatusCode::kUnavailable, std::move(m)); }
  static Status Internal(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Status(StatusCode c, std::string m) : code_(c), message_(std::move(m)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline std::string Status::ToString() const {
  static const char* const kNames[] = {"OK", "InvalidArgument", "NotFound", "AlreadyExists",
                                       "FailedPrecondition", "IoError", "Corruption",
                                       "Unavailable", "Internal"};
  std::string s = kNames[static_cast<int>(code_)];
  if (!message_.empty()) s += ": " + message_;
  return s;
}

// Holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

#define FP_RETURN_IF_ERROR(expr)          \
  do {                                    \
    ::facepass::Status _st = (expr);      \
    if (!_st.ok()) return _st;            \
  } while (0)

// FP_ASSIGN_OR_RETURN(auto db, Database::Open(file)); evaluates a Result<T>
// once; on error returns its Status from the enclosing function, else moves
// the value into `lhs` (a declaration or an assignable expression). One
// statement: not usable as the body of an unbraced if/else.
#define FP_ASSIGN_OR_RETURN(lhs, expr) \
  FP_ASSIGN_OR_RETURN_IMPL_(FP_STATUS_CONCAT_(fp_result_, __LINE__), lhs, expr)
#define FP_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
#define FP_STATUS_CONCAT_INNER_(a, b) a##b
#define FP_STATUS_CONCAT_(a, b) FP_STATUS_CONCAT_INNER_(a, b)

}  // namespace facepass
