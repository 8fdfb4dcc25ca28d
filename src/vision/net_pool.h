// A fixed pool of cv::dnn::Net instances of one ONNX model. cv::dnn::Net is not
// thread-safe, so each inference borrows one instance for its duration.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/dnn.hpp>

#include "common/status.h"
#include "common/thread_annotations.h"

namespace facepass::vision {

class NetPool {
 public:
  // Loads `size` instances of the ONNX file; fails on a missing or unloadable file.
  static Result<std::unique_ptr<NetPool>> Load(const std::filesystem::path& file, int size);

  // RAII borrow; blocks while every instance is in use.
  class Lease {
   public:
    Lease(NetPool* pool, cv::dnn::Net* net) : pool_(pool), net_(net) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), net_(o.net_) { o.net_ = nullptr; }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { if (net_) pool_->Release(net_); }
    cv::dnn::Net& net() { return *net_; }

   private:
    NetPool* pool_;
    cv::dnn::Net* net_;
  };
  Lease Acquire() EXCLUDES(mu_);

  const std::filesystem::path& file() const { return file_; }
  const std::string& content_id() const { return digest_; }  // FNV-1a of the file, 8 hex digits
  std::vector<std::string> output_names() const { return outputs_; }

 private:
  NetPool() = default;
  void Release(cv::dnn::Net* net) EXCLUDES(mu_);

  std::filesystem::path file_;
  std::string digest_;
  std::vector<std::string> outputs_;
  std::vector<std::unique_ptr<cv::dnn::Net>> nets_;  // filled by Load, then fixed
  Mutex mu_;
  std::vector<cv::dnn::Net*> free_ GUARDED_BY(mu_);  // the instances not lent
  std::condition_variable_any cv_;                   // free_ is no longer empty
};

// Runs one forward pass, returning the named outputs (all unconnected outputs when empty).
Status Forward(cv::dnn::Net& net, const cv::Mat& blob, const std::vector<std::string>& names,
               std::vector<cv::Mat>* outs);

}  // namespace facepass::vision
