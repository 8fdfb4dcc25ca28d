// The engine's feature: one embedder's unit vector, or two embedders fused at score
// level as one unit vector [sqrt(w)·f1, sqrt(1-w)·f2]. The inner product of two fused
// features is w·cos1 + (1-w)·cos2, so the index, the sync format and devices see an
// ordinary unit feature and need nothing new (docs/models.md, "Fusion").
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/embedder.h"
#include "vision/types.h"

namespace facepass::vision {

class FusedEmbedder {
 public:
  // `second` may be null (the first embedder alone, its features and ids unchanged).
  // `weight` is the first embedder's share of the cosine, in (0, 1). `parallel`: the
  // second embedder runs on a thread of its own while the first runs.
  static Result<std::unique_ptr<FusedEmbedder>> Create(std::unique_ptr<Embedder> first,
                                                       std::unique_ptr<Embedder> second, float weight,
                                                       bool parallel = false);

  // The fused unit feature of the face; `*crop` gets the first embedder's aligned crop.
  Result<std::vector<float>> Embed(const cv::Mat& bgr, const DetectedFace& face,
                                   const std::vector<cv::Point2f>& mesh, cv::Mat* crop) const;

  const Embedder& first() const { return *first_; }
  const Embedder* second() const { return second_.get(); }
  float weight() const { return weight_; }  // 1 without a second embedder
  int dim() const;
  // Changes with either embedder and the weight; the first embedder's id when alone.
  std::string id() const;
  // What a calibration file must name: the model content ids (and the weight).
  std::string content_id() const;
  // Where the calibration of these embedders sits, given the first one's model file:
  // <stem>.score.json alone, <stem>+<second stem>-w<weight>.score.json fused (a
  // calibration holds for one weight only, so another weight finds none and runs on
  // the uncalibrated default rather than refusing to start).
  std::filesystem::path CalibrationFile(const std::filesystem::path& first_file,
                                        const std::filesystem::path& second_file) const;

 private:
  FusedEmbedder() = default;
  std::unique_ptr<Embedder> first_, second_;
  float weight_ = 1.f;
  bool same_crop_ = false;  // both embedders take the same crop: align once
  bool parallel_ = false;
};

// [sqrt(w)·a, sqrt(1-w)·b] for unit a and b: a unit vector again.
std::vector<float> FuseFeatures(std::span<const float> a, std::span<const float> b, float w);

}  // namespace facepass::vision
