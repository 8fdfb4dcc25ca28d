// One face detection network behind the interface vision::Detector drives: each
// class owns its ONNX file, its input normalisation and its output decoding.
// Detector does what is common to all of them (letterboxing, tiles, the padded look,
// overlap suppression).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>  // cv::Exception

#include "common/status.h"
#include "vision/network.h"

namespace facepass::vision {

class DetectorModel {
 public:
  struct Candidate {  // in network input pixels
    cv::Rect2f box;
    float score = 0;
    std::vector<cv::Point2f> kps;
  };

  virtual ~DetectorModel() = default;
  // Width x height the network takes.
  virtual cv::Size input() const = 0;
  // One forward pass of a BGR image of input() size: the candidates scoring >= min_score.
  virtual Result<std::vector<Candidate>> Run(const cv::Mat& bgr_input, float min_score) const = 0;
  virtual const Network& network() const = 0;
};

// An output viewed as [rows, cols] (cols = last dimension).
cv::Mat OutputAs2D(const cv::Mat& m);

// Every output of one forward pass of a BGR image fed as RGB (x - mean) * scale.
Result<std::vector<cv::Mat>> ForwardRgb(const Network& net, const cv::Mat& bgr_input, double scale, double mean);

// Runs `decode` over the outputs, turning OpenCV's exceptions (reshapes, concatenations
// of unexpected shapes) into a Status.
template <typename Decode>
Result<std::vector<DetectorModel::Candidate>> DecodeOutputs(const std::vector<cv::Mat>& outs, Decode decode) {
  try {
    return decode(outs);
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("detector outputs: ") + e.what());
  }
}

}  // namespace facepass::vision
