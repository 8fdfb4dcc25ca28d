// OpenCV's DNN module as a Runtime: the fall-back when ONNX Runtime's library is
// absent, and `--runtime opencv`.
#pragma once

#include <memory>

#include "vision/runtime.h"

namespace facepass::vision {

// `threads`: OpenCV's process-wide thread count (cv::setNumThreads).
std::shared_ptr<const Runtime> OpenCvRuntime(int threads);

}  // namespace facepass::vision
