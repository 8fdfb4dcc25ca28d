// Wall-clock milliseconds since the Unix epoch: the timestamps of the API, the
// store and the device SDK. Not a rule of the spec, only the one clock they share.
#pragma once

#include <chrono>
#include <cstdint>

namespace facepass {

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace facepass
