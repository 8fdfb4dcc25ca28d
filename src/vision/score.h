// Maps cosine similarity of unit features to the API's score in (0, 100].
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace facepass::vision {

// Piecewise linear and strictly increasing through knots (cosine, score); the knots are
// calibrated per embedder on the dev pairs (docs/models.md) so that 70 separates
// genuine from impostor pairs and 78 is stricter.
class ScoreMap {
 public:
  ScoreMap();  // identity-like default: (-1, 0.01) .. (1, 100)
  explicit ScoreMap(std::vector<std::pair<float, float>> knots);
  static ScoreMap ForEmbedder(const std::string& kind);

  float Map(float cosine) const;     // (0, 100]
  float Inverse(float score) const;  // the cosine that maps to `score`
  nlohmann::json ToJson() const;

 private:
  std::vector<std::pair<float, float>> knots_;
};

}  // namespace facepass::vision
