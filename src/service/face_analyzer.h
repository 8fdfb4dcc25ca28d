// What the domain needs of the vision engine, as an interface: the server runs
// the real engine (EngineAnalyzer), the service unit tests a fake with fixed
// features and qualities (tests/service/fake_analyzer.h).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "vision/model_details.h"
#include "vision/types.h"

namespace facepass::vision {
class Engine;
}

namespace facepass::service {

// Thread-safe: called from every worker at once.
class FaceAnalyzer {
 public:
  virtual ~FaceAnalyzer() = default;
  // The header's verdict, format and upright size, without decoding: what
  // Analyze() will say unless the pixels then fail to decode (kCorrupt).
  virtual vision::Analysis Inspect(std::string_view bytes, vision::Purpose purpose) const = 0;
  // Status only for internal failures; image problems go in Analysis::verdict.
  virtual Result<vision::Analysis> Analyze(std::string_view bytes, vision::Purpose purpose,
                                           const vision::AnalyzeOptions& opts) const = 0;
  virtual float Score(std::span<const float> a, std::span<const float> b) const = 0;  // (0, 100]
  virtual float ScoreFromSimilarity(float cosine) const = 0;
  virtual int feature_dim() const = 0;
  virtual std::string search_model() const = 0;
  virtual vision::ModelDetails Models() const = 0;
};

class EngineAnalyzer final : public FaceAnalyzer {
 public:
  explicit EngineAnalyzer(const vision::Engine& engine) : engine_(engine) {}
  vision::Analysis Inspect(std::string_view bytes, vision::Purpose purpose) const override;
  Result<vision::Analysis> Analyze(std::string_view bytes, vision::Purpose purpose,
                                   const vision::AnalyzeOptions& opts) const override;
  float Score(std::span<const float> a, std::span<const float> b) const override;
  float ScoreFromSimilarity(float cosine) const override;
  int feature_dim() const override;
  std::string search_model() const override;
  vision::ModelDetails Models() const override;

 private:
  const vision::Engine& engine_;
};

}  // namespace facepass::service
