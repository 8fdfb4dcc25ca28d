#include "vision/score.h"

#include <algorithm>
#include <cmath>

namespace facepass::vision {

ScoreMap::ScoreMap() : knots_{{-1.f, 0.01f}, {1.f, 100.f}} {}

ScoreMap::ScoreMap(std::vector<std::pair<float, float>> knots) : knots_(std::move(knots)) {}

ScoreMap ScoreMap::ForEmbedder(const std::string& kind) {
  // Knots measured on ../shared/faces (docs/models.md, "Score calibration").
  // faceres (mesh_box 1.1): good dev pairs have impostors <= 0.554 and genuines >= 0.585;
  // 70 sits between; impostor median 0.39 maps near 50.
  if (kind == "faceres")
    return ScoreMap({{-1.f, 0.01f}, {0.f, 10.f}, {0.40f, 50.f}, {0.57f, 70.f}, {0.66f, 78.f}, {0.85f, 95.f}, {1.f, 100.f}});
  // faceapi (unit-normalised dlib descriptors crowd near 1): dev impostors reach 0.9585,
  // two good genuine pairs fall below it (the classes overlap).
  if (kind == "faceapi")
    return ScoreMap({{-1.f, 0.01f}, {0.f, 5.f}, {0.90f, 50.f}, {0.959f, 70.f}, {0.97f, 78.f}, {0.99f, 95.f}, {1.f, 100.f}});
  // ArcFace-family: InsightFace's usual same-person cosine is about 0.3-0.4.
  return ScoreMap({{-1.f, 0.01f}, {0.f, 20.f}, {0.20f, 50.f}, {0.35f, 70.f}, {0.45f, 78.f}, {0.70f, 95.f}, {1.f, 100.f}});
}

float ScoreMap::Map(float c) const {
  if (!std::isfinite(c)) c = -1.f;
  c = std::clamp(c, knots_.front().first, knots_.back().first);
  for (size_t i = 1; i < knots_.size(); ++i) {
    const auto& [c0, s0] = knots_[i - 1];
    const auto& [c1, s1] = knots_[i];
    if (c <= c1) return std::clamp(s0 + (s1 - s0) * (c - c0) / (c1 - c0), 0.01f, 100.f);
  }
  return 100.f;
}

float ScoreMap::Inverse(float s) const {
  s = std::clamp(s, knots_.front().second, knots_.back().second);
  for (size_t i = 1; i < knots_.size(); ++i) {
    const auto& [c0, s0] = knots_[i - 1];
    const auto& [c1, s1] = knots_[i];
    if (s <= s1) return c0 + (c1 - c0) * (s - s0) / (s1 - s0);
  }
  return 1.f;
}

nlohmann::json ScoreMap::ToJson() const {
  nlohmann::json k = nlohmann::json::array();
  auto r = [](float v) { return std::round(double(v) * 1e4) / 1e4; };  // short JSON numbers
  for (const auto& [c, s] : knots_) k.push_back({r(c), r(s)});
  return {{"mapping", "piecewise linear in cosine"}, {"knots", k}};
}

}  // namespace facepass::vision
