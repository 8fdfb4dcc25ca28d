#include "vision/opencv_runtime.h"

#include <condition_variable>
#include <vector>

#include <opencv2/core/utility.hpp>
#include <opencv2/core/version.hpp>
#include <opencv2/dnn.hpp>

#include "common/thread_annotations.h"

namespace facepass::vision {
namespace {

// cv::dnn::Net is not thread-safe: a fixed pool of instances, each Run borrows one.
class OpenCvSession final : public Session {
 public:
  static Result<std::unique_ptr<Session>> Load(const std::filesystem::path& file, int instances) {
    std::unique_ptr<OpenCvSession> s(new OpenCvSession());
    try {
      for (int i = 0; i < std::max(1, instances); ++i) {
        auto net = std::make_unique<cv::dnn::Net>(cv::dnn::readNetFromONNX(file.string()));
        if (net->empty()) return Status::Internal("empty network from " + file.string());
        net->setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net->setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        if (i == 0) s->outputs_ = net->getUnconnectedOutLayersNames();
        s->nets_.push_back(std::move(net));
      }
    } catch (const cv::Exception& e) {
      return Status::Internal("cannot load " + file.string() + ": " + e.what());
    }
    MutexLock lock(&s->mu_);
    for (auto& n : s->nets_) s->free_.push_back(n.get());
    return std::unique_ptr<Session>(std::move(s));
  }

  Status Run(const cv::Mat& blob, const std::vector<std::string>& names,
             std::vector<cv::Mat>* outs) const override {
    cv::dnn::Net* net = Borrow();
    Status s = Forward(*net, blob, names.empty() ? outputs_ : names, outs);
    Return(net);
    return s;
  }

  const std::vector<std::string>& output_names() const override { return outputs_; }

 private:
  OpenCvSession() = default;

  static Status Forward(cv::dnn::Net& net, const cv::Mat& blob, const std::vector<std::string>& names,
                        std::vector<cv::Mat>* outs) {
    try {
      net.setInput(blob);
      net.forward(*outs, names);
      // forward() reuses its buffers on the next call: keep private copies.
      for (auto& m : *outs) m = m.clone();
      return Status::OK();
    } catch (const cv::Exception& e) {
      return Status::Internal(std::string("inference failed: ") + e.what());
    }
  }

  cv::dnn::Net* Borrow() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (free_.empty()) cv_.wait(mu_);
    cv::dnn::Net* net = free_.back();
    free_.pop_back();
    return net;
  }

  void Return(cv::dnn::Net* net) const EXCLUDES(mu_) {
    {
      MutexLock lock(&mu_);
      free_.push_back(net);
    }
    cv_.notify_one();
  }

  std::vector<std::string> outputs_;
  std::vector<std::unique_ptr<cv::dnn::Net>> nets_;  // owned; lent through free_
  mutable Mutex mu_;
  mutable std::vector<cv::dnn::Net*> free_ GUARDED_BY(mu_);
  mutable std::condition_variable_any cv_;  // an instance came back
};

class OpenCvDnn final : public Runtime {
 public:
  RuntimeKind kind() const override { return RuntimeKind::kOpenCv; }
  const std::string& version() const override { return version_; }
  const std::string& library() const override { return library_; }
  Result<std::unique_ptr<Session>> Load(const std::filesystem::path& file, int concurrency) const override {
    return OpenCvSession::Load(file, concurrency);
  }

 private:
  const std::string version_ = CV_VERSION;
  const std::string library_;  // linked
};

}  // namespace

std::shared_ptr<const Runtime> OpenCvRuntime(int threads) {
  if (threads > 0) cv::setNumThreads(threads);
  return std::make_shared<OpenCvDnn>();
}

}  // namespace facepass::vision
