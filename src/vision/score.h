// Maps cosine similarity of unit features to the API's score in (0, 100].
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "vision/calibration_tables.h"

namespace facepass::vision {

// Piecewise linear and strictly increasing through knots (cosine, score). The knots of a
// shipped embedder come from its calibration file (models/<embedder>.score.json, written
// by facepass-eval from measured impostor statistics): score 70 means a false accept
// rate of about 1e-4 per pair, 78 about 1e-5 (docs/models.md, "Score calibration").
class ScoreMap {
 public:
  ScoreMap();  // uncalibrated: (-1, 0.01) .. (1, 100)
  explicit ScoreMap(std::vector<std::pair<float, float>> knots);

  // Reads {"knots": [[cosine, score], ...], ...}; refuses knots that are not strictly
  // increasing in both coordinates or leave (-1..1, 0..100]. `model_content_id`, when not
  // empty, must equal the file's "model_content_id" if it names one.
  static Result<ScoreMap> FromFile(const std::filesystem::path& file, const std::string& model_content_id = "");
  static Result<ScoreMap> FromJson(const nlohmann::json& j);

  float Map(float cosine) const;     // (0, 100]
  float Inverse(float score) const;  // the cosine that maps to `score`
  // Short digest of the knots (8 hex digits); part of search_model, so a new
  // calibration is seen by servers and devices like a new embedder.
  std::string digest() const;
  bool calibrated() const { return !source_.empty(); }
  const std::string& source() const { return source_; }  // the calibration file's "fitted_on"

  const std::vector<std::pair<float, float>>& knots() const { return knots_; }
  // The file's measured rates by score (empty when it has none); not part of the
  // digest: they describe the map, they do not change it.
  const CalibrationTables& tables() const { return tables_; }

 private:
  std::vector<std::pair<float, float>> knots_;
  CalibrationTables tables_;
  std::string source_;
};

}  // namespace facepass::vision
