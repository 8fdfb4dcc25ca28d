// Plain streaming-read bandwidth of this machine (the ceiling for a flat scan).
#pragma once

#include <cstddef>

namespace facepass::bench {

// Best of `reps` full reads of a `bytes` buffer split over `threads` threads, in GB/s.
double StreamingReadGBs(size_t bytes, int threads, int reps);

}  // namespace facepass::bench
