// Records of the recognition history (recognitions_repo.cc): one row per
// answered track of a recognise call, kept as long as its capture.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/keyset_cursor.h"
#include "domain/types.h"

namespace facepass::domain {

struct RecognitionRecord {
  int64_t id = 0;        // assigned on insert; breaks ties of at_ms in the query order
  int64_t image_id = 0;  // the kept capture (images.kind = capture); the row goes with it
  int64_t at_ms = 0;
  std::string group_name;
  int64_t track_id = 0;
  std::optional<int64_t> face_id;  // the best match; none in an empty group or without a face
  double score = 0;
  bool passed = false;
  std::optional<Rect> rect;               // none when no face was found
  std::optional<double> liveness_score;   // when asked and measured
  // The matched face's label as it is now: not a column of the row, read
  // from the face (so a delete, which clears it, leaves only the token).
  std::optional<std::string> label;
};

// Filters of a history page; every set field must match.
struct RecognitionQuery {
  std::optional<std::string> group_name;
  int64_t from_ms = 0;           // inclusive
  int64_t to_ms = INT64_MAX;     // exclusive
  std::optional<bool> passed;
  std::optional<int64_t> face_id;
  int limit = 50;
  std::optional<KeysetCursor> before;  // continue strictly below this (at_ms, id); none: the newest
};

struct RecognitionPage {
  std::vector<RecognitionRecord> rows;      // newest first: (at_ms, id) descending
  std::optional<KeysetCursor> next_cursor;  // the last row's, when more rows match
};

}  // namespace facepass::domain
