// What a domain call answers: its value, or a DomainError (one row of the
// spec's error table). An unexpected failure (disk, SQLite, a model) is logged
// where it happens and answered as INTERNAL_ERROR; callers never see a Status.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "common/error_code.h"
#include "common/status.h"

namespace facepass::service {

struct Done {};  // the value of a call that has nothing to return

template <typename T>
class [[nodiscard]] DomainResult {
 public:
  DomainResult(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  DomainResult(DomainError error) : v_(std::move(error)) {} // NOLINT

  bool ok() const { return v_.index() == 0; }
  const DomainError& error() const { assert(!ok()); return std::get<1>(v_); }
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, DomainError> v_;
};

// Logs `s` with where it happened; returns INTERNAL_ERROR.
DomainError Internal(const char* where, const Status& s);
// A failed lookup: `not_found` for kNotFound, else Internal(where, s).
DomainError LookupFailed(const Status& s, const DomainError& not_found, const char* where);

}  // namespace facepass::service
