#include "service/domain_result.h"

#include <spdlog/spdlog.h>

namespace facepass::service {

DomainError Internal(const char* where, const Status& s) {
  // The shared database not answering is not a bug: 503, and the client retries.
  if (s.code() == StatusCode::kUnavailable) {
    spdlog::warn("{}: {}", where, s.ToString());
    return errors::StoreUnavailable();
  }
  spdlog::error("{}: {}", where, s.ToString());
  return errors::InternalError();
}

DomainError LookupFailed(const Status& s, const DomainError& not_found, const char* where) {
  if (s.code() == StatusCode::kNotFound) return not_found;
  return Internal(where, s);
}

}  // namespace facepass::service
