// Face descriptor: aligned crop -> unit-length feature vector. The kind picks the model
// class (vision/embedder_models.h), which fixes the default alignment and the input
// normalisation (see EmbedderConfig in engine.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/embedder_models.h"
#include "vision/engine.h"
#include "vision/model_registry.h"
#include "vision/network.h"
#include "vision/types.h"

namespace facepass::vision {

class Embedder {
 public:
  static Result<std::unique_ptr<Embedder>> Create(const EmbedderConfig& cfg,
                                                  const std::filesystem::path& file, const LoadOptions& load);

  // The aligned crop the network sees (BGR, input_size x input_size).
  cv::Mat AlignedCrop(const cv::Mat& bgr, const DetectedFace& face,
                      const std::vector<cv::Point2f>& mesh) const;
  // Feature of an aligned crop, L2-normalised.
  Result<std::vector<float>> Embed(const cv::Mat& crop) const;
  // One forward pass, not normalised.
  Result<std::vector<float>> Forward1(const cv::Mat& crop) const;

  const std::string& kind() const { return name_; }
  int input_size() const { return input_; }
  int dim() const { return dim_; }
  // Changes with the model file, the kind (preprocessing) and the alignment version.
  std::string id() const;
  const Network& network() const { return model_->network(); }

  // Alignment. "template": five points mapped onto ArcFace's 112 template scaled to the
  // input, shrunk around its centre by `zoom` (< 1 shows more of the head).
  // "mesh_box": the square around all 468 mesh points in the eye-levelled frame,
  // enlarged by `zoom` (> 1 shows more); falls back to "template" without a mesh.
  // "dlib": dlib's 150 px face chip (five points onto dlib's mean face, padding 0.25;
  // vision/alignment.h), the crop dlib's ResNet ("faceapi") was trained on.
  // "landmark_box": face-api's crop, the square around the 68-landmark outline.
  // Fixed at Create (they are part of id(), hence of search_model).
  const std::string& alignment() const { return alignment_; }
  float zoom() const { return zoom_; }
  bool flip() const { return flip_; }  // feature = f(crop) + f(mirrored crop), then normalised

 private:
  Embedder() = default;
  enum class Align { kTemplate, kMeshBox, kDlibChip, kLandmarkBox };
  cv::Mat DlibChip(const cv::Mat& bgr, const DetectedFace& face, const std::vector<cv::Point2f>& mesh) const;
  const char* AlignLetter() const;
  EmbedderKind kind_ = EmbedderKind::kArcFace;  // parsed once: no string compares per inference
  Align align_ = Align::kTemplate;
  std::string name_, output_;
  std::string alignment_ = "template";
  float zoom_ = 1.0f;
  bool flip_ = false;
  int input_ = 112, dim_ = 0;
  std::unique_ptr<EmbedderModel> model_;  // the network, its default crop and input normalisation
};

}  // namespace facepass::vision
