// How often a stranger passes recognise against a group of N faces (issue 30).
//
// The score is calibrated per pair: FAR(t) is the share of impostor pairs
// scoring >= t, measured when the embedder was calibrated (lfw-dev, the
// calibration file's "far_by_score"). A stranger is compared with every face of
// the group and passes when any reaches t, so, taking the comparisons as
// independent, the share of strangers that pass is 1 - (1 - FAR(t))^N.
// facepass-eval's open-set sweep checks this on lfw-dev up to the ~1,200 faces
// it can enrol (docs/models.md); beyond, it is extrapolated. One place for the
// rule: group/query, the console's Settings preview and the sweep use it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "vision/calibration_tables.h"

namespace facepass::service {

// A figure, or why there is none.
struct Odds {
  std::optional<double> value;
  std::string reason;  // set when !value
};

class StrangerOdds {
 public:
  static constexpr double kOneInThousand = 1e-3;

  explicit StrangerOdds(vision::CalibrationTables tables) : t_(std::move(tables)) {}

  // Per-pair FAR at `threshold`, log-linear between the measured scores (the
  // calibration's rule is linear in log FAR); 1 below the first row; nullopt
  // above the deepest measured score or without a table.
  std::optional<double> PairFar(double threshold) const;
  // The share of strangers that pass against `faces` faces at `threshold`.
  Odds PassRate(double threshold, int64_t faces) const;
  // The lowest threshold (0.1 steps, rounded up) at which at most `rate` of the
  // strangers pass against `faces` faces; none when that needs a per-pair FAR
  // below the deepest measured one, or the group is empty.
  Odds ThresholdFor(double rate, int64_t faces) const;
  // The share of genuine pairs scoring below `threshold` (linear between rows).
  Odds GenuineRefused(double threshold) const;

  const vision::CalibrationTables& tables() const { return t_; }

 private:
  std::string Deepest() const;  // "FAR 9.8e-07 at score 86 (20 impostor pairs)"

  vision::CalibrationTables t_;
};

}  // namespace facepass::service
