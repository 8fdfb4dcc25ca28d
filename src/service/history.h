// The recognition history (issue 11): what Recognition::Recognize stored,
// filtered and paged newest first. Rows go with their captures (retention).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "service/domain_result.h"
#include "domain/recognition_repository.h"
#include "store/recognition_types.h"

namespace facepass::service {

// The filters are the store's own (store::RecognitionQuery); History checks
// them against the spec's rules before the query runs.
using HistoryRequest = store::RecognitionQuery;

class History {
 public:
  static constexpr int kDefaultLimit = 50;
  static constexpr int kMaxLimit = 500;

  explicit History(domain::RecognitionRepository& recognitions) : recognitions_(recognitions) {}

  // ILLEGAL_ARGUMENT: group_name (the spec's rule), limit (1..500), from/to (from > to).
  DomainResult<store::RecognitionPage> Query(const HistoryRequest& request);

 private:
  domain::RecognitionRepository& recognitions_;  // thread-safe
};

}  // namespace facepass::service
