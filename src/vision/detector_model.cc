#include "vision/detector_model.h"

#include <opencv2/dnn.hpp>  // blobFromImage

namespace facepass::vision {

cv::Mat OutputAs2D(const cv::Mat& m) {
  if (m.dims <= 2) return m.reshape(1, m.dims == 2 ? m.size[0] : 1);
  int cols = m.size[m.dims - 1];
  return m.reshape(1, int(m.total() / cols));
}

Result<std::vector<cv::Mat>> ForwardRgb(const Network& net, const cv::Mat& bgr_input, double scale, double mean) {
  cv::Mat blob;
  try {
    blob = cv::dnn::blobFromImage(bgr_input, scale, cv::Size(), cv::Scalar(mean, mean, mean), true);
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("detector preprocessing: ") + e.what());
  }
  std::vector<cv::Mat> outs;
  FP_RETURN_IF_ERROR(net.Run(blob, {}, &outs));
  return outs;
}

}  // namespace facepass::vision
