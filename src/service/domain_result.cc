#include "service/domain_result.h"

#include <spdlog/spdlog.h>

namespace facepass::service {

DomainError Internal(const char* where, const Status& s) {
  spdlog::error("{}: {}", where, s.ToString());
  return errors::InternalError();
}

DomainError LookupFailed(const Status& s, const DomainError& not_found, const char* where) {
  if (s.code() == StatusCode::kNotFound) return not_found;
  return Internal(where, s);
}

}  // namespace facepass::service
