// Wall-clock bounds in tests (a server's start-up, a "quickly" bound) stretch
// under the sanitizers: the asan and tsan test presets set
// FACEPASS_TEST_TIME_SCALE, since a Debug build with instrumentation runs
// several times slower. 1 when unset or not a number >= 1.
#pragma once

#include <cstdlib>

namespace facepass::testing {

inline double TimeScale() {
  const char* s = std::getenv("FACEPASS_TEST_TIME_SCALE");
  const double v = s ? std::atof(s) : 1.0;
  return v >= 1.0 ? v : 1.0;
}

}  // namespace facepass::testing
