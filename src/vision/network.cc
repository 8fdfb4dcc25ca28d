#include "vision/network.h"

#include <fstream>

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

Result<std::unique_ptr<Network>> Network::Load(const LoadOptions& load, const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    return Status::NotFound("model file not found: " + file.string());
  if (!load.runtime) return Status::InvalidArgument("no inference runtime to load " + file.string());
  std::unique_ptr<Network> net(new Network());
  net->file_ = file;
  net->digest_ = FileDigest(file);
  FP_ASSIGN_OR_RETURN(net->session_, load.runtime->Load(file, std::max(1, load.concurrency)));
  return net;
}

}  // namespace facepass::vision
