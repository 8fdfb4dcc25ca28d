#include "vision/score.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace facepass::vision {

ScoreMap::ScoreMap() : knots_{{-1.f, 0.01f}, {1.f, 100.f}} {}

ScoreMap::ScoreMap(std::vector<std::pair<float, float>> knots) : knots_(std::move(knots)) {}

Result<ScoreMap> ScoreMap::FromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("knots") || !j["knots"].is_array())
    return Status::InvalidArgument("calibration: no \"knots\" array");
  std::vector<std::pair<float, float>> knots;
  for (const auto& k : j["knots"]) {
    if (!k.is_array() || k.size() != 2 || !k[0].is_number() || !k[1].is_number())
      return Status::InvalidArgument("calibration: each knot is [cosine, score]");
    float c = k[0].get<float>(), s = k[1].get<float>();
    if (!(c >= -1.f && c <= 1.f) || !(s > 0.f && s <= 100.f))
      return Status::InvalidArgument("calibration: knot outside [-1,1] x (0,100]");
    if (!knots.empty() && !(c > knots.back().first && s > knots.back().second))
      return Status::InvalidArgument("calibration: knots must increase strictly");
    knots.emplace_back(c, s);
  }
  if (knots.size() < 2) return Status::InvalidArgument("calibration: needs two knots or more");
  ScoreMap m(std::move(knots));
  m.source_ = j.value("fitted_on", std::string("calibration file"));
  FP_ASSIGN_OR_RETURN(m.tables_, CalibrationTablesFromJson(j));
  return m;
}

Result<ScoreMap> ScoreMap::FromFile(const std::filesystem::path& file, const std::string& model_content_id) {
  nlohmann::json j;
  try {
    std::ifstream in(file);
    if (!in) return Status::NotFound("calibration file not found: " + file.string());
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    return Status::InvalidArgument("calibration " + file.string() + ": " + e.what());
  }
  if (!model_content_id.empty() && j.is_object() && j.contains("model_content_id") &&
      j["model_content_id"] != model_content_id)
    return Status::InvalidArgument("calibration " + file.string() + " was fitted for another model file (content id " +
                                   j.value("model_content_id", "") + ", this one is " + model_content_id + ")");
  auto m = FromJson(j);
  if (!m.ok()) return Status::InvalidArgument(file.string() + ": " + m.status().message());
  return m;
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

std::string ScoreMap::digest() const {
  uint32_t h = 2166136261u;  // FNV-1a over the knots' bytes
  for (const auto& [c, s] : knots_) {
    for (float v : {c, s}) {
      unsigned char b[sizeof v];
      std::memcpy(b, &v, sizeof v);
      for (unsigned char x : b) h = (h ^ x) * 16777619u;
    }
  }
  char out[9];
  std::snprintf(out, sizeof out, "%08x", h);
  return out;
}

}  // namespace facepass::vision
