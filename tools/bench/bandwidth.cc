#include "bandwidth.h"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "index/aligned_array.h"

namespace facepass::bench {

namespace {
// Sums 64-bit words with 8 independent chains; the compiler vectorises this to
// full-width loads, so the loop is limited by memory, not by the adds.
uint64_t SumWords(const uint64_t* p, size_t n) {
  uint64_t a[8] = {};
  for (size_t i = 0; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) a[j] += p[i + j];
  uint64_t s = 0;
  for (uint64_t x : a) s += x;
  return s;
}
}  // namespace

double StreamingReadGBs(size_t bytes, int threads, int reps) {
  index::AlignedArray<uint64_t> buf(bytes / 8);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = i;  // touch every page
  double best = 0;
  volatile uint64_t sink = 0;
  for (int r = 0; r < reps; ++r) {
    std::vector<uint64_t> part(static_cast<size_t>(threads));
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([&, t] {
        const size_t b = buf.size() * t / threads, e = buf.size() * (t + 1) / threads;
        part[t] = SumWords(buf.data() + b, e - b);
      });
    }
    for (auto& t : ts) t.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (uint64_t x : part) sink = sink + x;
    best = std::max(best, static_cast<double>(buf.bytes()) / s / 1e9);
  }
  return best;
}

}  // namespace facepass::bench
