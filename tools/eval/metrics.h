// The measurements of facepass-eval: 1:1 pairs, open-set 1:N as a gate runs it, and the
// score calibration fitted from impostor statistics.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dataset.h"

namespace facepass::eval {

using ScoreFn = std::function<float(float)>;  // cosine -> API score

// Cosines of every pair of found single-face photos: same identity = genuine.
// `keep` (optional) selects the photos taking part. Both vectors come back sorted.
struct PairSet {
  std::vector<float> genuine, impostor;
};
PairSet AllPairs(const std::vector<Photo>& photos, int threads,
                 const std::function<bool(const Photo&)>& keep = {});

struct OneToOne {
  size_t genuine = 0, impostor = 0;
  double auc = 0;
  double far = 0, frr = 0;        // at the threshold score
  double tar_at_far[3] = {0, 0, 0};  // FAR 1e-3, 1e-4, 1e-5 (thresholds from the impostors)
};
OneToOne MeasureOneToOne(const PairSet& pairs, const ScoreFn& score, double threshold);

// Open-set 1:N, as a gate: one enrol photo per person (the first the enrol gates
// accept) in a group of `gallery` people; each recognises another photo of himself,
// and `strangers` people never enrolled try too. Repeated over `draws` random draws.
struct OpenSetDraw {
  int enrolled = 0, genuine_probes = 0, strangers = 0;
  double tpir = 0;   // genuine probe: right person on top with score >= threshold
  double fpir = 0;   // stranger: anyone with score >= threshold
  double rank1 = 0;  // right person on top, whatever the score
};
struct OpenSet {
  int identities_multi = 0;       // people with two photos or more
  int identities_refused = 0;     // ... none of whose photos the enrol gates accept
  std::vector<OpenSetDraw> draws;
};
OpenSet MeasureOpenSet(const std::vector<Photo>& photos, const ScoreFn& score, double threshold, int gallery,
                       int strangers, int draws);

// Knots mapping cosine to score so that score = 38 + 8 * log10(1 / FAR) between FAR 0.5
// and 1e-6 (70 = 1e-4, 78 = 1e-5), FAR measured on `impostor` (sorted cosines);
// linear to 0.01 at cosine -1 below and to 100 at cosine 1 above.
std::vector<std::pair<float, float>> FitKnots(const std::vector<float>& impostor);
double ScoreForFar(double far);

// Fraction of `sorted` values whose score is >= threshold (for FAR) or < threshold (FRR).
double FractionAtOrAbove(const std::vector<float>& sorted, const ScoreFn& score, double threshold);

}  // namespace facepass::eval
