// Verification metrics over genuine and impostor pair scores (dev-set evaluation).
#pragma once

#include <algorithm>
#include <vector>

namespace facepass::vision {

struct PairMetrics {
  double auc = 0;            // P(genuine > impostor), ties count half
  double min_genuine = 0, max_impostor = 0;
  double accuracy = 0;       // at `threshold`: genuine >= t, impostor < t
  double threshold = 0;
  int genuine = 0, impostor = 0;
  int false_rejects = 0, false_accepts = 0;
};

inline PairMetrics ComputePairMetrics(const std::vector<double>& gen, const std::vector<double>& imp,
                                      double threshold) {
  PairMetrics m;
  m.genuine = int(gen.size());
  m.impostor = int(imp.size());
  m.threshold = threshold;
  if (gen.empty() || imp.empty()) return m;
  double wins = 0;
  for (double g : gen)
    for (double i : imp) wins += g > i ? 1.0 : (g == i ? 0.5 : 0.0);
  m.auc = wins / (double(gen.size()) * imp.size());
  m.min_genuine = *std::min_element(gen.begin(), gen.end());
  m.max_impostor = *std::max_element(imp.begin(), imp.end());
  for (double g : gen) m.false_rejects += g < threshold;
  for (double i : imp) m.false_accepts += i >= threshold;
  m.accuracy = 1.0 - double(m.false_rejects + m.false_accepts) / double(gen.size() + imp.size());
  return m;
}

}  // namespace facepass::vision
