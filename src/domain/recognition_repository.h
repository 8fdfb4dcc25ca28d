// The recognition history: one row per answered track of a recognise call,
// kept as long as its capture.
#pragma once

#include <vector>

#include "common/status.h"
#include "domain/recognition_types.h"

namespace facepass::domain {

class RecognitionRepository {
 public:
  virtual ~RecognitionRepository() = default;

  // All rows in one transaction (a row naming no image fails them all); the
  // rows back with their ids.
  virtual Result<std::vector<RecognitionRecord>> InsertRecognitions(std::vector<RecognitionRecord> rows) = 0;
  // At most query.limit rows matching every filter, newest first ((at_ms, id)
  // descending). InvalidArgument for limit < 1.
  virtual Result<RecognitionPage> QueryRecognitions(const RecognitionQuery& query) = 0;
};

}  // namespace facepass::domain
