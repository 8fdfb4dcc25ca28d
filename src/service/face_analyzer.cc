#include "service/face_analyzer.h"

#include "vision/engine.h"

namespace facepass::service {

vision::Analysis EngineAnalyzer::Inspect(std::string_view bytes, vision::Purpose purpose) const {
  return engine_.Inspect(bytes, purpose);
}
Result<vision::Analysis> EngineAnalyzer::Analyze(std::string_view bytes, vision::Purpose purpose,
                                                 const vision::AnalyzeOptions& opts) const {
  return engine_.Analyze(bytes, purpose, opts);
}
float EngineAnalyzer::Score(std::span<const float> a, std::span<const float> b) const { return engine_.Score(a, b); }
float EngineAnalyzer::ScoreFromSimilarity(float cosine) const { return engine_.ScoreFromSimilarity(cosine); }
int EngineAnalyzer::feature_dim() const { return engine_.feature_dim(); }
std::string EngineAnalyzer::search_model() const { return engine_.search_model(); }
vision::ModelDetails EngineAnalyzer::Models() const { return engine_.Models(); }

}  // namespace facepass::service
