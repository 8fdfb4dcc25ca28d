// Wall-clock milliseconds since the Unix epoch: the timestamps of the API, the store and
// the device SDK.
#pragma once

#include <chrono>
#include <cstdint>

namespace facepass::spec {

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace facepass::spec
