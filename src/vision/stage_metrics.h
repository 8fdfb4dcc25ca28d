// Latency of each stage of Engine::Analyze (decode, detect, landmarks,
// embed, liveness) into facepass_vision_stage_duration_seconds{stage}.
#pragma once

#include <chrono>
#include <utility>

#include "metrics/registry.h"

namespace facepass::vision {

struct StageMetrics {
  explicit StageMetrics(metrics::Registry* registry);  // nullptr: nothing is timed

  metrics::Histogram* decode = nullptr;
  metrics::Histogram* detect = nullptr;
  metrics::Histogram* landmarks = nullptr;
  metrics::Histogram* embed = nullptr;     // the embedder's inference (not the alignment)
  metrics::Histogram* liveness = nullptr;
};

// Runs fn() and observes how long it took into `stage` (when not null),
// failures included: `FP_ASSIGN_OR_RETURN(auto x, Timed(m.detect, [&] { ... }))`.
template <typename Fn>
auto Timed(metrics::Histogram* stage, Fn&& fn) {
  if (stage == nullptr) return std::forward<Fn>(fn)();
  const auto start = std::chrono::steady_clock::now();
  auto result = std::forward<Fn>(fn)();
  stage->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return result;
}

}  // namespace facepass::vision
