#include "vision/embedder_models.h"

#include <opencv2/dnn.hpp>  // blobFromImage

namespace facepass::vision {
namespace {

template <typename Model>
Result<std::unique_ptr<Model>> Load(const std::filesystem::path& file, const LoadOptions& load) {
  FP_ASSIGN_OR_RETURN(auto net, Network::Load(load, file));
  return std::make_unique<Model>(std::move(net));
}

cv::Mat RgbBlob(const cv::Mat& crop) { return cv::dnn::blobFromImage(crop, 1.0, cv::Size(), cv::Scalar(), true); }

}  // namespace

Result<std::unique_ptr<ArcFaceNet>> ArcFaceNet::Create(const std::filesystem::path& file, const LoadOptions& load) {
  return Load<ArcFaceNet>(file, load);
}
cv::Mat ArcFaceNet::Blob(const cv::Mat& crop) const {
  return cv::dnn::blobFromImage(crop, 1.0 / 127.5, cv::Size(), cv::Scalar(127.5, 127.5, 127.5), true);
}

Result<std::unique_ptr<FaceResNet>> FaceResNet::Create(const std::filesystem::path& file, const LoadOptions& load) {
  return Load<FaceResNet>(file, load);
}
cv::Mat FaceResNet::Blob(const cv::Mat& crop) const { return RgbBlob(crop); }

Result<std::unique_ptr<DlibResNet>> DlibResNet::Create(const std::filesystem::path& file, const LoadOptions& load) {
  return Load<DlibResNet>(file, load);
}
cv::Mat DlibResNet::Blob(const cv::Mat& crop) const { return RgbBlob(crop); }

}  // namespace facepass::vision
