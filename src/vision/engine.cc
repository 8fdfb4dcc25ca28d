#include "vision/engine.h"

#include "vision/image.h"

namespace facepass::vision {

const char* VerdictName(ImageVerdict v) {
  switch (v) {
    case ImageVerdict::kOk: return "ok";
    case ImageVerdict::kFileTooLarge: return "file_too_large";
    case ImageVerdict::kUnsupportedFormat: return "unsupported_format";
    case ImageVerdict::kBadResolution: return "bad_resolution";
    case ImageVerdict::kCorrupt: return "corrupt";
  }
  return "?";
}

const char* PurposeName(Purpose p) {
  switch (p) {
    case Purpose::kEnrol: return "enrol";
    case Purpose::kCompare: return "compare";
    case Purpose::kRecognise: return "recognise";
  }
  return "?";
}

struct Engine::Impl {};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::Create(const EngineOptions&) {
  return Status::Internal("vision engine not implemented yet");
}
Result<Analysis> Engine::Analyze(std::string_view, Purpose, const AnalyzeOptions&) const {
  return Status::Internal("not implemented");
}
Result<Analysis> Engine::AnalyzePixels(const cv::Mat&, Purpose, const AnalyzeOptions&) const {
  return Status::Internal("not implemented");
}
float Engine::Score(std::span<const float>, std::span<const float>) const { return 1.0f; }
float Engine::ScoreFromSimilarity(float) const { return 1.0f; }
int Engine::feature_dim() const { return 0; }
std::string Engine::search_model() const { return ""; }
nlohmann::json Engine::ModelDetail() const { return nlohmann::json::object(); }

std::optional<std::string> FirstFailedGate(const Quality&) { return std::nullopt; }
Result<cv::Mat> DecodeUpright(std::string_view bytes) {
  ImageHeader h;
  if (!ReadImageHeader(bytes, &h)) return Status::InvalidArgument("unreadable image header");
  return DecodeWithHeader(bytes, h);
}
Result<std::string> EncodeJpeg(const cv::Mat&, int) { return Status::Internal("not implemented"); }
nlohmann::json AnalysisToJson(const Analysis&) { return nlohmann::json::object(); }

}  // namespace facepass::vision
