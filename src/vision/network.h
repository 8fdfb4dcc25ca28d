// One ONNX model file loaded on the inference runtime: what every model class runs
// through. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/runtime.h"

namespace facepass::vision {

// What a model class needs to load its file.
struct LoadOptions {
  std::shared_ptr<const Runtime> runtime;
  int concurrency = 1;  // inferences of one model at once (OpenCV: instances; ORT: one session)
};

class Network {
 public:
  // Fails on a missing or unloadable file.
  static Result<std::unique_ptr<Network>> Load(const LoadOptions& load, const std::filesystem::path& file);

  // One forward pass of an NCHW float blob: the named outputs in that order, every
  // graph output when `names` is empty.
  Status Run(const cv::Mat& blob, const std::vector<std::string>& names, std::vector<cv::Mat>* outs) const {
    return session_->Run(blob, names, outs);
  }

  const std::filesystem::path& file() const { return file_; }
  const std::string& content_id() const { return digest_; }  // FNV-1a of the file, 8 hex digits
  const std::vector<std::string>& output_names() const { return session_->output_names(); }

 private:
  Network() = default;

  std::filesystem::path file_;
  std::string digest_;
  std::unique_ptr<Session> session_;
};

}  // namespace facepass::vision
