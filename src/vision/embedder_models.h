// The face embedding networks behind vision::Embedder, one class per model: each owns
// its ONNX file, knows the crop it was trained on (alignment, zoom) and feeds the crop
// the way the network expects. Embedder does what is common (warping the crop, the
// output, the flip test, normalising the feature).
#pragma once

#include <filesystem>
#include <memory>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/network.h"

namespace facepass::vision {

class EmbedderModel {
 public:
  explicit EmbedderModel(std::unique_ptr<Network> net) : net_(std::move(net)) {}
  virtual ~EmbedderModel() = default;
  // The NCHW blob of a BGR crop of the input size; may throw cv::Exception.
  virtual cv::Mat Blob(const cv::Mat& crop) const = 0;
  // The crop it was trained on (Embedder::alignment()) and its zoom; the output to read
  // ("" = the only or first output).
  virtual const char* alignment() const = 0;
  virtual float zoom() const { return 1.f; }
  virtual const char* output() const { return ""; }
  const Network& network() const { return *net_; }

 private:
  std::unique_ptr<Network> net_;
};

// InsightFace's ArcFace layout (the default's faceplugin MobileFaceNet, the fused
// MobileFaceNet, any InsightFace recognition ONNX): 112x112 on the five-point ArcFace
// template, (x - 127.5)/127.5 RGB.
class ArcFaceNet : public EmbedderModel {
 public:
  using EmbedderModel::EmbedderModel;
  static Result<std::unique_ptr<ArcFaceNet>> Create(const std::filesystem::path& file, const LoadOptions& load);
  cv::Mat Blob(const cv::Mat& crop) const override;
  const char* alignment() const override { return "template"; }
};

// human's faceres (HSE-FaceRes based): 224x224 RGB 0..255 on the square around the
// mesh (zoom 1.1), the pooled descriptor before its age/gender heads.
class FaceResNet : public EmbedderModel {
 public:
  using EmbedderModel::EmbedderModel;
  static Result<std::unique_ptr<FaceResNet>> Create(const std::filesystem::path& file, const LoadOptions& load);
  cv::Mat Blob(const cv::Mat& crop) const override;
  const char* alignment() const override { return "mesh_box"; }
  float zoom() const override { return 1.1f; }
  const char* output() const override { return "global_pooling/Mean"; }
};

// dlib's face recognition ResNet as face-api ships it: 150x150 RGB 0..255 (face-api's
// mean and /255 are inside the converted graph) on dlib's face chip.
class DlibResNet : public EmbedderModel {
 public:
  using EmbedderModel::EmbedderModel;
  static Result<std::unique_ptr<DlibResNet>> Create(const std::filesystem::path& file, const LoadOptions& load);
  cv::Mat Blob(const cv::Mat& crop) const override;
  const char* alignment() const override { return "dlib"; }
};

}  // namespace facepass::vision
