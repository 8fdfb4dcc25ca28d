// What a calibration file measured besides its knots (issue 30): the per-pair
// false accept rate by score down to the deepest point the impostor pairs
// reach, and the share of genuine pairs refused by score. Data, read with the
// knots from models/<embedder>.score.json; service/stranger_odds.h gives it
// meaning for a group.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace facepass::vision {

struct FarAtScore {
  double score = 0;
  double far = 0;              // share of impostor pairs scoring >= score
  int64_t impostor_pairs = 0;  // how many pairs that share rests on
};

struct RefusedAtScore {
  double score = 0;
  double refused = 0;  // share of genuine pairs scoring < score
};

struct CalibrationTables {
  std::vector<FarAtScore> far;                  // by increasing score; empty: not measured
  std::vector<RefusedAtScore> genuine_refused;  // by increasing score; empty: not measured
  int64_t impostor_pairs = 0;                   // behind `far`
  int64_t genuine_pairs = 0;                    // behind `genuine_refused`
  std::string far_source, genuine_source;       // what was measured, in words
};

// Reads "far_by_score" and "genuine_refused_by_score" (each optional: a file
// written before issue 30 has neither and gives empty tables). Refuses rows out
// of order or out of range, so a consumer may rely on both being monotonic.
Result<CalibrationTables> CalibrationTablesFromJson(const nlohmann::json& j);

}  // namespace facepass::vision
