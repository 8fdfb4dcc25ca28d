#include "vision/net_pool.h"

#include <fstream>
#include <iterator>

namespace facepass::vision {
namespace {

// FNV-1a 64 over the file: enough to notice a swapped model (not a security hash).
std::string FileDigest(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  uint64_t h = 1469598103934665603ull;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= uint8_t(buf[i]);
      h *= 1099511628211ull;
    }
  }
  char out[17];
  snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return std::string(out, 8);
}

}  // namespace

Result<std::unique_ptr<NetPool>> NetPool::Load(const std::filesystem::path& file, int size) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    return Status::NotFound("model file not found: " + file.string());
  std::unique_ptr<NetPool> pool(new NetPool());
  pool->file_ = file;
  pool->digest_ = FileDigest(file);
  try {
    for (int i = 0; i < std::max(1, size); ++i) {
      auto net = std::make_unique<cv::dnn::Net>(cv::dnn::readNetFromONNX(file.string()));
      if (net->empty()) return Status::Internal("empty network from " + file.string());
      net->setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
      net->setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
      if (i == 0) pool->outputs_ = net->getUnconnectedOutLayersNames();
      MutexLock lock(&pool->mu_);  // not shared yet: only for the analysis
      pool->free_.push_back(net.get());
      pool->nets_.push_back(std::move(net));
    }
  } catch (const cv::Exception& e) {
    return Status::Internal("cannot load " + file.string() + ": " + e.what());
  }
  return pool;
}

NetPool::Lease NetPool::Acquire() {
  MutexLock lock(&mu_);
  while (free_.empty()) cv_.wait(mu_);
  cv::dnn::Net* net = free_.back();
  free_.pop_back();
  return Lease(this, net);
}

void NetPool::Release(cv::dnn::Net* net) {
  {
    MutexLock lock(&mu_);
    free_.push_back(net);
  }
  cv_.notify_one();
}

Status Forward(cv::dnn::Net& net, const cv::Mat& blob, const std::vector<std::string>& names,
               std::vector<cv::Mat>* outs) {
  try {
    net.setInput(blob);
    if (names.empty()) {
      net.forward(*outs, net.getUnconnectedOutLayersNames());
    } else {
      net.forward(*outs, names);
    }
    // forward() reuses its buffers on the next call: keep private copies.
    for (auto& m : *outs) m = m.clone();
    return Status::OK();
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("inference failed: ") + e.what());
  }
}

}  // namespace facepass::vision
