#include "vision/stage_metrics.h"

namespace facepass::vision {

StageMetrics::StageMetrics(metrics::Registry* registry) {
  if (registry == nullptr) return;
  auto& f = registry->AddHistogram("facepass_vision_stage_duration_seconds",
                                   "Time in each model stage of analysing one image (decode: the pixels; embed: the embedder alone).",
                                   {"stage"}, metrics::LatencyBuckets());
  decode = &f.With({"decode"});
  detect = &f.With({"detect"});
  landmarks = &f.With({"landmarks"});
  embed = &f.With({"embed"});
  liveness = &f.With({"liveness"});
}

}  // namespace facepass::vision
