// Open-set 1:N over group size and threshold (issue 30): what the per-pair
// calibration predicts for a group of N faces, checked against galleries drawn
// from lfw-dev, and whether a rule on the best and second-best scores or a
// cohort normalisation of the best beats the plain threshold.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "dataset.h"
#include "metrics.h"

namespace facepass::eval {

struct SweepOptions {
  std::vector<int> sizes;          // gallery sizes; those past the enrollable people are clipped to all of them
  std::vector<double> thresholds;  // recognise thresholds
  int draws = 10;
  int threads = 2;
};

// What one probe met in one draw's gallery.
struct ProbeOutcome {
  float s1 = 0, s2 = 0;  // best and second-best score (0.01 when there is none)
  float z = 0;           // the best cosine, normalised by the probe's other cosines in the gallery
  bool right = false;    // genuine probe: its own face on top
};

struct SweepDraw {
  int faces = 0;
  std::vector<ProbeOutcome> genuine;    // one per enrolled person with another photo (no face = a miss)
  std::vector<ProbeOutcome> strangers;  // every found photo of the people outside the gallery
};

struct SweepSize {
  int requested = 0;
  std::vector<SweepDraw> draws;
};

struct Sweep {
  int enrollable = 0;          // people with a photo the enrol gates accept (the largest gallery)
  int enrollable_probed = 0;   // ... who have another photo to recognise
  int never_enrollable = 0;    // people none of whose photos pass the gates (strangers in every draw)
  std::vector<SweepSize> sizes;
};

// Each person enrols the first photo the enrol gates accept and recognises his
// next photo (a capture: no gates); a draw enrols `size` of them at random
// (seeds 1000 + draw); every found photo of everyone else is a stranger. A
// gallery of every enrollable person is one draw (they would all be the same).
Sweep MeasureSweep(const std::vector<Photo>& photos, const ScoreFn& score, const SweepOptions& options);

// predict(threshold, faces): the calibration's stranger pass rate, or nullopt.
using PredictFn = std::function<std::optional<double>(double, int)>;

// Markdown: TPIR, FPIR (mean, min-max over the draws) and the prediction per
// (size, threshold); rank-1 per size; then the alternative rules at the plain
// threshold's TPIR.
void PrintSweep(const Sweep& sweep, const SweepOptions& options, const PredictFn& predict);

}  // namespace facepass::eval
