// The tables a calibration file carries besides its knots (issue 30): the
// per-pair FAR by score down to the deepest score enough impostor pairs reach,
// and the share of genuine pairs refused by score.
#pragma once

#include <nlohmann/json.hpp>

#include "metrics.h"
#include "vision/calibration_tables.h"

namespace facepass::eval {

// A FAR row needs this many impostor pairs at or above its score (fewer: too
// noisy to state; FitKnots stops at 5 for the same reason).
inline constexpr int64_t kMinPairsForFar = 10;

// `impostor`: every impostor pair; `genuine`: every genuine pair with at least
// one photo the enrol gates accept (an enrolled face against a capture). All
// sorted cosines; `score` the fitted map. Rows at every integer score.
vision::CalibrationTables MeasureTables(const std::vector<float>& impostor, const std::vector<float>& genuine,
                                        const ScoreFn& score);

// {"far_by_score": {...}, "genuine_refused_by_score": {...}} as
// vision::CalibrationTablesFromJson reads them.
nlohmann::json TablesJson(const vision::CalibrationTables& t);

}  // namespace facepass::eval
