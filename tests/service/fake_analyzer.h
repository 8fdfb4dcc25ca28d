// A FaceAnalyzer for the service unit tests: no models, no pixels. A "photo"
// is any byte string registered with what the fake should see in it (a
// verdict, one face with its rect, quality, feature and liveness, or no face);
// bytes never registered get the real engine's verdict for a non-image,
// UNSUPPORTED_IMAGE_FORMAT. Features are unit vectors derived from a person's
// name, so two photos of one person can be given an exact cosine.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "service/face_analyzer.h"

namespace facepass::service::testing {

// What the fake sees in one photo.
struct FakePhoto {
  vision::ImageVerdict verdict = vision::ImageVerdict::kOk;
  std::string format = "jpeg";
  int width = 640, height = 480;
  bool has_face = true;
  vision::Rect rect{240, 120, 400, 320};  // face_min 160
  vision::Quality quality = GoodQuality();
  std::vector<float> feature;  // unit length
  float liveness = 90;         // reported only when liveness is asked
  bool decodes = true;         // false: the header passes (Inspect), the pixels do not (Analyze: kCorrupt)

  // Passes every enrol gate (vision::FirstFailedGate).
  static vision::Quality GoodQuality();
};

class FakeAnalyzer final : public FaceAnalyzer {
 public:
  static constexpr int kDim = 32;
  static constexpr const char* kSearchModel = "fake-embedder-v1";

  // The unit feature of `person`: deterministic, and nearly orthogonal to
  // every other person's (|cosine| well below 0.5 at this dimension).
  static std::vector<float> FeatureOf(std::string_view person);
  // A unit feature whose cosine with FeatureOf(person) is exactly `cosine`;
  // `variant` picks the direction of the rest.
  static std::vector<float> Near(std::string_view person, float cosine, std::string_view variant = "near");
  static float Cosine(std::span<const float> a, std::span<const float> b);

  // Registers `photo` under `bytes` (replacing an earlier one) and returns the bytes.
  std::string Register(std::string bytes, FakePhoto photo);
  // A good frontal photo of `person` (FeatureOf(person)): bytes "photo:<person>".
  std::string PhotoOf(std::string_view person);
  // A photo of `person` whose feature has `cosine` with FeatureOf(person).
  std::string PhotoNear(std::string_view person, float cosine, float liveness = 90);
  // A readable picture with no face in it.
  std::string PhotoWithoutFace(std::string_view key = "landscape");
  // Bytes the fake answers with `verdict` (and nothing else).
  std::string Refused(vision::ImageVerdict verdict);

  // How often Analyze ran, and with what the last time.
  int analyze_calls() const;
  std::optional<vision::Purpose> last_purpose() const;
  std::optional<vision::AnalyzeOptions> last_options() const;

  // FaceAnalyzer. Score: 50 * (1 + cosine), at least 0.01, so (0, 100].
  vision::Analysis Inspect(std::string_view bytes, vision::Purpose purpose) const override;
  Result<vision::Analysis> Analyze(std::string_view bytes, vision::Purpose purpose,
                                   const vision::AnalyzeOptions& opts) const override;
  float Score(std::span<const float> a, std::span<const float> b) const override;
  float ScoreFromSimilarity(float cosine) const override;
  int feature_dim() const override { return kDim; }
  std::string search_model() const override { return kSearchModel; }
  vision::ModelDetails Models() const override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, FakePhoto, std::less<>> photos_;
  mutable int calls_ = 0;
  mutable std::optional<vision::Purpose> last_purpose_;
  mutable std::optional<vision::AnalyzeOptions> last_options_;

  vision::Analysis HeaderOf(std::string_view bytes) const;  // mu_ held
};

}  // namespace facepass::service::testing
