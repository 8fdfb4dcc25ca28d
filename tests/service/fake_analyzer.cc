#include "service/fake_analyzer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

namespace facepass::service::testing {

namespace {

// FNV-1a: stable across runs and standard libraries, unlike std::hash.
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::vector<float> RandomUnit(std::string_view seed) {
  std::mt19937_64 rng(Fnv1a(seed));
  std::normal_distribution<double> normal;
  std::vector<double> v(FakeAnalyzer::kDim);
  double norm = 0;
  for (double& x : v) {
    x = normal(rng);
    norm += x * x;
  }
  norm = std::sqrt(norm);
  std::vector<float> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(v[i] / norm);
  return out;
}

}  // namespace

vision::Quality FakePhoto::GoodQuality() {
  vision::Quality q;
  q.pose = {3.5f, -2.0f, 1.0f};
  q.blur = 0.05f;
  q.brightness = 128;
  q.std_deviation = 40;
  q.face_min = 160;
  return q;
}

std::vector<float> FakeAnalyzer::FeatureOf(std::string_view person) {
  return RandomUnit(std::string("person:") + std::string(person));
}

std::vector<float> FakeAnalyzer::Near(std::string_view person, float cosine, std::string_view variant) {
  const std::vector<float> base = FeatureOf(person);
  std::vector<float> other = RandomUnit(std::string(person) + "/" + std::string(variant));
  // Gram-Schmidt: the part of `other` orthogonal to `base`, unit length.
  const float along = Cosine(base, other);
  double norm = 0;
  for (size_t i = 0; i < other.size(); ++i) norm += double(other[i] -= along * base[i]) * other[i];
  norm = std::sqrt(norm);
  const double rest = std::sqrt(std::max(0.0, 1.0 - double(cosine) * cosine));
  std::vector<float> out(base.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(cosine * base[i] + rest * other[i] / norm);
  return out;
}

float FakeAnalyzer::Cosine(std::span<const float> a, std::span<const float> b) {
  double dot = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) dot += double(a[i]) * b[i];
  return static_cast<float>(dot);
}

std::string FakeAnalyzer::Register(std::string bytes, FakePhoto photo) {
  std::lock_guard lock(mu_);
  photos_[bytes] = std::move(photo);
  return bytes;
}

std::string FakeAnalyzer::PhotoOf(std::string_view person) {
  FakePhoto p;
  p.feature = FeatureOf(person);
  return Register("photo:" + std::string(person), std::move(p));
}

std::string FakeAnalyzer::PhotoNear(std::string_view person, float cosine, float liveness) {
  FakePhoto p;
  p.feature = Near(person, cosine);
  p.liveness = liveness;
  return Register("photo:" + std::string(person) + "~" + std::to_string(cosine) + "@" + std::to_string(liveness),
                  std::move(p));
}

std::string FakeAnalyzer::PhotoWithoutFace(std::string_view key) {
  FakePhoto p;
  p.has_face = false;
  return Register("noface:" + std::string(key), std::move(p));
}

std::string FakeAnalyzer::Refused(vision::ImageVerdict verdict) {
  FakePhoto p;
  p.verdict = verdict;
  p.has_face = false;
  return Register(std::string("refused:") + vision::VerdictName(verdict), std::move(p));
}

int FakeAnalyzer::analyze_calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

std::optional<vision::Purpose> FakeAnalyzer::last_purpose() const {
  std::lock_guard lock(mu_);
  return last_purpose_;
}

std::optional<vision::AnalyzeOptions> FakeAnalyzer::last_options() const {
  std::lock_guard lock(mu_);
  return last_options_;
}

vision::Analysis FakeAnalyzer::HeaderOf(std::string_view bytes) const {
  vision::Analysis a;
  auto it = photos_.find(bytes);
  if (it == photos_.end()) {  // what the engine says of bytes with no known magic
    a.verdict = vision::ImageVerdict::kUnsupportedFormat;
    a.verdict_detail = "not an image";
    return a;
  }
  const FakePhoto& p = it->second;
  a.verdict = p.verdict;
  if (p.verdict != vision::ImageVerdict::kOk) return a;
  a.format = p.format;
  a.width = p.width;
  a.height = p.height;
  return a;
}

vision::Analysis FakeAnalyzer::Inspect(std::string_view bytes, vision::Purpose) const {
  std::lock_guard lock(mu_);
  return HeaderOf(bytes);
}

Result<vision::Analysis> FakeAnalyzer::Analyze(std::string_view bytes, vision::Purpose purpose,
                                               const vision::AnalyzeOptions& opts) const {
  std::lock_guard lock(mu_);
  ++calls_;
  last_purpose_ = purpose;
  last_options_ = opts;
  vision::Analysis a = HeaderOf(bytes);
  if (a.verdict != vision::ImageVerdict::kOk) return a;
  const FakePhoto& p = photos_.find(bytes)->second;
  if (!p.decodes) {
    a.verdict = vision::ImageVerdict::kCorrupt;
    a.verdict_detail = "pixels do not decode";
    return a;
  }
  if (!p.has_face) return a;
  vision::FaceResult face;
  face.face.rect = p.rect;
  face.face.score = 0.99f;
  face.quality = p.quality;
  if (opts.embed) face.feature = p.feature;
  if (opts.liveness) face.liveness = p.liveness;
  a.faces.push_back(face.face);
  a.best = std::move(face);
  return a;
}

float FakeAnalyzer::Score(std::span<const float> a, std::span<const float> b) const {
  return ScoreFromSimilarity(Cosine(a, b));
}

float FakeAnalyzer::ScoreFromSimilarity(float cosine) const {
  return std::clamp(50.0f * (1.0f + cosine), 0.01f, 100.0f);
}

vision::ModelDetails FakeAnalyzer::Models() const {
  vision::ModelDetails m;
  m.detector = {"fake-detector", "fake_detector.onnx", "fake-detector-id", std::nullopt, std::nullopt};
  m.embedder = {"fake-embedder", "fake_embedder.onnx", "fake-embedder-id", std::nullopt, std::nullopt};
  m.embedder_dim = kDim;
  m.embedder_search_model = kSearchModel;
  m.search_model = kSearchModel;
  return m;
}

}  // namespace facepass::service::testing
